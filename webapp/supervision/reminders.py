"""Automatic reminders (系统提醒) before and after the deadline, and the daily digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import selectinload

from webapp.database import utcnow
from webapp.extensions import db
from webapp.supervision import services
from webapp.supervision.models import (
    WITH_UNIT_STATES,
    Reminder,
    ReminderChannel,
    SupervisionItem,
)


@dataclass
class DigestLine:
    unit: str
    code: str
    title: str
    due_date: date
    overdue_days: int


def remind_due(*, today: date, days_before: int) -> list[DigestLine]:
    """Record one system reminder per item and day for items due within `days_before` days or
    overdue, and return the digest lines (what is due, by unit). Running twice a day is safe."""
    start_of_day = utcnow() - timedelta(hours=20)  # "already reminded today", roughly
    reminded_today = exists().where(
        and_(Reminder.item_id == SupervisionItem.id, Reminder.automatic.is_(True),
             Reminder.created_at >= start_of_day)
    )
    items = db.session.scalars(
        select(SupervisionItem)
        # the unit has it: an item under review waits for the office, not the unit
        .where(SupervisionItem.state.in_(WITH_UNIT_STATES),
               SupervisionItem.due_date <= today + timedelta(days=days_before),
               ~reminded_today)
        .options(selectinload(SupervisionItem.lead_unit))
        .order_by(SupervisionItem.due_date)
    ).all()
    lines = []
    for item in items:
        overdue = (today - item.due_date).days
        note = f"已逾期 {overdue} 天" if overdue > 0 else f"将于 {item.due_date} 到期"
        services.record_reminder(item, actor=None, channel=ReminderChannel.SYSTEM, note=note,
                                 automatic=True)
        lines.append(DigestLine(item.lead_unit.name if item.lead_unit else "—", item.code,
                                item.title, item.due_date, max(overdue, 0)))
    return lines
