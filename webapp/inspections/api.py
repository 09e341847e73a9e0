"""Inspection endpoints of /api/v1 for the phone (PWA) and API clients; see the contract."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.orm import selectinload

from webapp import api, transaction
from webapp.auth.access import actor
from webapp.auth.models import Role
from webapp.errors import InvalidInput, NotAllowed
from webapp.extensions import db
from webapp.inspections import access, checklists, links, services
from webapp.inspections.body import UUID_RE
from webapp.inspections.models import (
    CATEGORY_LABELS,
    MODE_LABELS,
    SEVERITY_LABELS,
    Inspection,
    InspectionState,
)
from webapp.inspections.queries import filter_inspections
from webapp.inspections.serialise import LIST_LOADS, record_dict, summary_dict, unit_dict
from webapp.org.models import Unit
from webapp.validation import parse_date

bp = Blueprint("inspections_api", __name__)
REFERENCE_ROLES = frozenset({Role.INSPECTOR, Role.OFFICE, Role.LEADER, Role.ADMIN})
MAX_PER_PAGE = 100


def _json() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("请求体应为 JSON 对象", field="body")
    return data


def _record(inspection: Inspection, status: int = 200):
    user = actor()
    body = record_dict(inspection, full=access.full_view(user), items=access.sees_items(user))
    return jsonify(body), status


def _reference_reader() -> None:
    if actor().role not in REFERENCE_ROLES:
        raise NotAllowed("没有权限读取检查用的基础数据")


@bp.get("/units")
def units():
    _reference_reader()
    rows = db.session.scalars(db.select(Unit).where(Unit.active.is_(True))
                              .order_by(Unit.kind, Unit.code))
    return jsonify(units=[unit_dict(u) for u in rows])


@bp.get("/checklists")
def checklist_data():
    _reference_reader()
    by_kind = checklists.active_checklists()
    return jsonify(
        checklists={kind: [{"id": i.id, "text": i.text, "category": i.category} for i in rows]
                    for kind, rows in by_kind.items()},
        finding_categories=[{"value": str(k), "label": v} for k, v in CATEGORY_LABELS.items()],
        severities=[{"value": str(k), "label": v} for k, v in SEVERITY_LABELS.items()],
        modes=[{"value": str(k), "label": v} for k, v in MODE_LABELS.items()],
    )


def _page_arg(name: str, default: int, high: int) -> int:
    raw = request.args.get(name, str(default))
    if not raw.isdigit() or not 1 <= int(raw) <= high:
        raise InvalidInput(f"{name} 应为 1 到 {high} 之间的整数", field=name)
    return int(raw)


@bp.get("/inspections")
def inspection_list():
    user = actor()
    page = _page_arg("page", 1, 1_000_000)
    per_page = _page_arg("per_page", current_app.config["ITEMS_PER_PAGE"], MAX_PER_PAGE)
    unit = request.args.get("unit_id", "")
    stmt = filter_inspections(access.visible_inspections(user),
                              state=request.args.get("state"), q=request.args.get("q"),
                              unit_id=int(unit) if unit.isdigit() and len(unit) < 10 else None)
    total = access.count_visible(user, stmt)
    rows = db.session.scalars(
        stmt.options(*LIST_LOADS, selectinload(Inspection.target_unit),
                     selectinload(Inspection.inspector))
        .order_by(Inspection.started_at.desc(), Inspection.id.desc())
        .limit(per_page).offset((page - 1) * per_page))
    full = access.full_view(user)
    return jsonify(inspections=[summary_dict(i, full=full) for i in rows], page=page,
                   per_page=per_page, total=total)


@bp.put("/inspections/<uuid>")
def inspection_put(uuid: str):
    inspection, created = services.put_inspection(uuid=uuid, body=_json(), actor=actor())
    return _record(inspection, 201 if created else 200)


@bp.get("/inspections/<uuid>")
def inspection_get(uuid: str):
    return _record(access.get_inspection(_path_uuid(uuid), actor()))


def _path_uuid(value: str) -> str:
    """A uuid from the path; anything else cannot name a record (404)."""
    value = value.lower()
    return value if UUID_RE.fullmatch(value) else "-"


@bp.put("/inspections/<uuid>/photos/<photo_uuid>")
@transaction.manual  # streams the photo outside any lock: the service commits before it reads
def photo_put(uuid: str, photo_uuid: str):
    photo, stored = services.receive_photo(
        inspection_uuid=uuid.lower(), photo_uuid=photo_uuid.lower(), stream=request.stream,
        sha256_header=request.headers.get("X-Content-SHA256"),
        content_type=request.headers.get("Content-Type"), actor=actor())
    inspection = photo.inspection
    body = {"uuid": photo.uuid, "sha256": photo.sha256,
            "photos_expected": [p.uuid for p in inspection.photos],
            "photos_received": [p.uuid for p in inspection.photos_received]}
    transaction.commit()
    return jsonify(body), 201 if stored else 200


@bp.post("/inspections/<uuid>/submit")
def inspection_submit(uuid: str):
    inspection = services.submit_inspection(uuid=_path_uuid(uuid), actor=actor())
    return _record(inspection)


@bp.post("/inspections/<uuid>/publish")
def inspection_publish(uuid: str):
    inspection = services.publish_inspection(uuid=_path_uuid(uuid), actor=actor(),
                                             result_summary=_json().get("result_summary"))
    return _record(inspection)


@bp.post("/inspections/<uuid>/findings/<finding_uuid>/item")
def finding_item(uuid: str, finding_uuid: str):
    data = _json()
    item = links.create_item_from_finding(
        finding_uuid=_path_uuid(finding_uuid), inspection_uuid=_path_uuid(uuid), actor=actor(),
        due_date=parse_date(data.get("due_date"), field="due_date", label="办理时限"),
        first_responsible=data.get("first_responsible"),
        direct_responsible=data.get("direct_responsible"), title=data.get("title"),
        urgency=data.get("urgency"), requirements=data.get("requirements"))
    return jsonify(_item(item)), 201


@bp.post("/inspections/<uuid>/findings/<finding_uuid>/link")
def finding_link(uuid: str, finding_uuid: str):
    item = links.link_finding_to_item(
        finding_uuid=_path_uuid(finding_uuid), inspection_uuid=_path_uuid(uuid),
        item_code=_json().get("item_code"), actor=actor())
    return jsonify(_item(item))


def _item(item) -> dict:
    return {"code": item.code, "title": item.title, "state": str(item.state),
            "source": str(item.source),
            "lead_unit": unit_dict(item.lead_unit) if item.lead_unit else None}


# --- OpenAPI ------------------------------------------------------------------------------

_ERR = {"$ref": "#/components/responses/Error"}
_UUID = {"type": "string", "format": "uuid"}


def _path(*names: str) -> list[dict]:
    return [{"name": n, "in": "path", "required": True, "schema": _UUID} for n in names]


def _json_body(ref: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": ref}}}}


def _ok(description: str, ref: str | None = None) -> dict:
    if ref is None:
        return {"description": description}
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": ref}}}}


_REC = "#/components/schemas/InspectionRecord"
PATHS = {
    "/units": {"get": {"summary": "Active units (reference data for the phone)",
                       "responses": {"200": _ok("units"), "403": _ERR}}},
    "/checklists": {"get": {"summary": "Checklists per unit kind, categories, severities, modes",
                            "responses": {"200": _ok("reference data"), "403": _ERR}}},
    "/inspections": {"get": {
        "summary": "Inspections the caller may see (visibility-filtered), newest first",
        "parameters": [
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
            {"name": "per_page", "in": "query",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}},
            {"name": "state", "in": "query",
             "schema": {"type": "string", "enum": [s.value for s in InspectionState]}},
            {"name": "unit_id", "in": "query", "schema": {"type": "integer"}},
            {"name": "q", "in": "query", "description": "text in place, unit name or findings",
             "schema": {"type": "string", "maxLength": 100}}],
        "responses": {"200": _ok("a page of inspections"), "422": _ERR}}},
    "/inspections/{uuid}": {
        "put": {"summary": "Create or replace the record (idempotent: same body → 200)",
                "parameters": _path("uuid"),
                "requestBody": _json_body("#/components/schemas/InspectionBody"),
                "responses": {"200": _ok("unchanged or replaced draft", _REC),
                              "201": _ok("created", _REC), "403": _ERR, "404": _ERR,
                              "409": _ERR, "422": _ERR}},
        "get": {"summary": "The record (liaison: published, own unit, no names/GPS/originals)",
                "parameters": _path("uuid"),
                "responses": {"200": _ok("record", _REC), "404": _ERR}},
    },
    "/inspections/{uuid}/photos/{photo_uuid}": {"put": {
        "summary": "Upload a listed photo's bytes (raw body, X-Content-SHA256 header)",
        "parameters": [*_path("uuid", "photo_uuid"),
                       {"name": "X-Content-SHA256", "in": "header", "required": True,
                        "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}],
        "requestBody": {"required": True, "content": {
            t: {"schema": {"type": "string", "format": "binary"}}
            for t in ("image/jpeg", "image/png", "image/webp", "image/heic", "image/heif")}},
        "responses": {"200": _ok("already received, the same bytes"), "201": _ok("stored"),
                      "404": _ERR, "409": _ERR, "413": _ERR, "415": _ERR, "422": _ERR}}},
    "/inspections/{uuid}/submit": {"post": {
        "summary": "Submit: every listed photo must have arrived (else 409 photos_missing)",
        "parameters": _path("uuid"),
        "responses": {"200": _ok("submitted", _REC), "404": _ERR, "409": _ERR}}},
    "/inspections/{uuid}/publish": {"post": {
        "summary": "Office: publish the result (the unit's liaison may then see it)",
        "parameters": _path("uuid"),
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["result_summary"],
            "properties": {"result_summary": {"type": "string", "maxLength": 5000}}}}}},
        "responses": {"200": _ok("published", _REC), "403": _ERR, "404": _ERR, "409": _ERR,
                      "422": _ERR}}},
    "/inspections/{uuid}/findings/{finding_uuid}/item": {"post": {
        "summary": "Office: a new supervision item (source inspection) from a published finding",
        "parameters": _path("uuid", "finding_uuid"),
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["due_date", "first_responsible",
                                           "direct_responsible"],
            "properties": {"due_date": {"type": "string", "format": "date"},
                           "first_responsible": {"type": "string"},
                           "direct_responsible": {"type": "string"},
                           "title": {"type": "string"}, "requirements": {"type": "string"},
                           "urgency": {"type": "string",
                                       "enum": ["normal", "urgent", "very_urgent"]}}}}}},
        "responses": {"201": _ok("item created and assigned to the inspected unit"),
                      "403": _ERR, "404": _ERR, "409": _ERR, "422": _ERR}}},
    "/inspections/{uuid}/findings/{finding_uuid}/link": {"post": {
        "summary": "Office: link a finding to an existing item",
        "parameters": _path("uuid", "finding_uuid"),
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["item_code"],
            "properties": {"item_code": {"type": "string", "example": "2026-045"}}}}}},
        "responses": {"200": _ok("linked"), "403": _ERR, "404": _ERR, "409": _ERR,
                      "422": _ERR}}},
}

_PHOTO_REF = {"type": "object", "required": ["uuid", "sha256", "size", "content_type"],
              "properties": {"uuid": _UUID, "sha256": {"type": "string"},
                             "size": {"type": "integer"}, "content_type": {"type": "string"},
                             "filename": {"type": "string", "nullable": True},
                             "added_at": {"type": "string", "format": "date-time",
                                          "nullable": True,
                                          "description": "when the phone added the photo "
                                                         "(its caption's time without EXIF)"}}}
SCHEMAS = {
    "PhotoRef": _PHOTO_REF,
    "InspectionBody": {
        "type": "object", "required": ["target_unit_id", "mode", "started_at"],
        "description": "The record's identity is its canonical form (webapp/inspections/"
                       "body.py): unknown keys, nulls and empty values do not count, nor does "
                       "`author`.",
        "properties": {
            "author": {"type": "string", "nullable": True,
                       "description": "username of the account that made the record; "
                                      "must be the caller (else 403 not_author)"},
            "target_unit_id": {"type": "integer"},
            "mode": {"type": "string", "enum": ["unannounced", "open", "special"]},
            "started_at": {"type": "string", "format": "date-time"},
            "ended_at": {"type": "string", "format": "date-time", "nullable": True},
            "place": {"type": "string", "nullable": True, "maxLength": 5000},
            "gps": {"type": "object", "nullable": True, "properties": {
                "lat": {"type": "number"}, "lon": {"type": "number"},
                "accuracy": {"type": "number", "nullable": True}}},
            "companions": {"type": "string", "nullable": True},
            "checklist": {"type": "array", "items": {"type": "object", "properties": {
                "checklist_item_id": {"type": "integer"},
                "result": {"type": "string", "enum": ["pass", "fail", "na"]},
                "note": {"type": "string", "nullable": True},
                "photos": {"type": "array", "items": {"$ref": "#/components/schemas/PhotoRef"}},
            }}},
            "findings": {"type": "array", "items": {"type": "object", "properties": {
                "uuid": _UUID, "category": {"type": "string"}, "severity": {"type": "string"},
                "description": {"type": "string"},
                "photos": {"type": "array", "items": {"$ref": "#/components/schemas/PhotoRef"}},
            }}},
        },
    },
    "InspectionRecord": {"type": "object", "properties": {
        "uuid": _UUID, "state": {"type": "string", "enum": ["draft", "submitted", "published"]},
        "target_unit": {"type": "object"},
        "photos_expected": {"type": "array", "items": _UUID},
        "photos_received": {"type": "array", "items": _UUID}}},
}

api.register(bp, PATHS, SCHEMAS)
