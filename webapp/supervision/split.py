"""分解: one instruction to several units. Each sub-item is an item of its own (code
`2026-045-1`, its own unit, deadline, people, life cycle, lights, reminders and statistics);
the parent waits in 分解办理中 and closes when none of its sub-items is open
(supervision/closing.py), or earlier when the office closes it with a reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from webapp.auth.models import User
from webapp.database import local_today, utcnow
from webapp.errors import InvalidInput
from webapp.extensions import db
from webapp.org.models import Unit
from webapp.supervision import closing, services
from webapp.supervision.gate import gate, move, record
from webapp.supervision.models import FINISHED_STATES, ItemState, SupervisionItem
from webapp.validation import LONG, SHORT, clean_text

MAX_CHILDREN = 50


@dataclass(frozen=True)
class Child:
    """One sub-item as the office fills it in: what `assign_item` takes, and optionally its own
    title and requirements (default: the parent's)."""

    lead_unit: Unit | int | None
    due_date: date | None
    assisting_units: Sequence[Unit | int] = ()
    supervising_leader: str | int | None = None
    first_responsible: str | int | None = None
    direct_responsible: str | int | None = None
    title: str | None = None
    requirements: str | None = None
    evidence_required: Sequence[str] = field(default_factory=tuple)
    evidence_figure: str | None = None


def split_item(item: SupervisionItem, *, actor: User,
               children: Sequence[Child]) -> list[SupervisionItem]:
    """分解交办 (once, instead of 交办): make and assign the sub-items; the parent's deadline
    becomes the latest of theirs. A refused sub-item names its place (children[1].due_date)."""
    gate(item, "split", actor)
    if not children:
        raise InvalidInput("请至少填写一个子事项", field="children")
    if len(children) > MAX_CHILDREN:
        raise InvalidInput(f"一个事项最多分解为 {MAX_CHILDREN} 个子事项", field="children")
    made = []
    for i, spec in enumerate(children):
        try:
            made.append(_child(item, actor, spec, i + 1))
        except InvalidInput as err:
            err.field = f"children[{i}].{err.field}" if err.field else f"children[{i}]"
            err.message = f"第 {i + 1} 个子事项：{err.message}"
            raise
    item.split_at = item.assigned_at = utcnow()
    item.due_date = item.original_due_date = max(c.due_date for c in made)
    move(item, "split")
    record(item, "split", actor, children=[c.code for c in made],
           units=[c.lead_unit.name for c in made], due_date=item.due_date)
    return made


def _child(parent: SupervisionItem, actor: User, spec: Child, n: int) -> SupervisionItem:
    title = clean_text(spec.title, field="title", label="子事项标题", required=False,
                       max_len=SHORT, single_line=True) or parent.title
    requirements = clean_text(spec.requirements, field="requirements", label="办理要求",
                              required=False, max_len=LONG) or parent.requirements
    child = SupervisionItem(
        code=f"{parent.code}-{n}", title=title, content=parent.content, source=parent.source,
        urgency=parent.urgency, source_ref=parent.source_ref, requirements=requirements,
        state=ItemState.REGISTERED, registered_by_id=actor.id, registered_at=utcnow(),
        parent=parent)
    db.session.add(child)
    db.session.flush()
    record(child, "register", actor, title=title, source=str(parent.source),
           parent=parent.code)
    services.assign_item(
        child, actor=actor, lead_unit=spec.lead_unit, due_date=spec.due_date,
        assisting_units=spec.assisting_units, supervising_leader=spec.supervising_leader,
        first_responsible=spec.first_responsible, direct_responsible=spec.direct_responsible,
        evidence_required=spec.evidence_required, evidence_figure=spec.evidence_figure)
    return child


def open_children(item: SupervisionItem) -> list[str]:
    """Codes of the sub-items still open, read from the database (not the session's copies)."""
    rows = db.session.execute(select(SupervisionItem.code, SupervisionItem.state).where(
        SupervisionItem.parent_id == item.id).order_by(SupervisionItem.id))
    return [code for code, state in rows if state not in FINISHED_STATES]


def close_split(item: SupervisionItem, *, actor: User, reason: str | None = None) -> None:
    """办结 of a split item by the office: before its sub-items end, with a reason (they go
    on, each in its own life cycle); after, when it was sent back by the leader's 复核."""
    gate(item, "close", actor)
    still_open = open_children(item)
    reason = clean_text(reason, field="reason", label="提前办结理由", required=bool(still_open),
                        max_len=LONG)
    item.final_feedback_on = local_today()
    closing.finish(item, actor, "close", reason=reason, open_children=still_open)
