"""节点 reminded like deadlines: the day's round for an item's open milestones, on the working-day
calendar, with the office's milestone rules (escalation/rules.py). One EscalationStep per rule,
item and milestone date, so running `tick` again repeats nothing; milestones of one item due the
same day share one reminder."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from webapp.calendar.services import WorkCalendar
from webapp.database import utcnow
from webapp.escalation.models import EscalationStep
from webapp.extensions import db
from webapp.notify import services as notify
from webapp.supervision import services as items
from webapp.supervision.models import (
    WITH_UNIT_STATES,
    Milestone,
    ReminderChannel,
    SupervisionItem,
)

NOTES = {"milestone_soon": "节点“{titles}”将于 {day} 到期",
         "milestone_overdue": "节点“{titles}”已逾期 {offset} 个工作日（节点日期 {day}）"}


def tick(today: date, rules: dict, cal: WorkCalendar, report, *, fires) -> None:
    """Apply the active milestone rules (`rules`: key → settings) due on `today`."""
    if not rules:
        return
    open_ones = db.session.execute(
        select(Milestone.item_id, Milestone.due_date, Milestone.title)
        .join(SupervisionItem, SupervisionItem.id == Milestone.item_id)
        .where(Milestone.reached_at.is_(None), SupervisionItem.state.in_(WITH_UNIT_STATES))
        .order_by(Milestone.item_id, Milestone.due_date, Milestone.id)).all()
    due: dict[tuple[int, date], list[str]] = defaultdict(list)
    for item_id, day, title in open_ones:
        if cal.start <= day <= cal.end:
            due[(item_id, day)].append(title)
    for (item_id, day), titles in due.items():
        offset = cal.offset(day, today)
        for key, settings in rules.items():
            if fires(key, settings, offset) and _first_time(item_id, key, day):
                _remind(key, db.session.get(SupervisionItem, item_id), day, offset, titles)
                report.applied[key] += 1
    db.session.flush()


def _first_time(item_id: int, key: str, day: date) -> bool:
    return db.session.scalar(select(EscalationStep.id).where(
        EscalationStep.item_id == item_id, EscalationStep.rule == key,
        EscalationStep.due_date == day, EscalationStep.on_day == day)) is None


def _remind(key: str, item: SupervisionItem, day: date, offset: int, titles: list[str]) -> None:
    db.session.add(EscalationStep(item_id=item.id, rule=key, due_date=day, on_day=day,
                                  overdue_days=offset, created_at=utcnow()))
    note = NOTES[key].format(titles="”“".join(titles), day=day.isoformat(), offset=offset)
    items.record_reminder(item, actor=None, channel=ReminderChannel.SYSTEM, note=note,
                          automatic=True)
    notify.send("milestone_due", item=item, note=note)
