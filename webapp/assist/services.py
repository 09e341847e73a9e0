"""Submitting an assisting unit's input (协办意见/反馈)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from webapp.assist.models import AssistingFile, AssistingInput
from webapp.audit import services as audit
from webapp.auth.models import Role, User
from webapp.database import utcnow
from webapp.errors import NotAllowed, StateConflict
from webapp.extensions import db
from webapp.supervision.models import OPEN_STATES, SupervisionItem
from webapp.transaction import lock_row
from webapp.validation import LONG, clean_text


def submit(item: SupervisionItem, *, actor: User, text: object,
           files: Sequence[tuple[str, Any]] = ()) -> AssistingInput:
    """An assisting unit's liaison sends its part while the item is open."""
    lock_row(item)
    if actor.role != Role.LIAISON or actor.unit_id not in {u.id for u in item.assisting_units}:
        raise NotAllowed("只有协办单位的联络员可以提交协办意见")
    if item.state not in OPEN_STATES or item.lead_unit_id is None:
        raise StateConflict(f"事项当前状态为“{item.state.label}”，不能提交协办意见",
                            code="invalid_state")
    text = clean_text(text, field="text", label="协办意见", max_len=LONG)
    row = AssistingInput(item_id=item.id, unit_id=actor.unit_id, text=text,
                         submitted_by_id=actor.id, submitted_at=utcnow())
    for filename, info in files:
        name = clean_text(filename, field="files", label="附件名称", required=False,
                          max_len=255, single_line=True) or "附件"
        row.files.append(AssistingFile(filename=name, content_type=info.content_type,
                                       size=info.size, sha256=info.sha256))
    db.session.add(row)
    db.session.flush()
    audit.record("assisting_input", object_type="item", object_id=item.code, actor=actor,
                 details={"unit": actor.unit.name, "note": text,
                          "attachments": [f.sha256 for f in row.files]})
    return row


def inputs_of(item: SupervisionItem) -> list[AssistingInput]:
    return list(db.session.scalars(select(AssistingInput).where(
        AssistingInput.item_id == item.id).order_by(AssistingInput.id)))
