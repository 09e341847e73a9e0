"""节点: dated steps of an item the office sets; the lead unit reports each one reached. Open
milestones are reminded like deadlines (webapp/escalation/milestones.py)."""

from __future__ import annotations

from datetime import date

from webapp.auth.models import User
from webapp.database import local_today, utcnow
from webapp.errors import InvalidInput
from webapp.extensions import db
from webapp.supervision.gate import gate, record
from webapp.supervision.models import Milestone, SupervisionItem
from webapp.validation import LONG, SHORT, clean_text

MAX_OPEN = 20


def add_milestone(item: SupervisionItem, *, actor: User, title: object,
                  due_date: date | None) -> Milestone:
    """设置节点: a name and a date, not in the past and not after the item's deadline."""
    gate(item, "add_milestone", actor)
    title = clean_text(title, field="title", label="节点名称", max_len=SHORT, single_line=True)
    if due_date is None:
        raise InvalidInput("请填写节点日期", field="due_date")
    if due_date < local_today():
        raise InvalidInput("节点日期不能早于今天", field="due_date")
    if item.due_date is not None and due_date > item.due_date:
        raise InvalidInput("节点日期不能晚于办理时限", field="due_date")
    if sum(m.reached_at is None for m in item.milestones) >= MAX_OPEN:
        raise InvalidInput(f"一个事项最多设置 {MAX_OPEN} 个未完成的节点", field="title")
    row = Milestone(item=item, title=title, due_date=due_date, created_by_id=actor.id,
                    created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    record(item, "add_milestone", actor, title=title, due_date=due_date, milestone_id=row.id)
    return row


def reach_milestone(item: SupervisionItem, *, actor: User, milestone_id: int | None,
                    note: object = None) -> Milestone:
    """节点完成: the lead unit reports an open milestone reached, with what was done."""
    gate(item, "reach_milestone", actor)
    row = next((m for m in item.milestones if m.id == milestone_id and m.reached_at is None),
               None)
    if row is None:
        raise InvalidInput("请选择未完成的节点", field="milestone_id")
    row.note = clean_text(note, field="note", label="完成情况", required=False, max_len=LONG)
    row.reached_at, row.reached_by_id = utcnow(), actor.id
    record(item, "reach_milestone", actor, title=row.title, due_date=row.due_date,
           note=row.note, milestone_id=row.id)
    return row
