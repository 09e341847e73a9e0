"""Inspection endpoints of /api/v1 for the phone (PWA) and API clients, each declared once
(webapp.api.declare): the record body and every answer are the models below and in
webapp.inspections.schemas. A refused record answers 422 with the field, whatever was wrong
(shape or value), as the phone's outbox expects."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request
from pydantic import Field
from sqlalchemy.orm import selectinload

from webapp import api, transaction
from webapp.api.declare import Body, Day, Out, Query, RawBody, Text, TimeText, operation
from webapp.auth.access import actor
from webapp.auth.models import Role
from webapp.errors import NotAllowed
from webapp.extensions import db
from webapp.inspections import access, checklists, links, services
from webapp.inspections.body import UUID_RE
from webapp.inspections.figures import InspectionFigure, InspectionSpec
from webapp.inspections.models import (
    CheckResult,
    FindingCategory,
    Inspection,
    InspectionMode,
    InspectionState,
    Severity,
)
from webapp.inspections.queries import MAX_QUERY, filter_inspections
from webapp.inspections.schemas import InspectionBody
from webapp.inspections.serialize import LIST_LOADS, record_dict, summary_dict, unit_dict
from webapp.labels import Labelled
from webapp.media.files import PHOTO_NAMES
from webapp.org.models import Unit
from webapp.supervision.models import Urgency

bp = Blueprint("inspections_api", __name__)
REFERENCE_ROLES = frozenset({Role.INSPECTOR, Role.OFFICE, Role.LEADER, Role.ADMIN})
MAX_PER_PAGE = 100


# --- answers ----------------------------------------------------------------------------------


class UnitOut(Out):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str


class Units(Out):
    """Active units (reference data for the phone)"""

    units: list[UnitOut]


class Choice(Out):
    value: str
    label: str


class ChecklistEntry(Out):
    id: int
    text: str
    category: str | None


class ReferenceData(Out):
    """Checklists per kind of unit, finding categories, severities and modes"""

    checklists: dict[str, list[ChecklistEntry]]
    finding_categories: list[Choice]
    severities: list[Choice]
    modes: list[Choice]
    results: list[Choice]


class Person(Out):
    id: int
    name: str


class InspectionSummary(Out):
    uuid: str
    state: InspectionState
    state_label: str
    mode: str
    mode_label: str
    target_unit: UnitOut
    started_at: TimeText | None
    ended_at: TimeText | None
    place: str | None
    submitted_at: TimeText | None
    published_at: TimeText | None
    result_summary: str | None
    photos_total: int
    photos_received_count: int
    inspector: Person | None = Field(None, description="office and leaders only")
    created_at: TimeText | None = Field(None, description="office and leaders only")


class InspectionPage(Out):
    """A page of inspections the caller may see"""

    inspections: list[InspectionSummary]
    page: int
    per_page: int
    total: int


class PhotoOut(Out):
    uuid: str
    received: bool
    sha256: str | None = None
    size: int | None = None
    content_type: str | None = None
    filename: str | None = None
    added_at: TimeText | None = None
    thumb_url: str | None = None
    display_url: str | None = None


class ItemLink(Out):
    code: str
    title: str
    state: str
    state_label: str
    url: str | None = None


class CheckLineOut(Out):
    checklist_item_id: int
    text: str
    category: str | None
    result: str
    result_label: str
    note: str | None
    photos: list[PhotoOut]


class FindingOut(Out):
    uuid: str
    category: str
    category_label: str
    severity: str
    severity_label: str
    description: str
    photos: list[PhotoOut]
    item: ItemLink | None = None


class Gps(Out):
    lat: float
    lon: float
    accuracy: float | None


class InspectionRecord(InspectionSummary):
    """The record as stored, with its state and photo progress (a liaison: published, their
    own unit, without names, positions or originals)"""

    target_unit_id: int | None = None
    gps: Gps | None = None
    companions: str | None = None
    checklist: list[CheckLineOut]
    findings: list[FindingOut]
    photos_expected: list[str]
    photos_received: list[str]


class PhotoReceipt(Out):
    """Which of the record's photos have arrived"""

    uuid: str
    sha256: str
    photos_expected: list[str]
    photos_received: list[str]


