"""Recurrences (the office sets them up and stops them) and the item of each period (made by
the daily `tick` through the supervision services: 登记 then 交办)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from webapp.audit import services as audit
from webapp.auth.models import Role, User
from webapp.calendar.services import WorkCalendar
from webapp.database import local_today, utcnow
from webapp.errors import DomainError, InvalidInput, NotAllowed, NotFound, StateConflict
from webapp.extensions import db
from webapp.org.models import Unit
from webapp.people import services as people
from webapp.people.models import Person
from webapp.recurring import rules
from webapp.recurring.cadence import MAX_DAYS as MAX_CADENCE
from webapp.recurring.models import FeedbackCadence, Frequency, Recurrence, RecurringPeriod
from webapp.supervision import services as items
from webapp.supervision.models import ItemRole, Source, SupervisionItem, Urgency
from webapp.transaction import lock_row
from webapp.validation import LONG, SHORT, clean_text, parse_id

TITLE = SHORT - 20  # room for the period: 《…》（2026年第4季度）
WORKING_DAYS_PER_MONTH = 20


SEE = frozenset({Role.OFFICE, Role.LEADER, Role.ADMIN})  # who sees the recurrences


def may_see(actor: User) -> None:
    if actor.role not in SEE:
        raise NotAllowed("只有督办员、局领导和管理员可以查看周期事项")


def get_recurrence(rec_id: int, actor: User) -> Recurrence:
    may_see(actor)
    rec = db.session.get(Recurrence, rec_id)
    if rec is None:
        raise NotFound("找不到该周期事项")
    return rec


def all_recurrences() -> list[Recurrence]:
    """Running ones first, then stopped; newest first."""
    return list(db.session.scalars(select(Recurrence).order_by(
        Recurrence.stopped_at.is_not(None), Recurrence.id.desc())))


def _office(actor: User, what: str) -> None:
    if actor.role != Role.OFFICE:
        raise NotAllowed(f"只有督办员可以{what}")


def _unit(value: object, *, field: str, label: str) -> Unit:
    unit = db.session.get(Unit, parse_id(value, field=field, label=label))
    if unit is None or not unit.active:
        raise InvalidInput(f"{label}不存在", field=field)
    return unit


def deadline_of(rec: Recurrence) -> rules.Deadline:
    return rules.Deadline(rec.due_month, rec.due_day, rec.due_working_days)


def _deadline(frequency: Frequency, due_month: int | None, due_day: int | None,
              due_working_days: int | None) -> rules.Deadline:
    if (due_day is None) == (due_working_days is None):
        raise InvalidInput("请填写截止日期或第几个工作日（二选一）", field="due_day")
    months = rules.MONTHS[frequency]
    if due_working_days is not None:
        most = months * WORKING_DAYS_PER_MONTH
        if not 1 <= due_working_days <= most:
            raise InvalidInput(f"工作日天数应在 1 至 {most} 之间", field="due_working_days")
        return rules.Deadline(working_days=due_working_days)
    if not 1 <= due_day <= 31:
        raise InvalidInput("截止日应为 1 至 31 日", field="due_day")
    due_month = due_month or 1
    if not 1 <= due_month <= months:
        raise InvalidInput(f"截止月份应为周期内的第 1 至 {months} 个月", field="due_month")
    return rules.Deadline(due_month, due_day)


def create_recurrence(
    *,
    actor: User,
    title: str,
    content: str,
    frequency: Frequency,
    lead_unit: Unit | int,
    start_on: date | None,
    source: Source = Source.OTHER,
    urgency: Urgency = Urgency.NORMAL,
    requirements: str | None = None,
    assisting_units: Iterable[Unit | int] = (),
    supervising_leader: str | int | None = None,
    first_responsible: str | int | None = None,
    direct_responsible: str | int | None = None,
    due_day: int | None = None,
    due_month: int | None = None,
    due_working_days: int | None = None,
    end_on: date | None = None,
    cadence_days: int | None = None,
) -> Recurrence:
    """设置周期事项: what each period's item is, who handles it, and when it is due; the
    first period's item is made at once when it opens today."""
    _office(actor, "设置周期事项")
    title = clean_text(title, field="title", label="标题", max_len=TITLE, single_line=True)
    content = clean_text(content, field="content", label="事项内容", max_len=LONG)
    requirements = clean_text(requirements, field="requirements", label="办理要求",
                              required=False, max_len=LONG)
    if source == Source.LEADER_INSTRUCTION:
        raise InvalidInput("周期事项的来源不能选领导批示（批示请登记为单独的督办事项）",
                           field="source")
    lead = lead_unit if isinstance(lead_unit, Unit) else _unit(lead_unit, field="lead_unit",
                                                               label="承办单位")
    helpers = [u if isinstance(u, Unit) else _unit(u, field="assisting_units", label="协办单位")
               for u in assisting_units]
    deadline = _deadline(frequency, due_month, due_day, due_working_days)
    if start_on is None:
        raise InvalidInput("请填写开始日期", field="start_on")
    if start_on < local_today():
        raise InvalidInput("开始日期不能早于今天", field="start_on")
    if end_on is not None and end_on < start_on:
        raise InvalidInput("结束日期不能早于开始日期", field="end_on")
    if cadence_days is not None and not 1 <= cadence_days <= MAX_CADENCE:
        raise InvalidInput(f"进展报送周期应为 1 至 {MAX_CADENCE} 天", field="cadence_days")
    cal = WorkCalendar.around(start_on, days_before=40, days_after=800)
    horizon = min(end_on or date.max, start_on + timedelta(days=400))
    first = next(rules.periods(frequency, deadline, cal, start_on=start_on, end_on=end_on,
                               until=horizon), None)
    if first is None:
        raise InvalidInput("开始和结束日期之间没有一期的截止日期，请调整日期", field="end_on")
    rec = Recurrence(title=title, content=content, source=source, urgency=urgency,
                     requirements=requirements, lead_unit=lead, frequency=frequency,
                     due_month=deadline.month, due_day=deadline.day,
                     due_working_days=deadline.working_days, start_on=start_on, end_on=end_on,
                     cadence_days=cadence_days, created_by_id=actor.id, created_at=utcnow())
    rec.assisting_units = [u for u in dict.fromkeys(helpers) if u.id != lead.id]
    for role, value in ((ItemRole.SUPERVISING_LEADER, supervising_leader),
                        (ItemRole.FIRST_RESPONSIBLE, first_responsible),
                        (ItemRole.DIRECT_RESPONSIBLE, direct_responsible)):
        leader = role == ItemRole.SUPERVISING_LEADER
        found = people.resolve(None if leader else lead, value, field=role.value,
                               label=role.label, required=not leader)
        setattr(rec, role, found.name)
        setattr(rec, f"{role}_id", found.person_id)
    db.session.add(rec)
    db.session.flush()
    audit.record("recurrence.create", object_type="recurrence", object_id=rec.id, actor=actor,
                 details={"title": title, "lead_unit": lead.name,
                          "rule": deadline.describe(frequency), "start_on": start_on,
                          "end_on": end_on, "cadence_days": cadence_days,
                          "first_due": first.due})
    made = make_periods(local_today(), only=[rec])
    if made.problems:
        raise InvalidInput(made.problems[0], field="start_on")
    return rec


