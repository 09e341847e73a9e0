"""Statistics (统计) for a period, per lead unit, per responsible person or per source: a
handful of GROUP BY queries merged by key — never a loop over items.

Definitions, for the local dates [start, end]:
- due: items whose current (possibly extended) due date falls in the period, not cancelled;
- closed: of those, the items closed or archived; 报结率 = closed ÷ due;
- on_time: of the closed ones, those closed on or before the due date;
  按期办结率 = on_time ÷ closed;
- overdue_now: open items whose due date is before today (not bound to the period);
- reminders, returns (final feedback returned), hand_back_requests: rows dated in the period;
- avg_days_to_close: closed_on − local assignment date, over items closed in the period.
Per-unit counts of reminders, returns and hand-back requests go to the unit the row names
(the unit reminded, the unit that fed back, the unit that asked), which after a 转办 may differ
from the item's current lead unit. An item moved to another unit (转办, 调整) counts for the new
unit from the day of the move: one that fell due before the move counts, for that period, for
the unit that had it then (item_unit_change).

分解: a split item's sub-items count for their units (per unit and per person) and the split
item itself once, for the office (per source, where its sub-items do not count again). Returns
are counted per category (证据不足, 未按要求整改, 内容过于简略, 其他).
"""

from __future__ import annotations

import copy
import enum
import threading
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import Date, Integer, case, cast, func, select, true
from sqlalchemy.sql import ColumnElement

from webapp.audit import services as audit
from webapp.database import local_days_utc, local_today, local_zone
from webapp.errors import InvalidInput
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.org.models import Unit
from webapp.people.services import key_labels, person_key
from webapp.supervision.lights import overdue_condition
from webapp.supervision.models import (
    DONE_STATES,
    Feedback,
    HandBackRequest,
    ItemState,
    ItemUnitChange,
    Reminder,
    ReturnReason,
    ReviewState,
    Source,
    SupervisionItem,
)

MAX_PERIOD_DAYS = 3700  # about ten years: the data kept online
NONE_KEY = "-"
NONE_LABEL = "（未填写）"


class Group(Labelled):
    UNIT = "unit", "承办单位"
    FIRST_RESPONSIBLE = "first_responsible", "第一责任人"
    DIRECT_RESPONSIBLE = "direct_responsible", "直接责任人"
    SOURCE = "source", "事项来源"


RETURN_COUNTS = {r: f"returns_{r}" for r in ReturnReason}  # returns per category
COUNTS = ("due", "closed", "on_time", "overdue_now", "reminders", "returns",
          *RETURN_COUNTS.values(), "hand_back_requests")


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class StatRow:
    """One line of the table: a unit, a person or a source, or the totals."""

    key: str
    label: str
    due: int = 0
    closed: int = 0
    on_time: int = 0
    overdue_now: int = 0
    reminders: int = 0
    returns: int = 0
    returns_insufficient_evidence: int = 0  # 证据不足
    returns_not_as_required: int = 0  # 未按要求整改
    returns_too_brief: int = 0  # 内容过于简略
    returns_other: int = 0  # 其他
    hand_back_requests: int = 0
    closed_in_period: int = 0  # how many items the average below is over
    days_to_close_sum: int = field(default=0, repr=False)

    @property
    def closing_rate(self) -> float | None:
        """报结率 (0..1), None when nothing was due."""
        return _rate(self.closed, self.due)

    @property
    def on_time_rate(self) -> float | None:
        """按期办结率 (0..1), None when nothing was closed."""
        return _rate(self.on_time, self.closed)

    @property
    def returns_by_category(self) -> list[tuple[ReturnReason, int]]:
        """(category, count) for the categories that occurred."""
        return [(r, n) for r, name in RETURN_COUNTS.items() if (n := getattr(self, name))]

    @property
    def avg_days_to_close(self) -> float | None:
        if not self.closed_in_period:
            return None
        return round(self.days_to_close_sum / self.closed_in_period, 1)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("days_to_close_sum")
        data.pop("closed_in_period")
        data.update(closing_rate=self.closing_rate, on_time_rate=self.on_time_rate,
                    avg_days_to_close=self.avg_days_to_close)
        return data


@dataclass
class Statistics:
    start: date
    end: date
    group: Group
    rows: list[StatRow]
    totals: StatRow


# --- SQL pieces --------------------------------------------------------------------------