class ItemMade(Out):
    """The supervision item the finding went to"""

    code: str
    title: str
    state: str
    source: str
    lead_unit: UnitOut | None


# --- bodies and queries -----------------------------------------------------------------------


class InspectionQuery(Query):
    page: int = Field(1, ge=1, le=1_000_000, title="页码")
    per_page: int = Field(20, ge=1, le=MAX_PER_PAGE, title="每页条数")
    state: InspectionState | None = Field(None, title="状态")
    unit_id: int | None = Field(None, ge=1, le=2**31 - 1, title="被检查单位")
    q: str | None = Field(None, max_length=MAX_QUERY, title="关键词",
                          description="text in place, unit name or findings")
    figure: InspectionFigure | None = Field(None, title="数字",
                                            description="a dashboard figure: its inspections")
    start: Day | None = Field(None, title="开始日期", description="started on or after (local)")
    end: Day | None = Field(None, title="结束日期", description="started on or before (local)")
    category: FindingCategory | None = Field(None, title="问题类别",
                                             description="with figure with_problem or repeat")

    def figure_spec(self) -> InspectionSpec | None:
        if self.figure is None:
            return None
        return InspectionSpec(self.figure, self.start, self.end, self.category)


class PublishBody(Body):
    result_summary: Text("检查结果", required=True)


class FindingItemBody(Body):
    due_date: Day = Field(title="办理时限")
    first_responsible: str = Field(title="第一责任人")
    direct_responsible: str = Field(title="直接责任人")
    title: str | None = Field(None, title="标题")
    requirements: str | None = Field(None, title="办理要求")
    urgency: Urgency | None = Field(None, title="紧急程度")


class FindingLinkBody(Body):
    item_code: str = Field(title="督办事项编号", max_length=16, examples=["2026-045"])


# --- helpers -----------------------------------------------------------------------------------


def _record(inspection: Inspection) -> dict[str, Any]:
    user = actor()
    return record_dict(inspection, full=access.full_view(user), items=access.sees_items(user))


def _reference_reader() -> None:
    if actor().role not in REFERENCE_ROLES:
        raise NotAllowed("没有权限读取检查用的基础数据")


def _path_uuid(value: str) -> str:
    """A uuid from the path; anything else cannot name a record (404)."""
    value = value.lower()
    return value if UUID_RE.fullmatch(value) else "-"


def _item(item) -> ItemMade:
    return ItemMade(code=item.code, title=item.title, state=str(item.state),
                    source=str(item.source),
                    lead_unit=unit_dict(item.lead_unit) if item.lead_unit else None)


def _choices(choices: type[Labelled]) -> list[Choice]:
    return [Choice(value=value, label=label) for value, label in choices.choices()]


# --- operations --------------------------------------------------------------------------------


@operation(bp, "/units", summary="Active units (reference data for the phone)",
           answers={200: Units}, errors=(403,))
def units():
    _reference_reader()
    rows = db.session.scalars(db.select(Unit).where(Unit.active.is_(True))
                              .order_by(Unit.kind, Unit.code))
    return Units(units=[unit_dict(u) for u in rows])


@operation(bp, "/checklists", summary="Checklists per unit kind, categories, severities, modes",
           answers={200: ReferenceData}, errors=(403,))
def checklist_data():
    _reference_reader()
    by_kind = checklists.active_checklists()
    return ReferenceData(
        checklists={kind: [ChecklistEntry(id=i.id, text=i.text, category=i.category)
                           for i in rows] for kind, rows in by_kind.items()},
        finding_categories=_choices(FindingCategory), severities=_choices(Severity),
        modes=_choices(InspectionMode), results=_choices(CheckResult))


@operation(bp, "/inspections", summary="Inspections the caller may see, newest first",
           query=InspectionQuery, answers={200: InspectionPage})
def inspection_list(query: InspectionQuery):
    user = actor()
    per_page = query.per_page if "per_page" in request.args else min(
        current_app.config["ITEMS_PER_PAGE"], MAX_PER_PAGE)
    stmt = filter_inspections(access.visible_inspections(user), state=query.state,
                              q=query.q, unit_id=query.unit_id, figure=query.figure_spec())
    total = access.count_visible(user, stmt)
    rows = db.session.scalars(
        stmt.options(*LIST_LOADS, selectinload(Inspection.target_unit),
                     selectinload(Inspection.inspector))
        .order_by(Inspection.started_at.desc(), Inspection.id.desc())
        .limit(per_page).offset((query.page - 1) * per_page))
    full = access.full_view(user)
    return InspectionPage(inspections=[summary_dict(i, full=full) for i in rows],
                          page=query.page, per_page=per_page, total=total)


