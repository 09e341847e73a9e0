"""Automatic reminders: due soon and overdue items get one system reminder a day."""

from datetime import timedelta

from sqlalchemy import select

from webapp.database import local_today
from webapp.extensions import db
from webapp.supervision.models import Reminder, ReminderChannel


def test_remind_due_once_a_day(app, runner, make_item):
    with app.app_context():
        today = local_today()
    overdue = make_item("in_progress", due_date=today - timedelta(days=3))
    soon = make_item("assigned", due_date=today + timedelta(days=2))
    make_item("in_progress", due_date=today + timedelta(days=30))  # far away: no reminder
    make_item("closed")
    result = runner.invoke(args=["remind-due"])
    assert result.exit_code == 0, result.output
    assert "今日督办提醒：2 件" in result.output
    assert "逾期 3 天" in result.output
    again = runner.invoke(args=["remind-due"])
    assert "今日督办提醒：0 件" in again.output
    with app.app_context():
        rows = db.session.scalars(select(Reminder)).all()
        assert sorted(r.item.code for r in rows) == sorted([overdue, soon])
        assert {(r.channel, r.automatic) for r in rows} == {(ReminderChannel.SYSTEM, True)}
