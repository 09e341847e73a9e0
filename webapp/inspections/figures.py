"""Inspection figures (暗访检查的数字): each defined once as a SQL condition on inspections,
used both to count (the dashboard) and to list (/inspections, /api/v1/inspections), so the
list's total equals the number.

- inspected: inspections submitted or published (not drafts) that started in the period;
- with_problem: of those, the ones with at least one finding (of `category`, if given);
  problem rate = with_problem ÷ inspected (per category, per unit);
- repeat: of those, the ones with a finding (of `category`, if given) of a category already
  found at the same place (same unit, same place text) by an earlier inspection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from webapp.database import local_days_utc
from webapp.errors import InvalidInput
from webapp.extensions import db
from webapp.inspections.models import Finding, FindingCategory, Inspection, InspectionState
from webapp.labels import Labelled
from webapp.validation import parse_choice, parse_date


class InspectionFigure(Labelled):
    INSPECTED = "inspected", "检查次数"
    WITH_PROBLEM = "with_problem", "发现问题"
    REPEAT = "repeat", "同一地点再次发现"


@dataclass(frozen=True)
class InspectionSpec:
    figure: InspectionFigure
    start: date | None = None
    end: date | None = None
    category: FindingCategory | None = None

    def args(self) -> dict[str, str]:
        out = {"figure": self.figure.value}
        if self.start:
            out["start"] = self.start.isoformat()
        if self.end:
            out["end"] = self.end.isoformat()
        if self.category:
            out["category"] = self.category.value
        return out


def _has_finding(category: FindingCategory | None) -> ColumnElement[bool]:
    cond = Finding.inspection_id == Inspection.id
    if category is not None:
        cond = and_(cond, Finding.category == category)
    return exists().where(cond)


# made once: building aliases costs more than the query itself at dashboard sizes
_MINE, _EARLIER, _THEIRS = (aliased(Finding, name="mine"), aliased(Inspection, name="earlier"),
                            aliased(Finding, name="theirs"))


def _repeat(category: FindingCategory | None) -> ColumnElement[bool]:
    """A finding of this inspection whose category an earlier inspection of the same unit and
    place also found."""
    mine, earlier, theirs = _MINE, _EARLIER, _THEIRS
    cond = [mine.inspection_id == Inspection.id,
            theirs.category == mine.category,
            earlier.id == theirs.inspection_id,
            earlier.target_unit_id == Inspection.target_unit_id,
            earlier.place == Inspection.place,
            earlier.state != InspectionState.DRAFT,
            or_(earlier.started_at < Inspection.started_at,
                and_(earlier.started_at == Inspection.started_at, earlier.id < Inspection.id))]
    if category is not None:
        cond.append(mine.category == category)
    return and_(Inspection.place.is_not(None), Inspection.place != "",
                exists(select(mine.id).where(*cond)))


def condition(spec: InspectionSpec) -> ColumnElement[bool]:
    """The SQL condition selecting exactly the inspections of `spec`."""
    if spec.start and spec.end and spec.end < spec.start:
        raise InvalidInput("结束日期不能早于开始日期", field="end")
    if spec.category is not None and spec.figure == InspectionFigure.INSPECTED:
        raise InvalidInput("问题类别只用于发现问题的数字", field="category")
    cond = Inspection.state != InspectionState.DRAFT
    if spec.start or spec.end:
        lo, hi = local_days_utc(spec.start or date(1970, 1, 1), spec.end or date(9999, 12, 30))
        if spec.start:
            cond = and_(cond, Inspection.started_at >= lo)
        if spec.end:
            cond = and_(cond, Inspection.started_at < hi)
    if spec.figure == InspectionFigure.WITH_PROBLEM:
        cond = and_(cond, _has_finding(spec.category))
    elif spec.figure == InspectionFigure.REPEAT:
        cond = and_(cond, _repeat(spec.category))
    return cond


def count(spec: InspectionSpec, unit_id: int | None = None) -> int:
    stmt = select(func.count(Inspection.id)).where(condition(spec))
    if unit_id:
        stmt = stmt.where(Inspection.target_unit_id == unit_id)
    return db.session.scalar(stmt) or 0


def per_unit(start: date, end: date) -> dict[int, tuple[int, int, int]]:
    """(inspected, with problem, repeat) per target unit, inspections started in the period."""
    base = condition(InspectionSpec(InspectionFigure.INSPECTED, start, end))
    rows = db.session.execute(
        select(Inspection.target_unit_id, func.count(),
               func.sum(case((_has_finding(None), 1), else_=0)),
               func.sum(case((_repeat(None), 1), else_=0)))
        .where(base).group_by(Inspection.target_unit_id))
    return {u: (n, int(p or 0), int(r or 0)) for u, n, p, r in rows}


def per_category(start: date, end: date) -> dict[FindingCategory, int]:
    """Inspections with a finding of each category (an inspection counts once per category)."""
    base = condition(InspectionSpec(InspectionFigure.INSPECTED, start, end))
    rows = db.session.execute(
        select(Finding.category, func.count(func.distinct(Inspection.id)))
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .where(base).group_by(Finding.category))
    return {FindingCategory(c): n for c, n in rows}


def spec_from_args(args) -> InspectionSpec | None:
    """The figure a query string selects (the inspections page); bad values raise
    InvalidInput with the field."""
    figure = parse_choice(args.get("figure"), InspectionFigure, field="figure", label="数字",
                          required=False)
    if figure is None:
        return None
    return InspectionSpec(
        figure,
        parse_date(args.get("start"), field="start", label="开始日期", required=False),
        parse_date(args.get("end"), field="end", label="结束日期", required=False),
        parse_choice(args.get("category"), FindingCategory, field="category", label="问题类别",
                     required=False))
