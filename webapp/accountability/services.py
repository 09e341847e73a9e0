"""问责: recording a 约谈, 通报批评 or 记分 of a person for items they are named on, revoking
(撤销) one with a reason, and reading them back: a person's history, a year's records and the
people ranked by points.

Who: only the office and leaders record and revoke; the admin may read as well; liaisons and
inspectors see nothing (403 on every page and API).

Whom: a Person record (never a legacy name typed on an item before people were records — the
office first links that name to a person at /items/people), and every item linked to the
record must name that person as its 分管领导, 第一责任人 or 直接责任人: accountability follows
the responsibility the items assign. The role held on each item is kept with the record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import selectinload

from webapp.accountability.models import (
    MAX_POINTS,
    MIN_POINTS,
    Accountability,
    AccountabilityDocument,
    AccountabilityItem,
    AccountabilityKind,
)
from webapp.audit import services as audit
from webapp.auth.models import Role, User
from webapp.database import local_today, utcnow
from webapp.documents.access import visible_documents
from webapp.documents.models import Document, DocumentState
from webapp.errors import InvalidInput, NotAllowed, NotFound, StateConflict
from webapp.extensions import db
from webapp.org.models import Unit
from webapp.people.models import Person
from webapp.supervision.access import visible_items
from webapp.supervision.models import ItemRole, SupervisionItem
from webapp.transaction import lock_row
from webapp.validation import clean_text, parse_choice, parse_date, parse_int

READERS = frozenset({Role.OFFICE, Role.LEADER, Role.ADMIN})
RECORDERS = frozenset({Role.OFFICE, Role.LEADER})
DECIDERS = RECORDERS  # 决定人: an office or leader account
MAX_LINKS = 50  # items or documents on one record
FACTS = 2000
_SEPARATORS = re.compile(r"[,，、;；\s]+")


def may_read(actor: User | None) -> bool:
    return actor is not None and actor.role in READERS


def may_record(actor: User | None) -> bool:
    return actor is not None and actor.role in RECORDERS


def check_reader(actor: User | None) -> None:
    if not may_read(actor):
        raise NotAllowed("问责记录仅督办员和局领导可以查看")


def check_recorder(actor: User | None) -> None:
    if not may_record(actor):
        raise NotAllowed("只有督办员和局领导可以记录或撤销问责")


def split_refs(values: Iterable[str | None]) -> list[str]:
    """Codes or 文号 typed in one or more boxes, separated by commas, 、 or spaces."""
    out: list[str] = []
    for value in values:
        out.extend(p for p in _SEPARATORS.split(value or "") if p)
    return out


# --- the people an item names ---------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    """One of an item's people: the role, the person (None: a legacy name only), the name."""

    role: ItemRole
    person: Person | None
    name: str


def item_people(item: SupervisionItem) -> list[Named]:
    """The item's 分管领导, 第一责任人 and 直接责任人, as named (empty roles left out)."""
    out = []
    for role in ItemRole:
        person_id, name = getattr(item, f"{role}_id"), getattr(item, role.value)
        if person_id is not None:
            out.append(Named(role, db.session.get(Person, person_id), name or ""))
        elif name:
            out.append(Named(role, None, name))
    return out


def role_on(item: SupervisionItem, person: Person) -> ItemRole | None:
    """The first role in which `item` names `person` (by record, not by name)."""
    return next((r for r in ItemRole if getattr(item, f"{r}_id") == person.id), None)


def items_naming(person: Person, actor: User, limit: int = 200) -> list[SupervisionItem]:
    """The items (visible to `actor`) naming `person` in any role, newest first."""
    cond = or_(*(getattr(SupervisionItem, f"{r}_id") == person.id for r in ItemRole))
    return list(db.session.scalars(visible_items(actor).where(cond)
                                   .order_by(SupervisionItem.id.desc()).limit(limit)))


# --- recording and revoking -----------------------------------------------------------------


def _person(person_id: object) -> Person:
    if isinstance(person_id, Person):
        return person_id
    if not isinstance(person_id, int) or isinstance(person_id, bool):
        raise InvalidInput("请选择被问责人员", field="person_id")
    person = db.session.get(Person, person_id)
    if person is None:
        raise InvalidInput("被问责人员不存在（事项上只写了姓名、尚未关联人员记录的，请先在"
                           "“人员 → 未关联人员的姓名”中关联）", field="person_id")
    return person


