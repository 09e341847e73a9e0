"""/api/v1/accountability: 问责 records as JSON — list (filters, summary), record, revoke, a
person's history. Office and leaders; the admin reads; everyone else 403."""

from __future__ import annotations

from flask import Blueprint
from pydantic import Field

from webapp import api
from webapp.accountability import services
from webapp.accountability.models import Accountability, AccountabilityKind
from webapp.api.declare import Body, Day, DayText, Id, Out, Query, Text, TimeText, operation
from webapp.auth.access import actor
from webapp.database import local_today
from webapp.people.models import Person

bp = Blueprint("accountability_api", __name__)


class LinkedItem(Out):
    code: str
    title: str
    role: str = Field(description="the person's role on the item when recorded")
    role_label: str
    href: str


class LinkedDocument(Out):
    id: int
    doc_number: str
    title: str
    href: str


class RecordOut(Out):
    """One 问责 record"""

    id: int
    person_id: int
    person_name: str
    unit_id: int | None = Field(description="the person's unit when recorded (null: 局机关)")
    unit_name: str
    kind: AccountabilityKind
    kind_label: str
    points: int | None
    decided_on: DayText
    facts: str
    decided_by: str
    recorded_by: str
    recorded_at: TimeText
    revoked: bool
    revoked_at: TimeText | None
    revoked_by: str | None
    revoke_reason: str | None
    items: list[LinkedItem]
    documents: list[LinkedDocument]


class TallyOut(Out):
    records: int = Field(description="人次: records in force (revoked ones not counted)")
    people: int
    interviews: int
    criticisms: int
    point_records: int
    points: int = Field(description="记分 summed")


class RecordList(Out):
    """Records matching the filters (newest first) and the summary of those in force"""

    year: int | None
    summary: TallyOut
    total: int = Field(description="records matching the filters (revoked ones too, unless "
                       "include_revoked is false)")
    records: list[RecordOut] = Field(description="the newest `limit` of them")


class RecordQuery(Query):
    year: int | None = Field(None, ge=1949, le=2099, description="calendar year of the "
                             "decision; omit: every year")
    kind: AccountabilityKind | None = None
    unit_id: int | None = Field(None, ge=0, description="the person's unit when recorded; "
                                "0: 局机关")
    person_id: Id | None = None
    include_revoked: bool = True
    limit: int = Field(200, ge=1, le=1000, description="how many records to list, newest first")


class NewRecordBody(Body):
    person_id: Id = Field(title="被问责人员")
    kind: AccountabilityKind = Field(title="问责方式")
    points: int | None = Field(None, title="记分分值", description="记分 only: 1–12")
    decided_on: Day = Field(title="问责日期")
    facts: Text("事实与理由", required=True, max_len=services.FACTS)
    items: list[str] = Field(title="督办事项编号", min_length=1, max_length=services.MAX_LINKS,
                             description="each item must name the person as its 分管领导, "
                             "第一责任人 or 直接责任人")
    document_ids: list[Id] = Field([], title="公文", max_length=services.MAX_LINKS)
    document_numbers: list[str] = Field([], title="公文文号", max_length=services.MAX_LINKS)
    decided_by_id: Id | None = Field(None, title="决定人", description="an office or leader "
                                     "account; omit: the caller")


class RevokeBody(Body):
    reason: Text("撤销理由", required=True, max_len=services.FACTS)


class YearOut(TallyOut):
    year: int


class HistoryOut(Out):
    """A person's 问责 history: every record (revoked ones marked) and the totals per year"""

    person_id: int
    name: str
    label: str
    points_this_year: int
    years: list[YearOut]
    records: list[RecordOut]


def _tally(t: services.Tally) -> dict:
    return {"records": t.records, "people": t.people, "interviews": t.interviews,
            "criticisms": t.criticisms, "point_records": t.point_records, "points": t.points}


def record_out(r: Accountability) -> RecordOut:
    return RecordOut(
        id=r.id, person_id=r.person_id, person_name=r.person.name, unit_id=r.unit_id,
        unit_name=r.unit.name if r.unit else "局机关", kind=r.kind, kind_label=r.kind.label,
        points=r.points, decided_on=r.decided_on.isoformat(), facts=r.facts,
        decided_by=r.decided_by.name, recorded_by=r.recorded_by.name,
        recorded_at=r.recorded_at.isoformat(), revoked=r.revoked,
        revoked_at=r.revoked_at.isoformat() if r.revoked_at else None,
        revoked_by=r.revoked_by.name if r.revoked_by else None, revoke_reason=r.revoke_reason,
        items=[LinkedItem(code=li.item.code, title=li.item.title, role=li.role,
                          role_label=li.role.label, href=f"/api/v1/items/{li.item.code}")
               for li in r.items],
        documents=[LinkedDocument(id=d.document.id, doc_number=d.document.doc_number,
                                  title=d.document.title,
                                  href=f"/api/v1/documents/{d.document.id}")
                   for d in r.documents])


@operation(bp, "/accountability", summary="问责 records (filters) and their summary "
           "(office, leaders, admin)", query=RecordQuery, answers={200: RecordList},
           errors=(403,))
def list_records(query: RecordQuery):
    services.check_reader(actor())
    filters = services.Filters(year=query.year, kind=query.kind, unit_id=query.unit_id,
                               person_id=query.person_id, include_revoked=query.include_revoked)
    return RecordList(year=query.year, summary=TallyOut(**_tally(services.tally(filters))),
                      total=services.count_records(filters),
                      records=[record_out(r) for r in services.list_records(
                          filters, limit=query.limit)])


@operation(bp, "/accountability", "POST", summary="Record a 约谈, 通报批评 or 记分 of a person "
           "(office, leaders)", body=NewRecordBody, answers={201: RecordOut}, errors=(403,))
def create_record(body: NewRecordBody):
    record = services.create_record(
        actor=actor(), person_id=body.person_id, kind=body.kind, points=body.points,
        decided_on=body.decided_on, facts=body.facts, items=body.items,
        documents=[*body.document_ids, *body.document_numbers],
        decided_by_id=body.decided_by_id)
    return record_out(record), 201


@operation(bp, "/accountability/<id:record_id>/revoke", "POST", summary="撤销 a record with a "
           "reason (office, leaders): it stays, no longer counted", body=RevokeBody,
           answers={200: RecordOut}, errors=(403, 404, 409))
def revoke_record(record_id: int, body: RevokeBody):
    record = services.get_record(record_id, actor())
    return record_out(services.revoke_record(record, actor=actor(), reason=body.reason))


@operation(bp, "/accountability/people/<id:person_id>", summary="A person's 问责 history "
           "and points per calendar year (office, leaders, admin)", answers={200: HistoryOut},
           errors=(403, 404))
def person_history(person_id: int):
    person: Person = services.get_person(person_id, actor())
    year = local_today().year
    return HistoryOut(
        person_id=person.id, name=person.name, label=person.label,
        points_this_year=services.points_in_year(person.id, year),
        years=[YearOut(year=y, **_tally(t)) for y, t in services.years_of(person)],
        records=[record_out(r) for r in
                 services.list_records(services.Filters(person_id=person.id))])


api.register(bp)

