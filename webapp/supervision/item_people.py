"""The people items name: names typed before people were records (legacy text) that the office
links to a person later, and items taking a person's new name when it is edited.

An item names each ItemRole with `<role>_id` (the Person when known) and `<role>` (the name
shown). The people domain knows nothing of items: it records "person.update", and
`on_audit_event` here brings the items' name columns along.
"""

from __future__ import annotations

from sqlalchemy import func, literal, select, update

from webapp.audit import services as audit
from webapp.auth.models import User
from webapp.errors import InvalidInput
from webapp.extensions import db
from webapp.org.models import Unit
from webapp.people.models import Person
from webapp.people.services import check_manager
from webapp.supervision.models import ItemRole, SupervisionItem

I = SupervisionItem  # noqa: E741 (short in the queries below)


def _scope(role: ItemRole):
    """分管领导 are the bureau's people; 责任人 belong to the item's lead unit."""
    return literal(None) if role == ItemRole.SUPERVISING_LEADER else I.lead_unit_id


def legacy_names() -> list[tuple[ItemRole, str, Unit | None, int]]:
    """Names on items not linked to a person: (role, name, scope unit, how many items)."""
    out = []
    for role in ItemRole:
        id_col, name_col = getattr(I, f"{role}_id"), getattr(I, role)
        rows = db.session.execute(
            select(name_col, _scope(role), func.count())
            .where(id_col.is_(None), name_col.is_not(None))
            .group_by(name_col, _scope(role)).order_by(func.count().desc(), name_col)).all()
        for name, unit_id, n in rows:
            out.append((role, name, db.session.get(Unit, unit_id) if unit_id else None, n))
    return out


def link_legacy(*, actor: User, role: object, name: str, unit_id: int | None,
                person: Person) -> int:
    """The office resolves a legacy name: every item naming `name` in `role` (for that lead
    unit) now points at `person`. Returns how many items changed."""
    check_manager(actor)
    if role not in ItemRole._value2member_map_:
        raise InvalidInput("角色的取值无效", field="role")
    role = ItemRole(role)
    scope_unit = None if role == ItemRole.SUPERVISING_LEADER else unit_id
    if person.unit_id != scope_unit:
        raise InvalidInput("所选人员不属于该单位", field="person_id")
    stmt = (update(I).where(getattr(I, f"{role}_id").is_(None), getattr(I, role) == name)
            .values({f"{role}_id": person.id, role.value: person.name}))
    if role != ItemRole.SUPERVISING_LEADER:
        stmt = stmt.where(I.lead_unit_id == unit_id)
    changed = db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount
    audit.record("person.link", object_type="person", object_id=person.id, actor=actor,
                 details={"role": str(role), "name": name, "unit_id": unit_id, "items": changed})
    return changed


def on_audit_event(event, actor) -> None:
    """A person was edited: the items that name them show the new name."""
    if event.action != "person.update":
        return
    person = db.session.get(Person, int(event.object_id))
    if person is None:
        return
    for role in ItemRole:
        db.session.execute(update(I).where(getattr(I, f"{role}_id") == person.id)
                           .values({role.value: person.name})
                           .execution_options(synchronize_session=False))