def _points(kind: AccountabilityKind, points: object) -> int | None:
    if kind != AccountabilityKind.POINTS:
        if points not in (None, ""):
            raise InvalidInput(f"{kind.label}不记分，请不要填写分值", field="points")
        return None
    return parse_int(points, field="points", label="记分分值", low=MIN_POINTS, high=MAX_POINTS,
                     required=True)


def _items(codes: Iterable[str], person: Person, actor: User) -> list[tuple[SupervisionItem,
                                                                            ItemRole]]:
    codes = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if not codes:
        raise InvalidInput("请至少关联一个督办事项", field="items")
    if len(codes) > MAX_LINKS:
        raise InvalidInput(f"一条问责记录最多关联 {MAX_LINKS} 个督办事项", field="items")
    # re-read: the people an item names may have been changed by a bulk UPDATE (a legacy
    # name linked to a person) that the session's copies of the items have not seen
    found = {i.code: i for i in db.session.scalars(
        visible_items(actor).where(SupervisionItem.code.in_(codes))
        .execution_options(populate_existing=True))}
    out = []
    for code in codes:
        item = found.get(code)
        if item is None:
            raise InvalidInput(f"督办事项 {code[:40]} 不存在", field="items")
        role = role_on(item, person)
        if role is None:
            raise InvalidInput(f"{person.name}不是督办事项 {code} 的分管领导、第一责任人或"
                               "直接责任人", field="items")
        out.append((item, role))
    return out


def _documents(refs: Iterable[int | str], actor: User) -> list[Document]:
    """Documents by id (int) or 文号 (text); each must exist, be visible and not 作废."""
    out: dict[int, Document] = {}
    for ref in refs:
        if isinstance(ref, str) and not ref.strip():
            continue
        cond = (Document.id == ref if isinstance(ref, int) and not isinstance(ref, bool)
                else Document.doc_number == str(ref).strip())
        doc = db.session.scalar(visible_documents(actor).where(cond))
        if doc is None:
            raise InvalidInput(f"找不到公文 {str(ref)[:64]}", field="documents")
        if doc.state != DocumentState.ISSUED:
            raise InvalidInput(f"公文 {doc.doc_number} 已作废，不能关联", field="documents")
        out[doc.id] = doc
    if len(out) > MAX_LINKS:
        raise InvalidInput(f"一条问责记录最多关联 {MAX_LINKS} 份公文", field="documents")
    return list(out.values())


def _decider(decided_by_id: object, actor: User) -> User:
    if decided_by_id in (None, ""):
        return actor
    user = db.session.get(User, decided_by_id) if isinstance(decided_by_id, int) else None
    if user is None or not user.active or user.role not in DECIDERS:
        raise InvalidInput("决定人应为督办员或局领导", field="decided_by_id")
    return user


def create_record(*, actor: User, person_id: int | Person, kind: object, points: object = None,
                  decided_on: object, facts: object, items: Iterable[str],
                  documents: Iterable[int | str] = (),
                  decided_by_id: int | None = None) -> Accountability:
    """Record one 问责 of a person for items that name them (see the module's docstring)."""
    check_recorder(actor)
    person = _person(person_id)
    kind = parse_choice(kind, AccountabilityKind, field="kind", label="问责方式")
    day = parse_date(decided_on, field="decided_on", label="问责日期")
    if day > local_today():
        raise InvalidInput("问责日期不能晚于今天", field="decided_on")
    record = Accountability(
        person=person, unit_id=person.unit_id, kind=kind, points=_points(kind, points),
        decided_on=day,
        facts=clean_text(facts, field="facts", label="事实与理由", max_len=FACTS),
        decided_by=_decider(decided_by_id, actor), recorded_by=actor)
    linked = _items(items, person, actor)
    docs = _documents(documents, actor)
    record.items = [AccountabilityItem(item=i, role=r) for i, r in linked]
    record.documents = [AccountabilityDocument(document=d) for d in docs]
    db.session.add(record)
    db.session.flush()
    audit.record("accountability.create", object_type="accountability", object_id=record.id,
                 actor=actor, details={
                     "person_id": person.id, "person": person.name, "kind": str(kind),
                     "points": record.points, "decided_on": day.isoformat(),
                     "decided_by_id": record.decided_by_id,
                     "items": [i.code for i, _ in linked],
                     "documents": [d.doc_number for d in docs]})
    return record


