"""The one gate every item action passes, and the small steps every action service shares:
move along the workflow table, record the audit event, read a unit or a name."""

from __future__ import annotations

from typing import Any

from webapp.audit import services as audit
from webapp.auth.models import User
from webapp.database import local_today, utcnow
from webapp.errors import InvalidInput
from webapp.extensions import db
from webapp.org.models import Unit
from webapp.supervision.models import ItemState, ItemUnitChange, SupervisionItem
from webapp.supervision.workflow import ACTIONS, refusal
from webapp.transaction import lock_row
from webapp.validation import clean_text, parse_id

NAME = 64  # length of a person's name


def gate(item: SupervisionItem, action: str, actor: User | None) -> None:
    """Lock the item's row, then ask the workflow table: a request racing this one waits here
    and then sees what the first one did, so a double click or two browsers cannot both pass.
    Raises 403, 404 or 409 with a clear message (see workflow.refusal)."""
    lock_row(item)
    refused = refusal(item, action, actor)
    if refused is not None:
        raise refused


def move(item: SupervisionItem, action: str) -> None:
    to_state = ACTIONS[action].to_state
    if to_state is not None:
        item.state = to_state


def entry(item: SupervisionItem, action: str, **details: Any) -> tuple[str, str, str, dict]:
    """The audit event of `action` on `item` as an entry of audit.record_many: the item's
    state now, then the details."""
    return action, "item", item.code, {"state": str(item.state), **details}


def record(item: SupervisionItem, action: str, actor: User | None, **details: Any) -> None:
    write(entry(item, action, **details), actor)


def write(event: tuple[str, str, str, dict], actor: User | None) -> None:
    """Record one entry made by `entry`."""
    action, object_type, object_id, details = event
    audit.record(action, object_type=object_type, object_id=object_id, actor=actor,
                 details=details)


def unit(unit_id: object, *, field: str, label: str) -> Unit:
    if isinstance(unit_id, Unit):
        return unit_id
    found = db.session.get(Unit, parse_id(unit_id, field=field, label=label))
    if found is None or not found.active:
        raise InvalidInput(f"{label}不存在", field=field)
    return found


def name(value: object, *, field: str, label: str, required: bool = False) -> str | None:
    return clean_text(value, field=field, label=label, required=required, max_len=NAME,
                      single_line=True)


def change_lead_unit(item: SupervisionItem, new: Unit) -> str | None:
    """转办 or 调整: the item goes to `new`, which must 签收 it anew; the change is kept by day
    (statistics count the item for the unit that had it when it fell due). Returns the old
    unit's name."""
    old = item.lead_unit
    if old is not None:
        db.session.add(ItemUnitChange(item_id=item.id, from_unit_id=old.id, to_unit_id=new.id,
                                      changed_on=local_today(), changed_at=utcnow()))
    item.lead_unit = new
    item.assisting_units = [u for u in item.assisting_units if u.id != new.id]
    item.state = ItemState.ASSIGNED
    item.acknowledged_at = None
    item.assigned_at = utcnow()
    return old.name if old is not None else None
