"""Automatic reminders (系统提醒): many at once for the daily round, and the digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, exists, insert, select
from sqlalchemy.orm import selectinload

from webapp.audit import services as audit
from webapp.database import utcnow
from webapp.extensions import db
from webapp.supervision import services
from webapp.supervision.models import (
    WITH_UNIT_STATES,
    Reminder,
    ReminderChannel,
    SupervisionItem,
)
from webapp.supervision.workflow import ACTIONS, refusal


def record_automatic(notes: dict[int, str], *, states=WITH_UNIT_STATES) -> list[int]:
    """System 催办 for many items at once ({item id: note}), as `services.record_reminder`
    does for one with `automatic=True`: the gate set-based — the items' rows locked (FOR
    UPDATE), then the workflow's answer for the system, and the caller's `states` (the daily
    round chases only what the unit has) — and for each item that passes one Reminder row
    and one audit event, in item order. Returns the ids reminded: an item that changed
    meanwhile (a 办结反馈 sent while the round waited for its row) is skipped."""
    if not notes:
        return []
    rows = db.session.execute(
        select(SupervisionItem.id, SupervisionItem.code, SupervisionItem.state,
               SupervisionItem.lead_unit_id)
        .where(SupervisionItem.id.in_(list(notes))).order_by(SupervisionItem.id)
        .with_for_update()).all()
    passed = _passing([r for r in rows if r.state in states])
    if not passed:
        return []
    now = utcnow()
    db.session.execute(insert(Reminder), [
        {"item_id": r.id, "unit_id": r.lead_unit_id, "channel": ReminderChannel.SYSTEM,
         "note": notes[r.id], "automatic": True, "created_by_id": None, "created_at": now}
        for r in passed])
    audit.record_many([("remind", "item", r.code,
                        {"state": str(r.state), "channel": str(ReminderChannel.SYSTEM),
                         "note": notes[r.id], "automatic": True}) for r in passed])
    return [r.id for r in passed]


def _passing(rows):
    """The rows the workflow lets the system remind: its states, and — should the table ever
    give "remind" conditions — each whole item asked through `refusal`."""
    action = ACTIONS["remind"]
    rows = [r for r in rows if r.state in action.from_states]
    if action.requires:
        items = {i.id: i for i in db.session.scalars(select(SupervisionItem).where(
            SupervisionItem.id.in_([r.id for r in rows])))}
        rows = [r for r in rows if refusal(items[r.id], "remind", None) is None]
    return rows


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
