"""assisting input: an assisting unit's part of an item, with its files

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

import webapp.database  # noqa: F401  (the project's migrations import it for column types)

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "assisting_input",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", webapp.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["supervision_item.id"],
                                name=op.f("fk_assisting_input_item_id_supervision_item")),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["user_account.id"],
                                name=op.f("fk_assisting_input_submitted_by_id_user_account")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"],
                                name=op.f("fk_assisting_input_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assisting_input")),
    )
    op.create_index("ix_assisting_input_item", "assisting_input", ["item_id", "submitted_at"])
    op.create_table(
        "assisting_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("input_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["input_id"], ["assisting_input.id"],
                                name=op.f("fk_assisting_file_input_id_assisting_input")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assisting_file")),
    )
    op.create_index(op.f("ix_assisting_file_input_id"), "assisting_file", ["input_id"])


def downgrade():
    op.drop_index(op.f("ix_assisting_file_input_id"), table_name="assisting_file")
    op.drop_table("assisting_file")
    op.drop_index("ix_assisting_input_item", table_name="assisting_input")
    op.drop_table("assisting_input")
