"""`tick`: the day's reminders and escalation, as of a date, on the working-day calendar.

First the items of recurring periods that opened are made (webapp/recurring). Only items the
unit has (交办待签收, 办理中) are chased: one under review waits for the office.
Which rules apply is worked out per deadline (distinct due dates), not per item; each rule
applied to an item is an EscalationStep, unique per rule, item and deadline (per day for
repeats), so running `tick` twice for a day — or on a later day, catching up — repeats nothing.
A feedback cadence's progress reports are chased the same way, a step per report due day.
The actions are written in bulk: see `_act`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select

from webapp.audit import services as audit
from webapp.auth.models import Role, User
from webapp.calendar.services import WorkCalendar, missing_years
from webapp.database import local_today, utcnow
from webapp.errors import InvalidInput, NotAllowed
from webapp.escalation import milestones
from webapp.escalation.models import EscalationRule, EscalationStep
from webapp.escalation.rules import RULES
from webapp.extensions import db
from webapp.notify import services as notify
from webapp.supervision import reminders
from webapp.supervision.models import WITH_UNIT_STATES, SupervisionItem
from webapp.transaction import lock_key

log = logging.getLogger(__name__)


@dataclass
class Settings:
    working_days: int
    every: int | None
    active: bool


def settings() -> dict[str, Settings]:
    """Each rule's numbers: the office's, else the defaults."""
    stored = {r.key: r for r in db.session.scalars(select(EscalationRule))}
    out = {}
    for key, rule in RULES.items():
        row = stored.get(key)
        out[key] = Settings(row.working_days, row.every, row.active) if row else Settings(
            rule.working_days, rule.every, True)
    return out


@dataclass
class TickReport:
    today: date
    applied: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    missing_years: list[int] = field(default_factory=list)
    created: list[str] = field(default_factory=list)  # items of recurring periods
    problems: list[str] = field(default_factory=list)  # periods that could not be made

    def summary(self) -> str:
        parts = [f"新建周期事项 {len(self.created)} 件"] if self.created else []
        parts += [f"{RULES[k].label} {n} 件" for k, n in self.applied.items()]
        return "，".join(parts) or "无"


def _fires(key: str, s: Settings, offset: int) -> bool:
    """Whether rule `key` applies on a day `offset` working days from its date."""
    rule = RULES[key]
    if rule.working_days < 0:  # before the date: any day of the window (a step makes it once)
        return s.working_days <= offset <= 0
    if rule.every is None:
        return offset >= s.working_days
    return offset > s.working_days and (offset - s.working_days) % max(1, s.every or 1) == 0


def tick(today: date) -> TickReport:
    """The day's round: the items of recurring periods that opened, then every active rule
    due on `today` for the open items the units have, and for their progress reports."""
    from webapp.recurring import cadence
    from webapp.recurring import services as recurring

    lock_key("escalation-tick")  # two workers ticking at once: one waits, then finds it done
    report = TickReport(today, missing_years=missing_years(today))
    cal = WorkCalendar.around(today)
    made = recurring.make_periods(today, cal)
    report.created, report.problems = made.codes, made.problems
    rules = {k: s for k, s in settings().items() if s.active}
    for key, targets in _deadlines(rules, cal, today).items():
        _apply(key, targets, today, report)
    owed = {"cadence_soon": cadence.reports_due_soon, "cadence_missed": cadence.reports_missed}
    for key, find in owed.items():
        if key in rules:
            _apply_cadence(key, find(today, cal, rules[key].working_days), today, report)
    milestones.tick(today, {k: s for k, s in rules.items() if RULES[k].milestone}, cal, report,
                    fires=_fires)
    return report


def _deadlines(rules: dict[str, Settings], cal: WorkCalendar, today: date
               ) -> dict[str, list[tuple[date, int]]]:
    """{rule: [(deadline, working days from it to today)]}: worked out per distinct deadline
    and urgency of the items the units have, not per item."""
    dues = db.session.execute(
        select(SupervisionItem.due_date, SupervisionItem.urgency).distinct()
        .where(SupervisionItem.state.in_(WITH_UNIT_STATES), SupervisionItem.due_date.is_not(None))
    ).all()
    plan: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for due, urgency in dues:
        if not cal.start <= due <= cal.end:
            continue
        offset = cal.offset(due, today)
        for key, s in rules.items():
            rule = RULES[key]
            if rule.on == "deadline" and not rule.milestone \
                    and rule.urgency in (None, urgency) and _fires(key, s, offset):
                plan[key].append((due, offset))
    return plan


BATCH = 1000  # items whose actions are written together


@dataclass(frozen=True)
class Due:
    """A rule due on an item: the date it counts from (the item's deadline, or a progress
    report's due day) and the working days from that date to today."""

    facts: notify.ItemFacts
    date: date
    offset: int


def _apply(key: str, targets: list[tuple[date, int]], today: date, report: TickReport) -> None:
    """Rule `key` for every item it is due on `today`: selected in one query (no step yet for
    this deadline, or for this day when it repeats), then acted on in batches."""
    rule = RULES[key]
    offsets = dict(targets)
    repeat = rule.every is not None
    stmt = (notify.ItemFacts.select()
            .where(SupervisionItem.state.in_(WITH_UNIT_STATES),
                   SupervisionItem.due_date.in_(list(offsets))))
    if rule.urgency is not None:
        stmt = stmt.where(SupervisionItem.urgency == rule.urgency)
    done = select(EscalationStep.id).where(
        EscalationStep.item_id == SupervisionItem.id, EscalationStep.rule == key,
        EscalationStep.due_date == SupervisionItem.due_date,
        EscalationStep.on_day == (today if repeat else SupervisionItem.due_date))
    facts = [notify.ItemFacts.from_row(r) for r in db.session.execute(
        stmt.where(~done.exists()).order_by(SupervisionItem.id))]
    _act(key, [Due(f, f.due_date, offsets[f.due_date]) for f in facts], today, report)


def _apply_cadence(key: str, owed: list, today: date, report: TickReport) -> None:
    """Rule `key` for the progress reports owed (recurring.cadence.Owed) not acted on yet."""
    if not owed:
        return
    done = set(db.session.execute(select(EscalationStep.item_id, EscalationStep.due_date).where(
        EscalationStep.rule == key, EscalationStep.item_id.in_([o.item_id for o in owed]))))
    owed = {o.item_id: o for o in owed if (o.item_id, o.due) not in done}
    if not owed:
        return
    facts = [notify.ItemFacts.from_row(r) for r in db.session.execute(
        notify.ItemFacts.select().where(SupervisionItem.id.in_(list(owed)))
        .order_by(SupervisionItem.id))]
    _act(key, [Due(f, owed[f.id].due, owed[f.id].offset) for f in facts], today, report)


def _act(key: str, dues: list[Due], today: date, report: TickReport) -> None:
    """Take rule `key`'s action in batches, then record a step for each item acted on."""
    repeat = RULES[key].every is not None
    act = ACTIONS["repeat" if repeat else key]
    for start in range(0, len(dues), BATCH):
        batch = {d.facts.id: d for d in dues[start:start + BATCH]}
        taken = act(batch)
        now = utcnow()
        db.session.execute(insert(EscalationStep), [
            {"item_id": i, "rule": key, "due_date": batch[i].date,
             "on_day": today if repeat else batch[i].date, "overdue_days": batch[i].offset,
             "created_at": now} for i in taken])
        report.applied[key] += len(taken)


# Each action takes a batch {item id: Due} and returns the ids it acted on: a reminder goes
# through the item's gate (supervision/reminders.py), which skips an item that changed
# meanwhile (no longer with the unit, or for a progress report, no longer in progress).

def _remind_and_tell(batch: dict[int, Due], event: str, note, message,
                     states=WITH_UNIT_STATES) -> list[int]:
    taken = reminders.record_automatic({i: note(d) for i, d in batch.items()}, states=states)
    notify.send_many(event, [(notify.Subject(batch[i].facts), message(batch[i]))
                             for i in taken])
    return taken


def _due_soon(batch: dict[int, Due]) -> list[int]:
    return _remind_and_tell(batch, "due_soon", lambda d: f"将于 {d.date} 到期", lambda d: "")


def _first_overdue(batch: dict[int, Due]) -> list[int]:
    return _remind_and_tell(batch, "overdue", lambda d: f"已逾期 {d.offset} 个工作日",
                            lambda d: f"，已逾期{d.offset}个工作日")


def _repeat(batch: dict[int, Due]) -> list[int]:
    return _remind_and_tell(batch, "overdue",
                            lambda d: f"已逾期 {d.offset} 个工作日（重复催办）",
                            lambda d: f"，已逾期{d.offset}个工作日")


def _escalate(batch: dict[int, Due]) -> list[int]:
    audit.record_many([("escalate", "item", d.facts.code,
                        {"note": f"逾期 {d.offset} 个工作日，告知分管领导并列入通报",
                         "overdue_days": d.offset}) for d in batch.values()])
    notify.send_many("escalated", [(notify.Subject(d.facts), f"{d.offset}个工作日")
                                   for d in batch.values()])
    return list(batch)


def _cadence_soon(batch: dict[int, Due]) -> list[int]:
    from webapp.recurring.cadence import REPORTING_STATES

    return _remind_and_tell(batch, "cadence_due", lambda d: f"请于 {d.date} 前报送阶段进展",
                            lambda d: d.date.isoformat(), states=REPORTING_STATES)


def _cadence_missed(batch: dict[int, Due]) -> list[int]:
    from webapp.recurring.cadence import REPORTING_STATES

    return _remind_and_tell(batch, "cadence_missed",
                            lambda d: f"未按期报送阶段进展（应于 {d.date} 前报送）",
                            lambda d: d.date.isoformat(), states=REPORTING_STATES)


ACTIONS = {"due_soon": _due_soon, "first_overdue": _first_overdue, "escalate": _escalate,
           "repeat": _repeat, "cadence_soon": _cadence_soon, "cadence_missed": _cadence_missed}


# --- the office's settings -----------------------------------------------------------------


def update_rule(*, actor: User, key: str, working_days: int, every: int | None,
                active: bool) -> None:
    """The office (or admin) changes a rule's numbers or switches it off."""
    if actor.role not in (Role.OFFICE, Role.ADMIN):
        raise NotAllowed("只有督办员或管理员可以修改升级规则")
    rule = RULES.get(key)
    if rule is None:
        raise InvalidInput("规则不存在", field="key")
    before = rule.working_days < 0
    if not -30 <= working_days <= 60 or (working_days < 0) != before or working_days == 0:
        raise InvalidInput("工作日数应在到期前 1–30 天或逾期后 1–60 天之内", field="working_days")
    if rule.every is not None and (every is None or not 1 <= every <= 30):
        raise InvalidInput("重复间隔应为 1 至 30 个工作日", field="every")
    row = db.session.get(EscalationRule, key)
    if row is None:
        row = EscalationRule(key=key)
        db.session.add(row)
    row.working_days, row.every, row.active = working_days, every if rule.every else None, active
    row.updated_by_id, row.updated_at = actor.id, utcnow()
    db.session.flush()
    audit.record("escalation.rule", object_type="escalation_rule", object_id=key, actor=actor,
                 details={"working_days": working_days, "every": row.every, "active": active})


class DailyTick:
    """The worker's daily call: once a day (at start and when the local date changes) the
    day's reminders and escalation (`tick`), so nothing has to be put in cron. Idempotent
    across workers (tick is)."""

    def __init__(self) -> None:
        self.done: date | None = None

    def __call__(self) -> None:
        today = local_today()
        if self.done == today:
            return
        try:
            report = tick(today)
            db.session.commit()
        except Exception:
            log.exception("tick failed")
            db.session.rollback()
            return
        self.done = today
        log.info("tick %s: %s", today, report.summary())
        for problem in report.problems:
            log.warning("tick %s: %s", today, problem)
        for year in report.missing_years:
            log.warning("the holidays of %s are missing: counting Monday to Friday", year)