def revoke_record(record: Accountability, *, actor: User, reason: object) -> Accountability:
    """撤销: the record stays, marked revoked with the reason; its points no longer count."""
    check_recorder(actor)
    reason = clean_text(reason, field="reason", label="撤销理由", max_len=FACTS)
    lock_row(record)
    if record.revoked:
        raise StateConflict("该问责记录已撤销")
    record.revoked_at, record.revoked_by, record.revoke_reason = utcnow(), actor, reason
    db.session.flush()
    audit.record("accountability.revoke", object_type="accountability", object_id=record.id,
                 actor=actor, details={"person_id": record.person_id, "reason": reason})
    return record


# --- reading ------------------------------------------------------------------------------


def get_record(record_id: int, actor: User | None) -> Accountability:
    check_reader(actor)
    record = db.session.get(Accountability, record_id)
    if record is None:
        raise NotFound("找不到该问责记录")
    return record


def get_person(person_id: int, actor: User | None) -> Person:
    check_reader(actor)
    person = db.session.get(Person, person_id)
    if person is None:
        raise NotFound("找不到该人员")
    return person


@dataclass
class Filters:
    """What the overview shows: a calendar year, a kind, a unit (0: 局机关), a person."""

    year: int | None = None
    kind: AccountabilityKind | None = None
    unit_id: int | None = None
    person_id: int | None = None
    include_revoked: bool = True

    def where(self, stmt: Select, *, active_only: bool = False) -> Select:
        A = Accountability
        if self.year:
            stmt = stmt.where(A.decided_on.between(date(self.year, 1, 1),
                                                   date(self.year, 12, 31)))
        if self.kind:
            stmt = stmt.where(A.kind == self.kind)
        if self.unit_id is not None:
            stmt = stmt.where(A.unit_id.is_(None) if self.unit_id == 0
                              else A.unit_id == self.unit_id)
        if self.person_id:
            stmt = stmt.where(A.person_id == self.person_id)
        if active_only or not self.include_revoked:
            stmt = stmt.where(A.revoked_at.is_(None))
        return stmt


def list_records(filters: Filters, *, limit: int | None = None,
                 offset: int = 0) -> list[Accountability]:
    """Records matching `filters`, newest decision first, with their people, items (code and
    title) and documents (number and title)."""
    Item, Doc = AccountabilityItem, AccountabilityDocument
    stmt = filters.where(select(Accountability)).options(
        selectinload(Accountability.person), selectinload(Accountability.unit),
        selectinload(Accountability.decided_by), selectinload(Accountability.recorded_by),
        selectinload(Accountability.revoked_by),
        selectinload(Accountability.items).selectinload(Item.item).load_only(
            SupervisionItem.code, SupervisionItem.title),
        selectinload(Accountability.documents).selectinload(Doc.document).load_only(
            Document.doc_number, Document.title),
    ).order_by(Accountability.decided_on.desc(), Accountability.id.desc())
    if limit:
        stmt = stmt.limit(limit).offset(offset)
    return list(db.session.scalars(stmt))


def count_records(filters: Filters) -> int:
    return db.session.scalar(filters.where(select(func.count(Accountability.id))))