def stop_recurrence(rec: Recurrence, *, actor: User, reason: object) -> None:
    """停止: no more periods are made; the items made stay as they are."""
    _office(actor, "停止周期事项")
    lock_row(rec)
    if rec.stopped_at is not None:
        raise StateConflict("该周期事项已经停止", code="stopped")
    rec.stop_reason = clean_text(reason, field="reason", label="停止理由", max_len=LONG)
    rec.stopped_at = utcnow()
    audit.record("recurrence.stop", object_type="recurrence", object_id=rec.id, actor=actor,
                 details={"reason": rec.stop_reason, "periods": len(rec.periods)})


# --- the periods' items (called by the daily tick) --------------------------------------------


@dataclass
class Made:
    codes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def make_periods(today: date, cal: WorkCalendar | None = None, *,
                 only: Sequence[Recurrence] | None = None) -> Made:
    """Make the item of every period that has opened by `today` and has none yet, oldest
    first: after downtime the missed periods are made once, each with its own deadline. A
    period that cannot be made (its unit closed, no office account) is reported and kept
    for the next run; the recurrence's later periods wait behind it."""
    cal = cal or WorkCalendar.around(today)
    made = Made()
    recs = only if only is not None else db.session.scalars(
        select(Recurrence).where(Recurrence.stopped_at.is_(None), Recurrence.start_on <= today)
        .order_by(Recurrence.id)).all()
    for rec in recs:
        last = db.session.scalar(select(func.max(RecurringPeriod.period_start)).where(
            RecurringPeriod.recurrence_id == rec.id))
        for period in rules.periods(rec.frequency, deadline_of(rec), cal, start_on=rec.start_on,
                                    end_on=rec.end_on, until=today, after=last):
            label = rules.period_label(rec.frequency, period.start)
            try:
                with db.session.begin_nested():
                    made.codes.append(_make(rec, period, label, today))
            except DomainError as err:
                rec.last_error = f"{label}：{err.message}"
                made.problems.append(f"周期事项《{rec.title}》{label}未能生成：{err.message}")
                break
            rec.last_error = None
    return made


