"""People: creating and editing persons, and `resolve` — how an item's 分管领导, 第一责任人 and
直接责任人 are named: a person's id, or a name matched to exactly one of the unit's people, or
else kept as a legacy name (text only) that the office can link to a person later.

How an item names its people: `SupervisionItem.<role>_id` points at the Person when known;
`SupervisionItem.<role>` is the name shown (the person's name, or the legacy text). Statistics
per person group by `person_key` (the person when known, the text otherwise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import String, case, cast, literal, select
from sqlalchemy.sql import ColumnElement

from webapp.audit import services as audit
from webapp.auth.models import Role, User
from webapp.errors import InvalidInput, NotAllowed, NotFound
from webapp.extensions import db
from webapp.org.models import Unit
from webapp.people.models import Person
from webapp.validation import clean_text

NAME = 64
MANAGERS = frozenset({Role.ADMIN, Role.OFFICE})  # who keeps the people lists
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Named:
    """Whom an item names in one role: the person when known, and the name shown."""

    person: Person | None
    name: str | None

    @property
    def person_id(self) -> int | None:
        return self.person.id if self.person else None


def people_of(unit: Unit | int | None, *, active_only: bool = True) -> list[Person]:
    """The persons of a unit (None: the bureau's own people — 局领导, the office), by name."""
    unit_id = unit.id if isinstance(unit, Unit) else unit
    stmt = select(Person).where(Person.unit_id.is_(None) if unit_id is None
                                else Person.unit_id == unit_id)
    if active_only:
        stmt = stmt.where(Person.active.is_(True))
    return list(db.session.scalars(stmt.order_by(Person.name, Person.id)))


def _exactly(text: str, person: Person) -> bool:
    """"张伟", "所长 张伟" and "所长张伟" name 张伟 the 所长 exactly."""
    return text == person.name or bool(
        person.post and text.replace(" ", "") == person.post + person.name)


def _loosely(text: str, person: Person) -> bool:
    """"派出所 张伟": some words, then the name."""
    return " " in text and text.rsplit(" ", 1)[1] == person.name


def match_name(unit: Unit | int | None, text: str) -> Person | None:
    """The one active person of `unit` that `text` names exactly (or, when none does, the one
    it names loosely), or None: nobody, or several."""
    text = _SPACES.sub(" ", text.strip())
    candidates = people_of(unit)
    found = [p for p in candidates if _exactly(text, p)] or [
        p for p in candidates if _loosely(text, p)]
    return found[0] if len(found) == 1 else None


def resolve(unit: Unit | int | None, name_or_id: object, *, field: str, label: str,
            required: bool = False) -> Named:
    """A person's id (int: must be an active person of `unit`), or a name: matched to exactly
    one person of `unit`, else kept as a legacy name. Empty: Named(None, None) or 422."""
    if isinstance(name_or_id, Person):
        name_or_id = name_or_id.id
    if isinstance(name_or_id, int) and not isinstance(name_or_id, bool):
        person = db.session.get(Person, name_or_id)
        unit_id = unit.id if isinstance(unit, Unit) else unit
        if person is None or not person.active or person.unit_id != unit_id:
            where = "局领导及局机关" if unit_id is None else "该单位"
            raise InvalidInput(f"{label}不是{where}的人员", field=field)
        return Named(person, person.name)
    text = clean_text(name_or_id, field=field, label=label, required=required, max_len=NAME,
                      single_line=True)
    if text is None:
        return Named(None, None)
    person = match_name(unit, text)
    return Named(person, person.name if person else text)


def person_key(id_column: ColumnElement, name_column: ColumnElement) -> ColumnElement:
    """One key per person for GROUP BY: '#<id>' when linked, the legacy text otherwise."""
    return case((id_column.is_not(None), literal("#") + cast(id_column, String)),
                else_=name_column)


def key_labels(keys: list[str]) -> dict[str, str]:
    """Labels for person_key values: a person's label (张伟（城关派出所 所长）), or the legacy
    text as written."""
    ids = [int(k[1:]) for k in keys if k and k.startswith("#") and k[1:].isdigit()]
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(ids)))
              } if ids else {}
    out = {}
    for k in keys:
        if k and k.startswith("#") and k[1:].isdigit() and int(k[1:]) in people:
            out[k] = people[int(k[1:])].label
        elif k:
            out[k] = k
    return out


def person_for_user(user: User) -> Person | None:
    """The person record of an account (made when the account was created)."""
    return db.session.scalar(select(Person).where(Person.user_id == user.id))


# --- keeping the lists --------------------------------------------------------------------


def check_manager(actor: User | None) -> None:
    if actor is not None and actor.role not in MANAGERS:
        raise NotAllowed("只有督办员或管理员可以维护人员名单")


def _fields(name, post, mobile, email) -> dict:
    mobile = clean_text(mobile, field="mobile", label="手机号码", required=False, max_len=32,
                        single_line=True)
    if mobile and not re.fullmatch(r"\+?[0-9][0-9 -]{4,30}", mobile):
        raise InvalidInput("手机号码只能包含数字、空格和连字符", field="mobile")
    email = clean_text(email, field="email", label="电子邮箱", required=False, max_len=254,
                       single_line=True)
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise InvalidInput("电子邮箱格式不正确", field="email")
    return {"name": clean_text(name, field="name", label="姓名", max_len=NAME, single_line=True),
            "post": clean_text(post, field="post", label="职务", required=False, max_len=64,
                               single_line=True),
            "mobile": mobile, "email": email}


def create_person(*, actor: User | None, unit: Unit | int | None, name: object,
                  post: object = None, mobile: object = None, email: object = None,
                  user: User | None = None) -> Person:
    """A new person of `unit` (None: the bureau's own people)."""
    check_manager(actor)
    unit_id = unit.id if isinstance(unit, Unit) else unit
    if unit_id is not None and db.session.get(Unit, unit_id) is None:
        raise InvalidInput("单位不存在", field="unit_id")
    person = Person(unit_id=unit_id, user_id=user.id if user else None,
                    **_fields(name, post, mobile, email))
    db.session.add(person)
    db.session.flush()
    audit.record("person.create", object_type="person", object_id=person.id, actor=actor,
                 details={"name": person.name, "unit_id": unit_id, "post": person.post})
    return person


def update_person(person: Person, *, actor: User, name: object, post: object = None,
                  mobile: object = None, email: object = None, active: bool = True) -> None:
    """Edit a person (an audited event: items that name them take the new name)."""
    check_manager(actor)
    values = _fields(name, post, mobile, email)
    for key, value in values.items():
        setattr(person, key, value)
    person.active = active
    # Items that name the person follow the new name (webapp.supervision.item_people listens).
    audit.record("person.update", object_type="person", object_id=person.id, actor=actor,
                 details={**values, "active": active})


def get_person(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        raise NotFound("找不到该人员")
    return person


# --- reacting to other domains' events ------------------------------------------------------


def on_audit_event(event, actor) -> None:
    """Every account gets its person record when it is created (its name, unit and phone)."""
    if event.action != "user.create":
        return
    user = db.session.get(User, int(event.object_id))
    if user is None or person_for_user(user) is not None:
        return
    db.session.add(Person(unit_id=user.unit_id, name=user.name, mobile=user.phone,
                          user_id=user.id))
    db.session.flush()