def _days_between_assignment_and_close() -> ColumnElement:
    """closed_on − local date of assigned_at, in whole days, on SQLite and PostgreSQL."""
    tz = current_app.config["TIMEZONE"]
    item = SupervisionItem
    if db.engine.dialect.name == "postgresql":
        return item.closed_on - cast(func.timezone(tz, item.assigned_at), Date)
    # SQLite keeps UTC text. Whole local days since the epoch are integer divisions of
    # unixepoch() (SQLite >= 3.38) shifted by the zone's current offset (fixed for
    # Asia/Shanghai): exact, and about a third of the cost of date() + julianday() per row.
    offset = datetime.now(local_zone()).utcoffset() or timedelta()

    def epoch(col):
        return func.unixepoch(col, type_=Integer)

    return (epoch(item.closed_on) // 86400
            - (epoch(item.assigned_at) + int(offset.total_seconds())) // 86400)


def _item_key(group: Group) -> ColumnElement:
    item = SupervisionItem
    return {
        Group.UNIT: item.lead_unit_id,
        # one key per person (their id when linked): "所长 张伟" and "张伟" count once
        Group.FIRST_RESPONSIBLE: person_key(item.first_responsible_id, item.first_responsible),
        Group.DIRECT_RESPONSIBLE: person_key(item.direct_responsible_id,
                                             item.direct_responsible),
        Group.SOURCE: item.source,
    }[group]


def _counted(group: Group) -> ColumnElement:
    """Which items a grouping counts (分解): per source the office's items — a split item
    once, not its sub-items; per person the units' items — the sub-items, not the split item.
    Per unit nothing is needed: a split item has no unit, so the unit seek leaves it out."""
    if group == Group.SOURCE:
        # "no parent" written so that SQLite does not seek the parent_id index for it (nearly
        # every item has no parent): the state / date / unit indexes stay the way in
        return func.coalesce(SupervisionItem.parent_id, 0) == 0
    if group in (Group.FIRST_RESPONSIBLE, Group.DIRECT_RESPONSIBLE):
        return SupervisionItem.split_at.is_(None)
    return true()


def _units_seek(key: ColumnElement, group: Group) -> ColumnElement:
    """Per unit: `key IN (every unit id)`, so that SQLite and PostgreSQL seek each unit's
    slice of the (unit, date, ...) covering indexes instead of scanning a table or the whole
    index (PostgreSQL has no skip-scan; SQLite skip-scans only after ANALYZE). Rows without a
    unit do not occur: due dates, reminders, feedback and hand-back requests all come with
    assignment to a unit."""
    if group != Group.UNIT:
        return true()
    return key.in_(list(db.session.scalars(select(Unit.id))))


def _event_counts(model, when, where: ColumnElement, group: Group, lo, hi) -> dict:
    """Count rows of `model` (reminder, feedback, hand-back) dated in [lo, hi) per key."""
    if group == Group.UNIT:
        key = model.unit_id
        stmt = select(key, func.count()).select_from(model).where(_units_seek(key, group))
    else:
        key = _item_key(group)
        stmt = select(key, func.count()).select_from(model).join(
            SupervisionItem, SupervisionItem.id == model.item_id)
    stmt = stmt.where(when >= lo, when < hi, where).group_by(key)
    return dict(db.session.execute(stmt).all())


def _return_counts(group: Group, lo, hi) -> dict[tuple, int]:
    """Returned final feedback reviewed in [lo, hi) per key and category (before categories
    existed: 其他)."""
    category = func.coalesce(Feedback.return_category, ReturnReason.OTHER.value)
    if group == Group.UNIT:
        key = Feedback.unit_id
        stmt = select(key, category, func.count()).where(_units_seek(key, group))
    else:
        key = _item_key(group)
        stmt = select(key, category, func.count()).select_from(Feedback).join(
            SupervisionItem, SupervisionItem.id == Feedback.item_id)
    stmt = stmt.where(Feedback.reviewed_at >= lo, Feedback.reviewed_at < hi,
                      Feedback.review_state == ReviewState.RETURNED).group_by(key, category)
    return {(k, c): n for k, c, n in db.session.execute(stmt)}


def _moved_after_due(start: date, end: date) -> list[tuple]:
    """Items due in [start, end] that moved to another unit after they fell due: (unit now,
    unit then, closed, on time). Few rows — moves are rare — so the per-unit index scans of
    the main query stay as they are and these are corrected after."""
    item, change = SupervisionItem, ItemUnitChange
    moved_later = select(change.id).where(change.item_id == item.id,
                                          change.changed_on > item.due_date)
    unit_then = (select(change.from_unit_id).where(change.item_id == item.id,
                                                   change.changed_on > item.due_date)
                 .order_by(change.changed_on, change.id).limit(1).scalar_subquery())
    is_done = item.state.in_(DONE_STATES)
    return db.session.execute(select(
        item.lead_unit_id, unit_then, is_done, is_done & (item.closed_on <= item.due_date))
        .where(item.id.in_(select(change.item_id)),  # from the few moved items
               item.due_date >= start, item.due_date <= end, item.state != ItemState.CANCELLED,
               moved_later.exists())).all()


def _norm(key) -> str:
    if key is None or key == "":
        return NONE_KEY
    return str(key.value if isinstance(key, enum.Enum) else key)


# --- the public function -----------------------------------------------------------------


_cache: dict[tuple, Statistics] = {}
_cache_lock = threading.Lock()
CACHE_SIZE = 64


def unit_statistics(start: date, end: date, group: Group | str = Group.UNIT) -> Statistics:
    """The statistics table for [start, end] grouped by `group`, with totals; rows sorted by
    most due, then most overdue, then label.

    Results are kept per process until the data changes (the audit chain's head moves) or the
    day does (overdue-now depends on today): viewing the same statistics again costs one
    indexed query instead of a scan of the period.
    """
    group = Group(group)
    if not current_app.config.get("STATS_CACHE", True):
        return _compute(start, end, group)
    key = (str(db.engine.url), start, end, group, local_today(), audit.chain_head())
    with _cache_lock:
        hit = _cache.get(key)
    if hit is None:
        hit = _compute(start, end, group)
        with _cache_lock:
            if len(_cache) >= CACHE_SIZE:
                _cache.pop(next(iter(_cache)))
            _cache[key] = hit
    return copy.deepcopy(hit)


def _compute(start: date, end: date, group: Group) -> Statistics:
    item = SupervisionItem
    key = _item_key(group)
    today = local_today()
    lo, hi = local_days_utc(start, end)
    rows: dict[str, StatRow] = {}

    def row(k) -> StatRow:
        k = _norm(k)
        return rows.setdefault(k, StatRow(key=k, label=k))

    is_done = item.state.in_(DONE_STATES)
    seek = _units_seek(key, group) & _counted(group)
    due = db.session.execute(
        select(key, func.count(),
               func.sum(case((is_done, 1), else_=0)),
               func.sum(case((is_done & (item.closed_on <= item.due_date), 1), else_=0)))
        .where(seek, item.due_date >= start, item.due_date <= end,
               item.state != ItemState.CANCELLED)
        .group_by(key)
    ).all()
    for k, n, closed, on_time in due:
        r = row(k)
        r.due, r.closed, r.on_time = n, int(closed or 0), int(on_time or 0)
    if group == Group.UNIT:
        for now, then, closed, on_time in _moved_after_due(start, end):
            for r, sign in ((row(now), -1), (row(then), 1)):
                r.due += sign
                r.closed += sign * int(bool(closed))
                r.on_time += sign * int(bool(on_time))

    overdue = db.session.execute(
        select(key, func.count())
        .where(seek, overdue_condition(today)).group_by(key))
    for k, n in overdue:
        row(k).overdue_now = n

    days = _days_between_assignment_and_close()
    closing = db.session.execute(
        select(key, func.count(item.assigned_at), func.sum(days))
        .where(seek, is_done, item.closed_on >= start, item.closed_on <= end).group_by(key))
    for k, n, total in closing:
        if n:
            r = row(k)
            r.closed_in_period, r.days_to_close_sum = n, int(total or 0)

    for name, counts in (
        ("reminders", _event_counts(Reminder, Reminder.created_at, true(), group, lo, hi)),
        ("hand_back_requests", _event_counts(HandBackRequest, HandBackRequest.requested_at,
                                             true(), group, lo, hi)),
    ):
        for k, n in counts.items():
            setattr(row(k), name, n)
    for (k, category), n in _return_counts(group, lo, hi).items():
        r = row(k)
        r.returns += n
        name = RETURN_COUNTS[ReturnReason(category)]
        setattr(r, name, getattr(r, name) + n)

    _label(rows, group)
    ordered = sorted(rows.values(),
                     key=lambda r: (-r.due, -r.overdue_now, r.key == NONE_KEY, r.label))
    return Statistics(start, end, group, ordered, _totals(ordered))


def _label(rows: dict[str, StatRow], group: Group) -> None:
    if group == Group.UNIT:
        ids = [int(k) for k in rows if k != NONE_KEY]
        names = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all()
                     ) if ids else {}
        for k, r in rows.items():
            r.label = names.get(int(k), k) if k != NONE_KEY else "（未交办）"
    elif group == Group.SOURCE:
        for k, r in rows.items():
            r.label = Source(k).label if k != NONE_KEY else NONE_LABEL
    else:
        labels = key_labels([k for k in rows if k != NONE_KEY])
        for k, r in rows.items():
            r.label = labels.get(k, k) if k != NONE_KEY else NONE_LABEL