def _registrar(rec: Recurrence) -> User:
    """Who registers the periods' items: the office account that set the recurrence up, or
    (when it is gone) the first active office account."""
    user = db.session.get(User, rec.created_by_id)
    if user is not None and user.active and user.role == Role.OFFICE:
        return user
    other = db.session.scalar(select(User).where(User.role == Role.OFFICE,
                                                 User.active.is_(True)).order_by(User.id))
    if other is None:
        raise NotAllowed("没有可用的督办员账号")
    return other


def _who(person_id: int | None, name: str | None) -> int | str | None:
    """The person when still active, else the name (matched anew, or kept as text)."""
    person = db.session.get(Person, person_id) if person_id else None
    return person.id if person is not None and person.active else name


def _make(rec: Recurrence, period: rules.Period, label: str, today: date) -> str:
    actor = _registrar(rec)
    item = items.register_item(actor=actor, title=f"{rec.title}（{label}）", content=rec.content,
                               source=rec.source, urgency=rec.urgency,
                               requirements=rec.requirements, standing=True)
    items.assign_item(item, actor=actor, lead_unit=rec.lead_unit_id, due_date=period.due,
                      assisting_units=[u.id for u in rec.assisting_units],
                      supervising_leader=_who(rec.supervising_leader_id, rec.supervising_leader),
                      first_responsible=_who(rec.first_responsible_id, rec.first_responsible),
                      direct_responsible=_who(rec.direct_responsible_id, rec.direct_responsible),
                      not_before=period.opens)
    db.session.add(RecurringPeriod(recurrence_id=rec.id, period_start=period.start,
                                   item_id=item.id, created_at=utcnow()))
    if rec.cadence_days:  # counted from the day the item is made (late, after downtime)
        db.session.add(FeedbackCadence(item_id=item.id, every_days=rec.cadence_days,
                                       start_on=max(period.opens, today), set_at=utcnow()))
    db.session.flush()
    audit.record("recurrence.period", object_type="recurrence", object_id=rec.id,
                 details={"item": item.code, "period": label, "due_date": period.due})
    return item.code


def upcoming(rec: Recurrence, today: date, n: int = 3, cal: WorkCalendar | None = None
             ) -> list[tuple[str, rules.Period]]:
    """The next `n` periods not made yet, for the pages."""
    cal = cal or WorkCalendar.around(today)
    last = max((p.period_start for p in rec.periods), default=None)
    out = []
    for period in rules.periods(rec.frequency, deadline_of(rec), cal, start_on=rec.start_on,
                                end_on=rec.end_on, until=today + timedelta(days=400),
                                after=last):
        out.append((rules.period_label(rec.frequency, period.start), period))
        if len(out) == n:
            break
    return out


def period_of_item(item: SupervisionItem) -> RecurringPeriod | None:
    return db.session.scalar(select(RecurringPeriod).where(RecurringPeriod.item_id == item.id))
