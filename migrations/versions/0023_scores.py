"""scores: 考核 periods with their rules, 表扬 / 通报批评 of units, frozen results, appeals

Revision ID: 0023
Revises: 0021
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

import webapp.database

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

UTC = webapp.database.UTCDateTime(timezone=True)
REASONS = ("overdue", "returned", "criticism", "praise", "early_close")


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade():
    op.create_table(
        "score_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("frozen_at", UTC, nullable=True),
        sa.Column("frozen_by_id", sa.Integer(), nullable=True),
        sa.Column("computed_at", UTC, nullable=True),
        _fk("score_period", "created_by_id", "user_account"),
        _fk("score_period", "frozen_by_id", "user_account"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_period")),
        sa.UniqueConstraint("name", name=op.f("uq_score_period_name")),
    )
    op.create_table(
        "score_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        _fk("score_snapshot", "period_id", "score_period"),
        _fk("score_snapshot", "unit_id", "unit"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_snapshot")),
        sa.UniqueConstraint("period_id", "unit_id", name="uq_score_snapshot_unit"),
    )
    op.create_table(
        "unit_citation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("citation_kind", "praise", "criticism"), nullable=False),
        sa.Column("cited_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("doc_number", sa.String(length=64), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        _fk("unit_citation", "unit_id", "unit"),
        _fk("unit_citation", "item_id", "supervision_item"),
        _fk("unit_citation", "created_by_id", "user_account"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_citation")),
    )
    op.create_index("ix_unit_citation_day", "unit_citation", ["cited_on", "unit_id"])
    op.create_table(
        "score_appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("appeal_reason_kind", *REASONS), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("points_before", sa.Float(), nullable=False),
        sa.Column("state", _enum("appeal_state", "pending", "accepted", "rejected"),
                  nullable=False),
        sa.Column("points", sa.Float(), nullable=True),
        sa.Column("filed_by_id", sa.Integer(), nullable=False),
        sa.Column("filed_at", UTC, nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTC, nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        _fk("score_appeal", "period_id", "score_period"),
        _fk("score_appeal", "unit_id", "unit"),
        _fk("score_appeal", "filed_by_id", "user_account"),
        _fk("score_appeal", "decided_by_id", "user_account"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_appeal")),
    )
    op.create_index("ix_score_appeal_period_unit", "score_appeal", ["period_id", "unit_id"])


def downgrade():
    op.drop_index("ix_score_appeal_period_unit", table_name="score_appeal")
    op.drop_table("score_appeal")
    op.drop_index("ix_unit_citation_day", table_name="unit_citation")
    op.drop_table("unit_citation")
    op.drop_table("score_snapshot")
    op.drop_table("score_period")
