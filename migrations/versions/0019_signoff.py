"""签发: drafts a leader signs before they take a number; who signed an issued document

The kinds that need 签发 are an admin setting (issuer_settings.signoff_kinds); a saved row
gets the table's default, the 通报.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

import webapp.database  # noqa: F401  (the project's migrations import it for column types)

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

STATES = ("drafted", "checked", "returned", "signed", "withdrawn")


def upgrade():
    op.create_table(
        "document_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("options_json", sa.Text(), nullable=False),
        sa.Column("data_json", sa.Text(), nullable=False),
        sa.Column("state", sa.Enum(*STATES, name="draft_state", native_enum=False,
                                   create_constraint=True, length=32), nullable=False),
        sa.Column("drafted_by_id", sa.Integer(), nullable=False),
        sa.Column("drafted_at", webapp.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", webapp.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("signer_id", sa.Integer(), nullable=True),
        sa.Column("signed_at", webapp.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("returned_at", webapp.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("replace_reason", sa.Text(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["supervision_item.id"],
                                name=op.f("fk_document_draft_item_id_supervision_item")),
        sa.ForeignKeyConstraint(["drafted_by_id"], ["user_account.id"],
                                name=op.f("fk_document_draft_drafted_by_id_user_account")),
        sa.ForeignKeyConstraint(["checked_by_id"], ["user_account.id"],
                                name=op.f("fk_document_draft_checked_by_id_user_account")),
        sa.ForeignKeyConstraint(["signer_id"], ["user_account.id"],
                                name=op.f("fk_document_draft_signer_id_user_account")),
        sa.ForeignKeyConstraint(["replaces_id"], ["document.id"],
                                name=op.f("fk_document_draft_replaces_id_document")),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"],
                                name=op.f("fk_document_draft_document_id_document")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_draft")),
    )
    with op.batch_alter_table("document_draft", schema=None) as batch_op:
        batch_op.create_index("ix_document_draft_state", ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_draft_item_id"), ["item_id"], unique=False)
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("signed_at", webapp.database.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_document_signed_by_id_user_account"),
                                    "user_account", ["signed_by_id"], ["id"])
    with op.batch_alter_table("issuer_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signoff_kinds", sa.String(length=200), nullable=False,
                                      server_default="circular"))
    with op.batch_alter_table("issuer_settings", schema=None) as batch_op:
        batch_op.alter_column("signoff_kinds", server_default=None)


def downgrade():
    with op.batch_alter_table("issuer_settings", schema=None) as batch_op:
        batch_op.drop_column("signoff_kinds")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_document_signed_by_id_user_account"),
                                 type_="foreignkey")
        batch_op.drop_column("signed_at")
        batch_op.drop_column("signed_by_id")
    with op.batch_alter_table("document_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_draft_item_id"))
        batch_op.drop_index("ix_document_draft_state")
    op.drop_table("document_draft")
