"""recurring: items that repeat (one item per period) and feedback cadences of open items

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

import webapp.database  # noqa: F401  (the project's migrations import it for column types)

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

UTC = webapp.database.UTCDateTime(timezone=True)


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _person(role):
    return [sa.Column(f"{role}_id", sa.Integer(), nullable=True),
            sa.Column(role, sa.String(length=64), nullable=True),
            sa.ForeignKeyConstraint([f"{role}_id"], ["person.id"],
                                    name=op.f(f"fk_recurrence_{role}_id_person"))]


def upgrade():
    op.create_table(
        "recurrence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("source", _enum("recurrence_source", "leader_instruction", "meeting",
                                  "superior", "inspection", "complaint", "other"),
                  nullable=False),
        sa.Column("urgency", _enum("recurrence_urgency", "normal", "urgent", "very_urgent"),
                  nullable=False),
        sa.Column("requirements", sa.Text(), nullable=True),
        sa.Column("lead_unit_id", sa.Integer(), nullable=False),
        *_person("supervising_leader"),
        *_person("first_responsible"),
        *_person("direct_responsible"),
        sa.Column("frequency", _enum("frequency", "monthly", "quarterly", "yearly"),
                  nullable=False),
        sa.Column("due_month", sa.Integer(), nullable=False),
        sa.Column("due_day", sa.Integer(), nullable=True),
        sa.Column("due_working_days", sa.Integer(), nullable=True),
        sa.Column("cadence_days", sa.Integer(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("stopped_at", UTC, nullable=True),
        sa.Column("stop_reason", sa.Text(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_recurrence_created_by_id_user_account")),
        sa.ForeignKeyConstraint(["lead_unit_id"], ["unit.id"],
                                name=op.f("fk_recurrence_lead_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recurrence")),
    )
    op.create_table(
        "recurrence_assisting_unit",
        sa.Column("recurrence_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["recurrence_id"], ["recurrence.id"],
                                name=op.f("fk_recurrence_assisting_unit_recurrence_id_recurrence")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"],
                                name=op.f("fk_recurrence_assisting_unit_unit_id_unit")),
        sa.PrimaryKeyConstraint("recurrence_id", "unit_id",
                                name=op.f("pk_recurrence_assisting_unit")),
    )
    op.create_table(
        "recurring_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recurrence_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["supervision_item.id"],
                                name=op.f("fk_recurring_period_item_id_supervision_item")),
        sa.ForeignKeyConstraint(["recurrence_id"], ["recurrence.id"],
                                name=op.f("fk_recurring_period_recurrence_id_recurrence")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recurring_period")),
        sa.UniqueConstraint("item_id", name=op.f("uq_recurring_period_item_id")),
        sa.UniqueConstraint("recurrence_id", "period_start", name="uq_recurring_period_start"),
    )
    op.create_table(
        "feedback_cadence",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("every_days", sa.Integer(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", UTC, nullable=False),
        sa.Column("stopped_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["supervision_item.id"],
                                name=op.f("fk_feedback_cadence_item_id_supervision_item")),
        sa.ForeignKeyConstraint(["set_by_id"], ["user_account.id"],
                                name=op.f("fk_feedback_cadence_set_by_id_user_account")),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_feedback_cadence")),
    )


def downgrade():
    op.drop_table("feedback_cadence")
    op.drop_table("recurring_period")
    op.drop_table("recurrence_assisting_unit")
    op.drop_table("recurrence")
