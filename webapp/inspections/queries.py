"""List filters (state, unit, text search) applied on top of access.visible_inspections."""

from __future__ import annotations

from sqlalchemy import Select, exists, or_, select

from webapp.errors import InvalidInput
from webapp.inspections.figures import InspectionSpec
from webapp.inspections.figures import condition as figure_condition
from webapp.inspections.models import Finding, Inspection, InspectionState
from webapp.org.models import Unit
from webapp.validation import clean_text

MAX_QUERY = 100


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filter_inspections(stmt: Select, *, state: str | None = None, unit_id: int | None = None,
                       q: str | None = None, figure: InspectionSpec | None = None) -> Select:
    """Narrow an already visibility-filtered statement; never widens it."""
    if state:
        if state not in {s.value for s in InspectionState}:
            raise InvalidInput("状态取值无效", field="state")
        stmt = stmt.where(Inspection.state == state)
    if unit_id:
        stmt = stmt.where(Inspection.target_unit_id == unit_id)
    if figure is not None:
        stmt = stmt.where(figure_condition(figure))
    q = clean_text(q, field="q", label="关键词", required=False, max_len=MAX_QUERY,
                   single_line=True)
    if q:
        pattern = _like(q)
        unit_match = select(Unit.id).where(Unit.name.ilike(pattern, escape="\\"))
        finding_match = exists().where(Finding.inspection_id == Inspection.id,
                                       Finding.description.ilike(pattern, escape="\\"))
        stmt = stmt.where(or_(Inspection.place.ilike(pattern, escape="\\"),
                              Inspection.target_unit_id.in_(unit_match), finding_match))
    return stmt
