"""A period's scores: the facts read from the items (a few queries, no loop of queries over
items), turned into reason lines by scores/rules.py, and the decided appeals applied.

Which items count (the house definitions of supervision/stats.py where they apply):
- 逾期: items whose current (possibly extended) due date falls in the period, not cancelled,
  late by the rule of supervision/lights.py — days overdue run from the due date to the day
  the unit's 办结反馈 arrived (for closed items and items under review), or to today while
  the unit still has the item. An item moved to another unit (转办, 调整) after it fell due
  counts for the unit that had it then (item_unit_change); otherwise for its lead unit.
- 反馈被退回重办: final feedback returned on a day of the period, for the unit that sent it.
- 通报批评 / 表扬: the office's records dated in the period.
- 提前办结: items closed on a day of the period, `early_days` or more before their due date.
分解: sub-items count for their units; a split parent has no unit and counts for none.
A frozen period reads its snapshot instead: later data does not change it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, func, or_, select

from webapp.database import local_date, local_days_utc, local_today
from webapp.extensions import db
from webapp.org.models import Unit
from webapp.scores import rules as R
from webapp.scores.models import (
    AppealState,
    CitationKind,
    ReasonKind,
    ScoreAppeal,
    ScorePeriod,
    ScoreSnapshot,
    UnitCitation,
)
from webapp.supervision.models import (
    DONE_STATES,
    REVIEW_STATES,
    WITH_UNIT_STATES,
    Feedback,
    ItemState,
    ItemUnitChange,
    ReviewState,
    SupervisionItem,
)

ORDER = list(ReasonKind)  # the order of the lines on a page


@dataclass
class Entry:
    """One thing behind a reason line: an item (its code) or an office record."""

    code: str | None
    title: str
    note: str
    points: float

    def as_dict(self) -> dict:
        return {"code": self.code, "title": self.title, "note": self.note,
                "points": self.points}


@dataclass
class Line:
    """A reason line: what it counts, its points (signed), how many and which."""

    kind: ReasonKind
    points: float
    count: int
    detail: str
    entries: list[Entry]
    adjusted: float | None = None  # the points an accepted appeal decided
    appeal_id: int | None = None  # that appeal

    @property
    def effective(self) -> float:
        return self.points if self.adjusted is None else self.adjusted

    def as_dict(self) -> dict:
        return {"kind": self.kind.value, "points": self.points, "count": self.count,
                "detail": self.detail, "entries": [e.as_dict() for e in self.entries]}

    @classmethod
    def from_dict(cls, data: dict) -> Line:
        return cls(kind=ReasonKind(data["kind"]), points=data["points"], count=data["count"],
                   detail=data["detail"], entries=[Entry(**e) for e in data["entries"]])


@dataclass
class UnitScore:
    unit_id: int
    unit_name: str
    lines: list[Line]
    total: float = 0.0
    rank: int = 0
    appeals: list[ScoreAppeal] = field(default_factory=list)

    def line(self, kind: ReasonKind) -> Line | None:
        return next((ln for ln in self.lines if ln.kind == kind), None)


@dataclass
class PeriodResult:
    period: ScorePeriod
    rules: R.Rules
    rows: list[UnitScore]  # ranked, highest first
    live: bool  # computed now from the data, or the frozen snapshot

    def row(self, unit_id: int) -> UnitScore | None:
        return next((r for r in self.rows if r.unit_id == unit_id), None)


# --- plain rules on one item -------------------------------------------------------------


def days_overdue(state: ItemState, due_date: date, final_feedback_on: date | None,
                 closed_on: date | None, *, today: date) -> int:
    """Days past the due date the unit took (0: not late), by the rule of lights.is_overdue:
    until its 办结反馈 arrived, or until today while it still has the item."""
    if state in WITH_UNIT_STATES:
        end = today
    elif state in REVIEW_STATES:
        end = final_feedback_on or today
    elif state in DONE_STATES:
        end = final_feedback_on or closed_on
    else:
        return 0
    return max(0, (end - due_date).days) if end else 0


def days_early(due_date: date, closed_on: date) -> int:
    return (due_date - closed_on).days


# --- the facts -----------------------------------------------------------------------------


def _counted_items():
    item = SupervisionItem
    return (item.state != ItemState.CANCELLED, item.split_at.is_(None),
            item.lead_unit_id.is_not(None), item.due_date.is_not(None))


def _units_then(rows) -> dict[int, int]:
    """item id -> the unit that had it when it fell due, for items moved after that day."""
    due = {r.id: r.due_date for r in rows}
    if not due:
        return {}
    changes = db.session.execute(
        select(ItemUnitChange.item_id, ItemUnitChange.from_unit_id, ItemUnitChange.changed_on)
        .where(ItemUnitChange.item_id.in_(list(due)))
        .order_by(ItemUnitChange.changed_on, ItemUnitChange.id)).all()
    then: dict[int, int] = {}
    for item_id, from_unit, changed_on in changes:
        if changed_on > due[item_id] and item_id not in then:
            then[item_id] = from_unit
    return then


def _late() -> ColumnElement[bool]:
    """`days_overdue(...) > 0` as SQL, for items due before today (the rows to read)."""
    item = SupervisionItem
    feedback_late = or_(item.final_feedback_on.is_(None), item.final_feedback_on > item.due_date)
    return or_(item.state.in_(WITH_UNIT_STATES),
               and_(item.state.in_(REVIEW_STATES), feedback_late),
               and_(item.state.in_(DONE_STATES),
                    func.coalesce(item.final_feedback_on, item.closed_on) > item.due_date))


def overdue_facts(start: date, end: date, today: date) -> dict[int, list[tuple]]:
    """unit id -> [(code, title, days overdue)] for the period's late items."""
    item = SupervisionItem
    rows = db.session.execute(
        select(item.id, item.code, item.title, item.lead_unit_id, item.state, item.due_date,
               item.final_feedback_on, item.closed_on)
        .where(*_counted_items(), item.due_date >= start, item.due_date <= end,
               item.due_date < today, _late())
        .order_by(item.due_date, item.id)).all()
    late = [(r, n) for r in rows
            if (n := days_overdue(r.state, r.due_date, r.final_feedback_on, r.closed_on,
                                  today=today)) > 0]
    then = _units_then([r for r, _ in late])
    facts: dict[int, list[tuple]] = defaultdict(list)
    for r, n in late:
        facts[then.get(r.id, r.lead_unit_id)].append((r.code, r.title, n))
    return facts


