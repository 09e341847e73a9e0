"""进展报送周期 (每周一报进展): the office asks an item's lead unit for a progress report every N
days; which reports are owed on a day, for the daily round (webapp/escalation) to remind and
chase. The rule of report days is in recurring/rules.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from webapp.audit import services as audit
from webapp.auth.models import Role, User
from webapp.calendar.services import WorkCalendar
from webapp.database import local_date, local_today, utcnow
from webapp.errors import InvalidInput, NotAllowed, StateConflict
from webapp.extensions import db
from webapp.recurring import rules
from webapp.recurring.models import FeedbackCadence
from webapp.supervision.models import OPEN_STATES, Feedback, SupervisionItem
from webapp.supervision.workflow import ACTIONS
from webapp.transaction import lock_row

MAX_DAYS = 92  # a quarter

# The states in which the unit can send a progress report: only then is one owed.
REPORTING_STATES = ACTIONS["submit_progress"].from_states


def describe(every_days: int) -> str:
    if every_days == 7:
        return "每周报送一次阶段进展"
    if every_days % 7 == 0:
        return f"每 {every_days // 7} 周报送一次阶段进展"
    return f"每 {every_days} 天报送一次阶段进展"


def active_for(item: SupervisionItem) -> FeedbackCadence | None:
    row = db.session.get(FeedbackCadence, item.id)
    return row if row is not None and row.stopped_at is None else None


def set_cadence(item: SupervisionItem, *, actor: User, every_days: object) -> FeedbackCadence:
    """The office asks the lead unit for progress every N days, counted from today."""
    lock_row(item)
    if actor.role != Role.OFFICE:
        raise NotAllowed("只有督办员可以设置进展报送周期")
    if item.state not in OPEN_STATES:
        raise StateConflict(f"事项当前状态为“{item.state.label}”，不能设置进展报送周期",
                            code="invalid_state")
    if not isinstance(every_days, int) or isinstance(every_days, bool) \
            or not 1 <= every_days <= MAX_DAYS:
        raise InvalidInput(f"进展报送周期应为 1 至 {MAX_DAYS} 天", field="every_days")
    row = db.session.get(FeedbackCadence, item.id)
    if row is None:
        row = FeedbackCadence(item_id=item.id)
        db.session.add(row)
    row.every_days, row.start_on, row.set_by_id = every_days, local_today(), actor.id
    row.set_at, row.stopped_at = utcnow(), None
    db.session.flush()
    audit.record("cadence", object_type="item", object_id=item.code, actor=actor,
                 details={"note": describe(every_days), "every_days": every_days})
    return row


def stop_cadence(item: SupervisionItem, *, actor: User) -> None:
    lock_row(item)
    if actor.role != Role.OFFICE:
        raise NotAllowed("只有督办员可以停止定期报送")
    row = active_for(item)
    if row is None:
        raise StateConflict("该事项没有设置进展报送周期", code="no_cadence")
    row.stopped_at = utcnow()
    audit.record("cadence", object_type="item", object_id=item.code, actor=actor,
                 details={"note": "停止定期报送阶段进展"})


def next_report(row: FeedbackCadence, today: date) -> rules.Report:
    return rules.next_report(row.start_on, row.every_days, WorkCalendar.around(today), today)


@dataclass(frozen=True)
class Owed:
    """A progress report an item owes: due by `due`, `offset` working days from it today."""

    item_id: int
    due: date
    offset: int


def _cadences():
    """(item id, every, start, last report sent) of the active cadences the unit can answer."""
    sent = (select(func.max(Feedback.submitted_at)).where(
        Feedback.item_id == FeedbackCadence.item_id,
        Feedback.unit_id == SupervisionItem.lead_unit_id).correlate(
            FeedbackCadence, SupervisionItem).scalar_subquery())
    return db.session.execute(
        select(FeedbackCadence.item_id, FeedbackCadence.every_days, FeedbackCadence.start_on,
               sent).join(SupervisionItem, SupervisionItem.id == FeedbackCadence.item_id)
        .where(FeedbackCadence.stopped_at.is_(None), SupervisionItem.state.in_(REPORTING_STATES))
        .order_by(FeedbackCadence.item_id)).all()


def _unsent(report: rules.Report | None, last_sent) -> bool:
    return report is not None and (last_sent is None or local_date(last_sent) < report.since)


def reports_due_soon(today: date, cal: WorkCalendar, working_days: int) -> list[Owed]:
    """Reports due within `working_days` (≤ 0) working days from today, not sent yet."""
    out = []
    for item_id, every, start, last_sent in _cadences():
        report = rules.next_report(start, every, cal, today)
        offset = cal.offset(report.due, today)
        if working_days <= offset <= 0 and _unsent(report, last_sent):
            out.append(Owed(item_id, report.due, offset))
    return out


def reports_missed(today: date, cal: WorkCalendar, working_days: int) -> list[Owed]:
    """The latest report due `working_days` or more working days ago, and not sent."""
    out = []
    for item_id, every, start, last_sent in _cadences():
        report = rules.last_report(start, every, cal, today, working_days)
        if _unsent(report, last_sent):
            out.append(Owed(item_id, report.due, cal.offset(report.due, today)))
    return out
