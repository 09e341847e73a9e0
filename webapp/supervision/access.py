"""Who sees which items: the one filter every list, count, detail, search and file route uses."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from webapp.auth.models import STAFF_ROLES, Role, User
from webapp.errors import NotFound
from webapp.extensions import db
from webapp.supervision.models import SupervisionItem, item_assisting_unit

SEE_ALL = STAFF_ROLES


def visible_items(actor: User, stmt: Select | None = None) -> Select:
    """`stmt` (default: all items) narrowed to what `actor` may see.

    Office, leaders and admins see every item; a liaison sees the items their unit leads or
    assists; inspectors see none (their work is inspections).
    """
    stmt = stmt if stmt is not None else select(SupervisionItem)
    if actor.role in SEE_ALL:
        return stmt
    if actor.role == Role.LIAISON and actor.unit_id is not None:
        assisted = select(item_assisting_unit.c.item_id).where(
            item_assisting_unit.c.unit_id == actor.unit_id
        )
        return stmt.where(
            or_(SupervisionItem.lead_unit_id == actor.unit_id, SupervisionItem.id.in_(assisted))
        )
    return stmt.where(False)


def get_item(code: str, actor: User) -> SupervisionItem:
    """The item with this code if the actor may see it; otherwise 404 (never 403)."""
    item = db.session.scalar(visible_items(actor).where(SupervisionItem.code == code))
    if item is None:
        raise NotFound("找不到该督办事项")
    return item


def is_lead_liaison(item: SupervisionItem, actor: User) -> bool:
    return actor.role == Role.LIAISON and actor.unit_id == item.lead_unit_id