def returned_facts(start: date, end: date) -> dict[int, list[tuple]]:
    """unit id -> [(code, title, local day returned)]."""
    lo, hi = local_days_utc(start, end)
    rows = db.session.execute(
        select(Feedback.unit_id, SupervisionItem.code, SupervisionItem.title,
               Feedback.reviewed_at)
        .join(SupervisionItem, SupervisionItem.id == Feedback.item_id)
        .where(Feedback.review_state == ReviewState.RETURNED, Feedback.reviewed_at >= lo,
               Feedback.reviewed_at < hi)
        .order_by(Feedback.reviewed_at, Feedback.id)).all()
    facts: dict[int, list[tuple]] = defaultdict(list)
    for unit_id, code, title, at in rows:
        facts[unit_id].append((code, title, local_date(at)))
    return facts


def citation_facts(start: date, end: date) -> dict[tuple[int, CitationKind], list[tuple]]:
    """(unit id, kind) -> [(item code or None, reason, day, 文号)]."""
    rows = db.session.execute(
        select(UnitCitation.unit_id, UnitCitation.kind, SupervisionItem.code,
               UnitCitation.reason, UnitCitation.cited_on, UnitCitation.doc_number)
        .outerjoin(SupervisionItem, SupervisionItem.id == UnitCitation.item_id)
        .where(UnitCitation.cited_on >= start, UnitCitation.cited_on <= end)
        .order_by(UnitCitation.cited_on, UnitCitation.id)).all()
    facts: dict[tuple, list[tuple]] = defaultdict(list)
    for unit_id, kind, code, reason, day, number in rows:
        facts[unit_id, kind].append((code, reason, day, number))
    return facts


def early_facts(start: date, end: date, early_days: int) -> dict[int, list[tuple]]:
    """unit id -> [(code, title, days early)] for items closed early in the period."""
    item = SupervisionItem
    rows = db.session.execute(
        select(item.code, item.title, item.lead_unit_id, item.due_date, item.closed_on)
        .where(*_counted_items(), item.state.in_(DONE_STATES), item.closed_on >= start,
               item.closed_on <= end, item.closed_on < item.due_date)
        .order_by(item.closed_on, item.id)).all()
    facts: dict[int, list[tuple]] = defaultdict(list)
    for code, title, unit_id, due, closed in rows:
        if (n := days_early(due, closed)) >= early_days:
            facts[unit_id].append((code, title, n))
    return facts


# --- lines ---------------------------------------------------------------------------------


def overdue_line(rules: R.Rules, late: list[tuple]) -> Line:
    cost, capped = R.overdue_points(rules, [n for _, _, n in late])
    caps = []
    if rules.overdue_item_cap is not None:
        caps.append(f"单件最多扣 {R.fmt(rules.overdue_item_cap)} 分")
    if rules.overdue_unit_cap is not None:
        caps.append(f"单位最多扣 {R.fmt(rules.overdue_unit_cap)} 分"
                    + ("（已达上限）" if capped else ""))
    detail = (f"逾期 {len(late)} 件，合计 {sum(n for _, _, n in late)} 天；每件扣 "
              f"{R.fmt(rules.overdue_item)} 分，每天扣 {R.fmt(rules.overdue_day)} 分"
              + ("；" + "，".join(caps) if caps else ""))
    entries = [Entry(code, title, f"逾期 {n} 天", -R.points(R.overdue_item_points(rules, n)))
               for code, title, n in late]
    return Line(ReasonKind.OVERDUE, -R.points(cost), len(late), detail, entries)


