"""escalation: the office's rules and the steps taken (tick is idempotent through them)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

import webapp.database  # noqa: F401  (the project's migrations import it for column types)

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UTC = webapp.database.UTCDateTime(timezone=True)


def upgrade():
    op.create_table(
        "escalation_rule",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("every", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"],
                                name=op.f("fk_escalation_rule_updated_by_id_user_account")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_escalation_rule")),
    )
    op.create_table(
        "escalation_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("on_day", sa.Date(), nullable=False),
        sa.Column("overdue_days", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["supervision_item.id"],
                                name=op.f("fk_escalation_step_item_id_supervision_item")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_step")),
        sa.UniqueConstraint("item_id", "rule", "due_date", "on_day",
                            name="uq_escalation_step_item_id"),
    )
    op.create_index("ix_escalation_step_rule_created", "escalation_step", ["rule", "created_at"])


def downgrade():
    op.drop_index("ix_escalation_step_rule_created", table_name="escalation_step")
    op.drop_table("escalation_step")
    op.drop_table("escalation_rule")