def _totals(rows: list[StatRow]) -> StatRow:
    total = StatRow(key="total", label="合计")
    for r in rows:
        for name in (*COUNTS, "closed_in_period", "days_to_close_sum"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
    return total


# --- periods -----------------------------------------------------------------------------


class Period(Labelled):
    MONTH = "month", "本月"
    QUARTER = "quarter", "本季度"
    YEAR = "year", "本年"
    CUSTOM = "custom", "自定义"


def period_bounds(period: Period, today: date) -> tuple[date, date]:
    """First and last day of the month, quarter or year containing `today`."""
    if period == Period.YEAR:
        return date(today.year, 1, 1), date(today.year, 12, 31)
    first_month = today.month if period == Period.MONTH else 3 * ((today.month - 1) // 3) + 1
    start = date(today.year, first_month, 1)
    months = 1 if period == Period.MONTH else 3
    nxt = date(start.year + (start.month + months - 1) // 12, (start.month + months - 1) % 12 + 1,
               1)
    return start, nxt - timedelta(days=1)


def check_period(start: date, end: date) -> None:
    """Refuse an inverted or absurdly long period (422 with the field)."""
    if end < start:
        raise InvalidInput("结束日期不能早于开始日期", field="end")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise InvalidInput("统计期间不能超过十年", field="end")