def export_rows(filters: Filters, *, batch: int = 2000):
    """The records for the Excel, as plain rows (newest first), read in batches by columns:
    (decided_on, name, unit, post, kind, points, facts, item codes, document numbers,
    decided by, revoked, revoke reason)."""
    from sqlalchemy.orm import aliased

    A, decider = Accountability, aliased(User)
    stmt = filters.where(
        select(A.id, A.decided_on, Person.name, Unit.name, Person.post, A.kind, A.points,
               A.facts, decider.name, A.revoked_at, A.revoke_reason)
        .join(Person, Person.id == A.person_id).outerjoin(Unit, Unit.id == A.unit_id)
        .join(decider, decider.id == A.decided_by_id)
    ).order_by(A.decided_on.desc(), A.id.desc())
    for chunk in db.session.execute(stmt.execution_options(yield_per=batch)).partitions():
        ids = [r[0] for r in chunk]
        codes, numbers = {}, {}
        for rid, code in db.session.execute(
                select(AccountabilityItem.record_id, SupervisionItem.code)
                .join(SupervisionItem).where(AccountabilityItem.record_id.in_(ids))
                .order_by(AccountabilityItem.record_id, SupervisionItem.code)):
            codes.setdefault(rid, []).append(code)
        for rid, number in db.session.execute(
                select(AccountabilityDocument.record_id, Document.doc_number)
                .join(Document).where(AccountabilityDocument.record_id.in_(ids))
                .order_by(AccountabilityDocument.record_id, Document.doc_number)):
            numbers.setdefault(rid, []).append(number)
        for rid, day, name, unit, post, kind, points, facts, by, revoked, reason in chunk:
            yield (day, name, unit or "局机关", post or "", AccountabilityKind(kind).label, points,
                   facts, "、".join(codes.get(rid, ())), "、".join(numbers.get(rid, ())), by,
                   "已撤销" if revoked else "有效", reason or "")


@dataclass
class Tally:
    """Counts of records in force (not revoked): 人次, per kind, and points summed."""

    records: int = 0
    interviews: int = 0
    criticisms: int = 0
    point_records: int = 0
    points: int = 0
    people: int = 0


_COUNTS = (
    func.count(Accountability.id),
    func.count(case((Accountability.kind == AccountabilityKind.INTERVIEW, 1))),
    func.count(case((Accountability.kind == AccountabilityKind.CRITICISM, 1))),
    func.count(case((Accountability.kind == AccountabilityKind.POINTS, 1))),
    func.coalesce(func.sum(Accountability.points), 0),
)


def _tally(row, people: int = 0) -> Tally:
    return Tally(records=row[0], interviews=row[1], criticisms=row[2], point_records=row[3],
                 points=int(row[4]), people=people)


def tally(filters: Filters) -> Tally:
    """The summary line: "2026年：25 人次（12 人），31 分" — revoked records not counted."""
    row = db.session.execute(filters.where(select(
        *_COUNTS, func.count(Accountability.person_id.distinct())), active_only=True)).one()
    return _tally(row, people=row[5])


def ranking(filters: Filters, *, limit: int = 100) -> list[tuple[Person, Tally]]:
    """People with records in force, most points first (then most records)."""
    stmt = filters.where(select(Accountability.person_id, *_COUNTS), active_only=True) \
        .group_by(Accountability.person_id) \
        .order_by(func.coalesce(func.sum(Accountability.points), 0).desc(),
                  func.count(Accountability.id).desc(), Accountability.person_id).limit(limit)
    rows = db.session.execute(stmt).all()
    people = {p.id: p for p in db.session.scalars(
        select(Person).options(selectinload(Person.unit))
        .where(Person.id.in_([r[0] for r in rows])))}
    return [(people[r[0]], _tally(r[1:])) for r in rows]


def years_of(person: Person) -> list[tuple[int, Tally]]:
    """A person's records in force per calendar year, newest year first."""
    year = func.extract("year", Accountability.decided_on)
    rows = db.session.execute(
        select(year, *_COUNTS).where(Accountability.person_id == person.id,
                                     Accountability.revoked_at.is_(None))
        .group_by(year).order_by(year.desc())).all()
    return [(int(r[0]), _tally(r[1:])) for r in rows]


def points_in_year(person_id: int, year: int) -> int:
    """记分 of a person within one calendar year, summed (revoked records not counted)."""
    return tally(Filters(year=year, person_id=person_id)).points


def records_of_item(item: SupervisionItem) -> list[Accountability]:
    """The records linked to an item, newest first."""
    return list(db.session.scalars(
        select(Accountability).join(AccountabilityItem)
        .where(AccountabilityItem.item_id == item.id)
        .order_by(Accountability.decided_on.desc(), Accountability.id.desc())))


def deciders() -> list[User]:
    """Who may be named as 决定人: active office and leader accounts."""
    return list(db.session.scalars(select(User).where(User.active.is_(True),
                                                      User.role.in_(DECIDERS))
                                   .order_by(User.role, User.name)))