def _per_count_line(kind: ReasonKind, value: float, sign: int, what: str,
                    entries: list[Entry]) -> Line:
    each = R.points(R.d(value)) * sign
    for e in entries:
        e.points = each
    detail = f"{what} {len(entries)} 次，每次{'加' if sign > 0 else '扣'} {R.fmt(value)} 分"
    return Line(kind, R.points(R.per_count(value, len(entries)) * sign), len(entries), detail,
                entries)


def _citation_entries(rows: list[tuple]) -> list[Entry]:
    return [Entry(code, reason, day.isoformat() + (f" {number}" if number else ""), 0.0)
            for code, reason, day, number in rows]


def unit_lines(rules: R.Rules, unit_id: int, facts: dict) -> list[Line]:
    """A unit's reason lines from the period's facts (only lines that count something)."""
    lines = []
    if late := facts["overdue"].get(unit_id):
        lines.append(overdue_line(rules, late))
    if returned := facts["returned"].get(unit_id):
        lines.append(_per_count_line(
            ReasonKind.RETURNED, rules.returned, -1, "办结反馈被退回重办",
            [Entry(code, title, f"{day.isoformat()} 退回", 0.0) for code, title, day in returned]))
    if rows := facts["citations"].get((unit_id, CitationKind.CRITICISM)):
        lines.append(_per_count_line(ReasonKind.CRITICISM, rules.criticism, -1, "通报批评",
                                     _citation_entries(rows)))
    if rows := facts["citations"].get((unit_id, CitationKind.PRAISE)):
        lines.append(_per_count_line(ReasonKind.PRAISE, rules.praise, 1, "表扬",
                                     _citation_entries(rows)))
    if early := facts["early"].get(unit_id):
        line = _per_count_line(
            ReasonKind.EARLY_CLOSE, rules.early_close, 1,
            f"提前 {rules.early_days} 天及以上办结",
            [Entry(code, title, f"提前 {n} 天办结", 0.0) for code, title, n in early])
        line.detail = line.detail.replace(" 次，每次", " 件，每件")
        lines.append(line)
    return lines


def live_lines(period: ScorePeriod, today: date | None = None) -> dict[int, list[Line]]:
    """unit id -> reason lines, computed now from the data (every active unit, and any other
    unit something counts for)."""
    rules = R.rules_of(period.rules)
    today = today or local_today()
    start, end = period.start_on, period.end_on
    facts = {"overdue": overdue_facts(start, end, today),
             "returned": returned_facts(start, end),
             "citations": citation_facts(start, end),
             "early": early_facts(start, end, rules.early_days)}
    unit_ids = set(db.session.scalars(select(Unit.id).where(Unit.active.is_(True))))
    for name in ("overdue", "returned", "early"):
        unit_ids |= set(facts[name])
    unit_ids |= {u for u, _ in facts["citations"]}
    return {u: unit_lines(rules, u, facts) for u in unit_ids}


def snapshot_lines(period: ScorePeriod) -> dict[int, list[Line]]:
    rows = db.session.scalars(select(ScoreSnapshot).where(ScoreSnapshot.period_id == period.id))
    return {s.unit_id: [Line.from_dict(x) for x in s.lines] for s in rows}


def result(period: ScorePeriod, *, today: date | None = None) -> PeriodResult:
    """The period's table: the frozen snapshot or the live data, with decided appeals applied,
    totals and ranks."""
    rules = R.rules_of(period.rules)
    by_unit = snapshot_lines(period) if period.frozen else live_lines(period, today)
    names = dict(db.session.execute(select(Unit.id, Unit.name)
                                    .where(Unit.id.in_(list(by_unit)))).all())
    appeals = list(db.session.scalars(
        select(ScoreAppeal).where(ScoreAppeal.period_id == period.id)
        .order_by(ScoreAppeal.id)))
    rows = []
    for unit_id, lines in by_unit.items():
        row = UnitScore(unit_id, names.get(unit_id, "?"),
                        sorted(lines, key=lambda ln: ORDER.index(ln.kind)),
                        appeals=[a for a in appeals if a.unit_id == unit_id])
        _apply_appeals(row)
        row.total = R.total(rules, [ln.effective for ln in row.lines])
        rows.append(row)
    rows.sort(key=lambda r: (-r.total, r.unit_name))
    for row, rank in zip(rows, R.ranks([r.total for r in rows]), strict=True):
        row.rank = rank
    return PeriodResult(period, rules, rows, live=not period.frozen)


def _apply_appeals(row: UnitScore) -> None:
    """The latest accepted appeal on a line sets its points (only a decision does)."""
    decided = sorted((a for a in row.appeals if a.state == AppealState.ACCEPTED),
                     key=lambda a: (a.decided_at, a.id))
    for appeal in decided:
        line = row.line(appeal.kind)
        if line is not None:
            line.adjusted, line.appeal_id = appeal.points, appeal.id
