"""Figures (数字): every number the dashboard and the statistics show about items is defined
here ONCE, as a SQL condition on items — the same condition counts it and lists it, so a number
opens the list that produced it and that list's total equals the number.

A figure is selected by `FigureSpec`: which figure (open, overdue, due soon, due / closed /
closed on time in a period), optionally narrowed to an overdue-days bucket and to one line of a
statistics grouping (a unit, a person, a source) — with the grouping's rules from stats.py:
per unit, an item that moved to another unit after it fell due counts (for due / closed / on
time) for the unit that had it then; per person the split item itself does not count (its
sub-items do); per source the sub-items do not count (the split item does, once).

Without a grouping ("everything"), figures count the units' work: sub-items count, the split
item itself does not (it is never overdue either; its sub-items are).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
)

from webapp.errors import InvalidInput
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.supervision.lights import Light, light_condition, overdue_condition
from webapp.supervision.models import (
    DONE_STATES,
    OPEN_STATES,
    ItemDueDay,
    ItemState,
    ItemUnitChange,
    SupervisionItem,
)
from webapp.supervision.stats import (
    NONE_KEY,
    Group,
    _counted,
    _item_key,
    _norm,
)


class Figure(Labelled):
    OPEN = "open", "在办事项"
    OVERDUE = "overdue", "当前逾期"
    DUE_SOON = "due_soon", "即将到期"
    DUE = "due", "应办结"
    CLOSED = "closed", "已报结"
    ON_TIME = "on_time", "按期办结"


PERIOD_FIGURES = frozenset({Figure.DUE, Figure.CLOSED, Figure.ON_TIME})


class Bucket(Labelled):
    """Days overdue (today − due date)."""

    WEEK = "1-7", "逾期1—7天"
    MONTH = "8-30", "逾期8—30天"
    QUARTER = "31-90", "逾期31—90天"
    LONGER = "91-", "逾期90天以上"


BUCKET_DAYS: dict[Bucket, tuple[int, int | None]] = {
    Bucket.WEEK: (1, 7), Bucket.MONTH: (8, 30), Bucket.QUARTER: (31, 90),
    Bucket.LONGER: (91, None)}


@dataclass(frozen=True)
class FigureSpec:
    figure: Figure
    start: date | None = None
    end: date | None = None
    group: Group | None = None
    key: str | None = None  # a line of the grouping; None: the grouping's totals
    bucket: Bucket | None = None

    def args(self) -> dict[str, str]:
        """The query string that selects this figure (for /items and /api/v1/items)."""
        out = {"figure": self.figure.value}
        if self.start:
            out["start"] = self.start.isoformat()
        if self.end:
            out["end"] = self.end.isoformat()
        if self.group:
            out["group"] = self.group.value
        if self.key is not None:
            out["key"] = self.key
        if self.bucket:
            out["bucket"] = self.bucket.value
        return out


def check(spec: FigureSpec) -> None:
    """Refuse combinations that select nothing meaningful (422 with the field)."""
    if spec.figure in PERIOD_FIGURES and (spec.start is None or spec.end is None):
        raise InvalidInput("该数字需要统计期间（start 和 end）", field="start")
    if spec.start and spec.end and spec.end < spec.start:
        raise InvalidInput("结束日期不能早于开始日期", field="end")
    if spec.bucket and spec.figure != Figure.OVERDUE:
        raise InvalidInput("逾期天数分段只用于当前逾期", field="bucket")
    if spec.key is not None and spec.group is None:
        raise InvalidInput("指定统计对象时需要统计口径（group）", field="group")


def _unit_then() -> ColumnElement:
    """The unit that had the item on its due date: the first move after that day names it."""
    item, change = SupervisionItem, ItemUnitChange
    return (select(change.from_unit_id).where(change.item_id == item.id,
                                              change.changed_on > item.due_date)
            .order_by(change.changed_on, change.id).limit(1).scalar_subquery())


def _moved_after_due_cond() -> ColumnElement[bool]:
    item, change = SupervisionItem, ItemUnitChange
    return exists().where(change.item_id == item.id, change.changed_on > item.due_date)


def _scope(spec: FigureSpec) -> ColumnElement[bool]:
    """Which items the grouping (and its line, if any) counts."""
    item = SupervisionItem
    if spec.group is None:
        return item.split_at.is_(None)
    group = spec.group
    counted = _counted(group)
    if group == Group.UNIT:
        counted = and_(counted, item.lead_unit_id.is_not(None))
    if spec.key is None:
        return counted
    if group == Group.UNIT:
        if not spec.key.isdigit() or len(spec.key) > 9:
            raise InvalidInput("承办单位取值无效", field="key")
        unit = int(spec.key)
        if spec.figure in PERIOD_FIGURES:  # the unit that had it when it fell due
            moved = _moved_after_due_cond()
            return and_(counted, or_(and_(item.lead_unit_id == unit, ~moved),
                                     and_(moved, _unit_then() == unit)))
        return and_(counted, item.lead_unit_id == unit)
    key = _item_key(group)
    if spec.key == NONE_KEY:
        return and_(counted, or_(key.is_(None), key == literal("")))
    return and_(counted, key == spec.key)


def _base(spec: FigureSpec, today: date, yellow_days: int) -> ColumnElement[bool]:
    item = SupervisionItem
    f = spec.figure
    if f == Figure.OPEN:
        return item.state.in_(OPEN_STATES)
    if f == Figure.OVERDUE:
        cond = overdue_condition(today)
        if spec.bucket:
            lo, hi = BUCKET_DAYS[spec.bucket]
            cond = and_(cond, item.due_date <= today - timedelta(days=lo))
            if hi is not None:
                cond = and_(cond, item.due_date >= today - timedelta(days=hi))
        return cond
    if f == Figure.DUE_SOON:
        return light_condition(Light.YELLOW, today=today, yellow_days=yellow_days)
    due = and_(item.due_date >= spec.start, item.due_date <= spec.end,
               item.state != ItemState.CANCELLED)
    if f == Figure.DUE:
        return due
    done = and_(due, item.state.in_(DONE_STATES))
    if f == Figure.CLOSED:
        return done
    return and_(done, item.closed_on <= item.due_date)  # ON_TIME


def condition(spec: FigureSpec, *, today: date, yellow_days: int) -> ColumnElement[bool]:
    """The SQL condition selecting exactly the items of `spec`."""
    check(spec)
    return and_(_base(spec, today, yellow_days), _scope(spec))


def count(spec: FigureSpec, *, today: date, yellow_days: int) -> int:
    stmt = select(func.count(SupervisionItem.id))
    return db.session.scalar(stmt.where(
        condition(spec, today=today, yellow_days=yellow_days))) or 0


# --- grouped counts (one GROUP BY each, never a loop over items) -----------------------------


def _int(cond: ColumnElement[bool]) -> ColumnElement:
    return case((cond, 1), else_=0)


def overdue_by_bucket(today: date) -> dict[Bucket, int]:
    """Items overdue now (everything) per days-overdue bucket."""
    item = SupervisionItem
    counts = dict.fromkeys(Bucket, 0)
    rows = db.session.execute(
        select(item.due_date, func.count()).where(overdue_condition(today),
                                                 item.split_at.is_(None))
        .group_by(item.due_date))
    for due, n in rows:
        days = (today - due).days
        for bucket, (lo, hi) in BUCKET_DAYS.items():
            if days >= lo and (hi is None or days <= hi):
                counts[bucket] += n
    return counts


@dataclass
class OpenCounts:
    """The open-item figures of the dashboard, read in one pass over the open items."""

    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    buckets: dict[Bucket, int] = field(default_factory=lambda: dict.fromkeys(Bucket, 0))
    by_source: dict[str, int] = field(default_factory=dict)  # open, per source (its scope)
    overdue_by_unit: dict[str, int] = field(default_factory=dict)


def open_counts(today: date, yellow_days: int) -> OpenCounts:
    """Open, overdue (and per days-overdue bucket), due soon, open per source and overdue per
    unit: ONE grouped statement over the open items' covering index, each column summing the
    very condition (`condition`) that lists its figure, so counts and lists agree."""
    item = SupervisionItem

    def n(spec: FigureSpec) -> ColumnElement:
        return func.sum(_int(condition(spec, today=today, yellow_days=yellow_days)))

    unit_overdue = FigureSpec(Figure.OVERDUE, group=Group.UNIT)
    if db.session.get_bind().dialect.name == "sqlite":
        return _open_counts_apart(today, yellow_days)
    columns = [n(FigureSpec(Figure.OPEN)), n(FigureSpec(Figure.OVERDUE)),
               n(FigureSpec(Figure.DUE_SOON)),
               *(n(FigureSpec(Figure.OVERDUE, bucket=b)) for b in Bucket),
               n(FigureSpec(Figure.OPEN, group=Group.SOURCE)), n(unit_overdue)]
    # grouped by expressions, so that SQLite reads the open items' index rather than scanning
    # every item in unit order to save a sort
    unit_key, source_key = func.coalesce(item.lead_unit_id, 0), func.coalesce(item.source, "")
    out = OpenCounts()
    for unit, source, *sums in db.session.execute(
            select(unit_key, source_key, *columns)
            .where(item.state.in_(OPEN_STATES)).group_by(unit_key, source_key)):
        o, late, soon, *rest = (int(v or 0) for v in sums)
        *buckets, by_source, unit_late = rest
        out.open += o
        out.overdue += late
        out.due_soon += soon
        for b, v in zip(Bucket, buckets, strict=True):
            out.buckets[b] += v
        if by_source:
            k = _norm(source)
            out.by_source[k] = out.by_source.get(k, 0) + by_source
        if unit_late and unit:
            k = _norm(unit)
            out.overdue_by_unit[k] = out.overdue_by_unit.get(k, 0) + unit_late
    return out


def _open_counts_apart(today: date, yellow_days: int) -> OpenCounts:
    """open_counts in statements of their own (SQLite, in process: no round trips to save,
    and each count seeks its slice of the open items' index instead of grouping them all)."""
    item = SupervisionItem
    out = OpenCounts(
        open=count(FigureSpec(Figure.OPEN), today=today, yellow_days=yellow_days),
        overdue=count(FigureSpec(Figure.OVERDUE), today=today, yellow_days=yellow_days),
        due_soon=count(FigureSpec(Figure.DUE_SOON), today=today, yellow_days=yellow_days),
        buckets={b: count(FigureSpec(Figure.OVERDUE, bucket=b), today=today,
                          yellow_days=yellow_days) for b in Bucket},
        by_source=open_by(Group.SOURCE))
    # grouped by an expression, so that SQLite reads the open items' index rather than
    # skip-scanning every unit's past items to save a sort
    unit = func.coalesce(item.lead_unit_id, 0)
    out.overdue_by_unit = {_norm(k): n for k, n in db.session.execute(
        select(unit, func.count()).where(condition(
            FigureSpec(Figure.OVERDUE, group=Group.UNIT), today=today, yellow_days=yellow_days))
        .group_by(unit)) if k}
    return out


def open_by(group: Group) -> dict[str, int]:
    """Open items per line of a grouping (e.g. per source)."""
    key = _item_key(group)
    scope = _scope(FigureSpec(Figure.OPEN, group=group))
    return {_norm(k): n for k, n in db.session.execute(
        select(key, func.count()).where(SupervisionItem.state.in_(OPEN_STATES), scope)
        .group_by(key))}


@dataclass
class UnitLine:
    key: str
    due: int = 0
    closed: int = 0
    on_time: int = 0
    overdue: int = 0


@dataclass
class PeriodCounts:
    """Due, closed and closed on time per unit over the whole span (stats.py's rule for items
    moved after they fell due) and per period of the span (all units), with overdue now per
    unit."""

    units: dict[str, UnitLine]
    periods: list[tuple[int, int, int]]  # (due, closed, on time) for each (first, last)


def period_counts(periods: list[tuple[date, date]], today: date,
                  overdue_by_unit: dict[str, int] | None = None) -> PeriodCounts:
    """item_due_day (at most units x days rows, whatever the number of items) per unit and
    per period (one statement on PostgreSQL, two passes on SQLite); the moved items'
    correction; overdue now per unit (one GROUP BY over the open items' index, unless the
    caller has it from `open_counts`). `periods` are consecutive (first, last) days."""
    item, day = SupervisionItem, ItemDueDay
    start, end = periods[0][0], periods[-1][1]
    lines: dict[str, UnitLine] = {}

    def line(k) -> UnitLine:
        k = _norm(k)
        return lines.setdefault(k, UnitLine(k))

    in_span = and_(day.due_date >= start, day.due_date <= end)
    totals = [[0, 0, 0] for _ in periods]
    sums = (func.sum(day.due), func.sum(day.closed), func.sum(day.on_time))
    if db.session.get_bind().dialect.name == "sqlite":
        # in process, two index-ordered passes beat one that computes each row's period
        for k, n, closed, on_time in db.session.execute(
                select(day.unit_id, *sums).where(in_span).group_by(day.unit_id)):
            r = line(k)
            r.due, r.closed, r.on_time = int(n or 0), int(closed or 0), int(on_time or 0)
        firsts = [first for first, _ in periods]
        i = 0
        for d, n, closed, on_time in db.session.execute(
                select(day.due_date, *sums).where(in_span).group_by(day.due_date)
                .order_by(day.due_date)):
            while i + 1 < len(firsts) and d >= firsts[i + 1]:
                i += 1
            t = totals[i]
            t[0], t[1] = t[0] + int(n or 0), t[1] + int(closed or 0)
            t[2] += int(on_time or 0)
    else:
        # one round trip: per unit and period (the period of a day: the number of periods
        # that start on or before it, less one)
        index = literal(0)
        if len(periods) > 1:
            index = case(*((day.due_date < first, i)
                           for i, (first, _) in enumerate(periods[1:])), else_=len(periods) - 1)
        for k, i, n, closed, on_time in db.session.execute(
                select(day.unit_id, index, *sums).where(in_span).group_by(day.unit_id, index)):
            n, closed, on_time = int(n or 0), int(closed or 0), int(on_time or 0)
            r = line(k)
            r.due, r.closed, r.on_time = r.due + n, r.closed + closed, r.on_time + on_time
            t = totals[int(i)]
            t[0], t[1], t[2] = t[0] + n, t[1] + closed, t[2] + on_time
    for now, then, closed, on_time in _moved_after_due_from_changes(start, end):
        for r, sign in ((line(now), -1), (line(then), 1)):
            r.due += sign
            r.closed += sign * int(bool(closed))
            r.on_time += sign * int(bool(on_time))
    if overdue_by_unit is None:
        # grouped by an expression, so that SQLite reads the open items' index rather than
        # skip-scanning every unit's past items to save a sort
        unit = func.coalesce(item.lead_unit_id, 0)
        overdue_by_unit = {_norm(k): n for k, n in db.session.execute(
            select(unit, func.count()).where(overdue_condition(today)).group_by(unit)) if k}
    for k, n in overdue_by_unit.items():
        line(k).overdue = n
    return PeriodCounts({k: v for k, v in lines.items() if v.due or v.overdue},
                        [(t[0], t[1], t[2]) for t in totals])


def _moved_after_due_from_changes(start: date, end: date) -> list[tuple]:
    """stats._moved_after_due, read from the (few) unit changes after `start` rather than from
    the items due in the period: (unit now, unit then, closed, on time)."""
    item, change = SupervisionItem, ItemUnitChange
    # the items' period and state checked on the rows the changes lead to, not in the join:
    # PostgreSQL's generic plan (a prepared statement) would otherwise read the period's items
    moved = (select(change.item_id).join(item, item.id == change.item_id)
             .where(change.changed_on > start, change.changed_on > item.due_date)
             .distinct().subquery())
    is_done = item.state.in_(DONE_STATES)
    return db.session.execute(
        select(item.lead_unit_id, _unit_then(), is_done,
               and_(is_done, item.closed_on <= item.due_date))
        .join(moved, moved.c.item_id == item.id)
        .where(item.due_date >= start, item.due_date <= end,
               item.state != ItemState.CANCELLED)).all()


def due_day_differences() -> list[tuple[int, date, tuple, tuple]]:
    """(unit, day, counts kept, counts from the items) wherever item_due_day disagrees with
    the items — empty when it is right."""
    item, day = SupervisionItem, ItemDueDay
    is_done = item.state.in_(DONE_STATES)
    actual = {(u, d): (n, int(c or 0), int(t or 0)) for u, d, n, c, t in db.session.execute(
        select(item.lead_unit_id, item.due_date, func.count(), func.sum(_int(is_done)),
               func.sum(_int(and_(is_done, item.closed_on <= item.due_date))))
        .where(item.lead_unit_id.is_not(None), item.due_date.is_not(None),
               item.state != ItemState.CANCELLED)
        .group_by(item.lead_unit_id, item.due_date))}
    kept = {(u, d): (n, c, t) for u, d, n, c, t in db.session.execute(
        select(day.unit_id, day.due_date, day.due, day.closed, day.on_time))
        if (n, c, t) != (0, 0, 0)}
    return [(u, d, kept.get((u, d), (0, 0, 0)), actual.get((u, d), (0, 0, 0)))
            for u, d in sorted(set(actual) | set(kept))
            if kept.get((u, d), (0, 0, 0)) != actual.get((u, d), (0, 0, 0))]


def rebuild_due_days() -> None:
    """Recount item_due_day from the items (in the caller's transaction)."""
    item, day = SupervisionItem, ItemDueDay
    is_done = item.state.in_(DONE_STATES)
    db.session.execute(delete(day))
    db.session.execute(insert(day).from_select(
        ["unit_id", "due_date", "due", "closed", "on_time"],
        select(item.lead_unit_id, item.due_date, func.count(), func.sum(_int(is_done)),
               func.sum(_int(and_(is_done, item.closed_on <= item.due_date))))
        .where(item.lead_unit_id.is_not(None), item.due_date.is_not(None),
               item.state != ItemState.CANCELLED)
        .group_by(item.lead_unit_id, item.due_date)))
