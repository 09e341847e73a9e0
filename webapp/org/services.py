"""Units: creation and (de)activation. Units are never deleted: items refer to them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from webapp.audit import services as audit
from webapp.errors import InvalidInput
from webapp.extensions import db
from webapp.org.models import Unit, UnitKind
from webapp.validation import clean_text

if TYPE_CHECKING:  # accounts belong to units (auth imports org), never the other way round
    from webapp.auth.models import User


def create_unit(*, actor: User, code: str, name: str, kind: UnitKind) -> Unit:
    """A new unit; code and name must be unique."""
    code = clean_text(code, field="code", label="单位代码", max_len=32, single_line=True)
    name = clean_text(name, field="name", label="单位名称", max_len=100, single_line=True)
    if db.session.scalar(select(Unit.id).where(or_(Unit.code == code, Unit.name == name))):
        raise InvalidInput("单位代码或名称已存在", field="code")
    unit = Unit(code=code, name=name, kind=kind)
    db.session.add(unit)
    db.session.flush()
    audit.record("unit.create", object_type="unit", object_id=unit.id, actor=actor,
                 details={"code": code, "name": name, "kind": str(kind)})
    return unit


def set_unit_active(unit: Unit, active: bool, *, actor: User) -> None:
    """停用 a unit: it can no longer be chosen for new assignments; its records stay."""
    unit.active = active
    audit.record("unit.enable" if active else "unit.disable", object_type="unit",
                 object_id=unit.id, actor=actor)
