"""accountability: 问责 records (约谈, 通报批评, 记分) of persons, linked to items and documents

Revision ID: 0024
Revises: 0021
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

import webapp.database  # noqa: F401  (the project's migrations import it for column types)

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

UTC = webapp.database.UTCDateTime(timezone=True)


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade():
    op.create_table(
        "accountability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("kind", _enum("accountability_kind", "interview", "criticism", "points"),
                  nullable=False),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTC, nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("(kind = 'points' AND points BETWEEN 1 AND 12) "
                           "OR (kind <> 'points' AND points IS NULL)",
                           name=op.f("ck_accountability_points_only_for_points")),
        _fk("accountability", "person_id", "person"),
        _fk("accountability", "unit_id", "unit"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user_account.id"],
                                name=op.f("fk_accountability_decided_by_id_user_account")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user_account.id"],
                                name=op.f("fk_accountability_recorded_by_id_user_account")),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["user_account.id"],
                                name=op.f("fk_accountability_revoked_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accountability")),
    )
    op.create_index("ix_accountability_decided_on", "accountability", ["decided_on"])
    op.create_index("ix_accountability_person_decided_on", "accountability",
                    ["person_id", "decided_on"])
    op.create_table(
        "accountability_item",
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("role", _enum("accountability_item_role", "supervising_leader",
                                "first_responsible", "direct_responsible"), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["accountability.id"],
                                name=op.f("fk_accountability_item_record_id_accountability")),
        sa.ForeignKeyConstraint(["item_id"], ["supervision_item.id"],
                                name=op.f("fk_accountability_item_item_id_supervision_item")),
        sa.PrimaryKeyConstraint("record_id", "item_id", name=op.f("pk_accountability_item")),
    )
    op.create_index(op.f("ix_accountability_item_item_id"), "accountability_item", ["item_id"])
    op.create_table(
        "accountability_document",
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["accountability.id"],
                                name=op.f("fk_accountability_document_record_id_accountability")),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"],
                                name=op.f("fk_accountability_document_document_id_document")),
        sa.PrimaryKeyConstraint("record_id", "document_id",
                                name=op.f("pk_accountability_document")),
    )


def downgrade():
    op.drop_table("accountability_document")
    op.drop_index(op.f("ix_accountability_item_item_id"), table_name="accountability_item")
    op.drop_table("accountability_item")
    op.drop_index("ix_accountability_person_decided_on", table_name="accountability")
    op.drop_index("ix_accountability_decided_on", table_name="accountability")
    op.drop_table("accountability")
