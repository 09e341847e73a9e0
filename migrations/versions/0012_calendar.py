"""calendar: the admin's working days and holidays; the date an item's 办结反馈 was sent

`supervision_item.final_feedback_on` lets one rule decide "overdue" everywhere: a unit whose
办结反馈 arrived before the deadline is not overdue while the office reviews it. Items under
review now get the local date of their pending final feedback.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app

import webapp.database  # noqa: F401  (the project's migrations import it for column types)

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("workday", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=100), nullable=True),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", webapp.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["set_by_id"], ["user_account.id"],
                                name=op.f("fk_calendar_day_set_by_id_user_account")),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_day")),
    )
    with op.batch_alter_table("supervision_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("final_feedback_on", sa.Date(), nullable=True))
    _fill_final_feedback_on()


def _fill_final_feedback_on():
    conn = op.get_bind()
    zone = ZoneInfo(current_app.config.get("TIMEZONE", "Asia/Shanghai"))
    rows = conn.execute(sa.text(
        "SELECT i.id, MAX(f.submitted_at) FROM supervision_item i JOIN feedback f "
        "ON f.item_id = i.id WHERE i.state = 'under_review' AND f.kind = 'final' "
        "AND f.review_state = 'pending' GROUP BY i.id")).all()
    for item_id, at in rows:
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        conn.execute(sa.text("UPDATE supervision_item SET final_feedback_on = :d WHERE id = :id"),
                     {"d": at.astimezone(zone).date(), "id": item_id})


def downgrade():
    with op.batch_alter_table("supervision_item", schema=None) as batch_op:
        batch_op.drop_column("final_feedback_on")
    op.drop_table("calendar_day")