@operation(bp, "/inspections/<uuid>", "PUT",
           summary="Create or replace the record (idempotent: the same record again → 200)",
           body=InspectionBody, shape_status=422,
           answers={200: InspectionRecord, 201: InspectionRecord}, errors=(403, 409))
def inspection_put(uuid: str, body: InspectionBody):
    inspection, created = services.put_inspection(uuid=uuid, body=body, actor=actor())
    return _record(inspection), 201 if created else 200


@operation(bp, "/inspections/<uuid>", summary="The record (a liaison: published, own unit)",
           answers={200: InspectionRecord})
def inspection_get(uuid: str):
    return _record(access.get_inspection(_path_uuid(uuid), actor()))


@transaction.manual  # streams the photo outside any lock: the service commits before it reads
@operation(bp, "/inspections/<uuid>/photos/<photo_uuid>", "PUT",
           summary="Upload a listed photo's bytes (raw body, X-Content-SHA256 header)",
           raw_body=RawBody(PHOTO_NAMES, {"X-Content-SHA256": "the photo's SHA-256 (hex)"}),
           answers={200: PhotoReceipt, 201: PhotoReceipt}, errors=(403, 409, 415))
def photo_put(uuid: str, photo_uuid: str):
    photo, stored = services.receive_photo(
        inspection_uuid=uuid.lower(), photo_uuid=photo_uuid.lower(), stream=request.stream,
        sha256_header=request.headers.get("X-Content-SHA256"),
        content_type=request.headers.get("Content-Type"), actor=actor())
    inspection = photo.inspection
    receipt = PhotoReceipt(uuid=photo.uuid, sha256=photo.sha256,
                           photos_expected=[p.uuid for p in inspection.photos],
                           photos_received=[p.uuid for p in inspection.photos_received])
    transaction.commit()
    return receipt, 201 if stored else 200


@operation(bp, "/inspections/<uuid>/submit", "POST",
           summary="Submit: every listed photo must have arrived (else 409 photos_missing)",
           answers={200: InspectionRecord}, errors=(403, 409))
def inspection_submit(uuid: str):
    return _record(services.submit_inspection(uuid=_path_uuid(uuid), actor=actor()))


@operation(bp, "/inspections/<uuid>/publish", "POST",
           summary="Office: publish the result (the unit's liaison may then see it)",
           body=PublishBody, shape_status=422, answers={200: InspectionRecord},
           errors=(403, 409))
def inspection_publish(uuid: str, body: PublishBody):
    return _record(services.publish_inspection(uuid=_path_uuid(uuid), actor=actor(),
                                               result_summary=body.result_summary))


@operation(bp, "/inspections/<uuid>/findings/<finding_uuid>/item", "POST",
           summary="Office: a new item (source 暗访发现) from a published finding",
           body=FindingItemBody, shape_status=422, answers={201: ItemMade}, errors=(403, 409))
def finding_item(uuid: str, finding_uuid: str, body: FindingItemBody):
    item = links.create_item_from_finding(
        finding_uuid=_path_uuid(finding_uuid), inspection_uuid=_path_uuid(uuid), actor=actor(),
        due_date=body.due_date, first_responsible=body.first_responsible,
        direct_responsible=body.direct_responsible, title=body.title, urgency=body.urgency,
        requirements=body.requirements)
    return _item(item), 201


@operation(bp, "/inspections/<uuid>/findings/<finding_uuid>/link", "POST",
           summary="Office: link a finding to an existing item", body=FindingLinkBody,
           shape_status=422, answers={200: ItemMade}, errors=(403, 409))
def finding_link(uuid: str, finding_uuid: str, body: FindingLinkBody):
    item = links.link_finding_to_item(
        finding_uuid=_path_uuid(finding_uuid), inspection_uuid=_path_uuid(uuid),
        item_code=body.item_code, actor=actor())
    return _item(item)


api.register(bp)


