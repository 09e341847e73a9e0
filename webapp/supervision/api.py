"""/api/v1/items: supervision items as JSON — list, count, register, detail, every life-cycle
action, and feedback evidence files. Handlers are thin: load (404), call one service (which
checks role 403 and state 409), commit once, serialise. Body field specs drive both the type
checks (400) and the OpenAPI schemas."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from flask import Blueprint, Flask, jsonify, request, url_for

from webapp import api
from webapp.audit import services as audit
from webapp.auth.access import actor as current_actor
from webapp.auth.models import User
from webapp.errors import DomainError, InvalidInput, NotAllowed, NotFound, StateConflict
from webapp.extensions import db
from webapp.media import store
from webapp.media.files import DEFAULT_ALLOWED, FileInfo, ingest_file, stored_type
from webapp.supervision import queries, serialize, services
from webapp.supervision.access import get_item, is_lead_liaison
from webapp.supervision.lights import Light
from webapp.supervision.models import (
    FeedbackAttachment,
    FeedbackKind,
    ItemState,
    ReminderChannel,
    Source,
    SupervisionItem,
    Urgency,
)
from webapp.supervision.serialize import actions_for, item_summary
from webapp.supervision.workflow import TRANSITIONS
from webapp.validation import clean_text, parse_choice, parse_date

bp = Blueprint("items_api", __name__)

CODE = re.compile(r"[0-9]{4}-[0-9]{1,8}")
MAX_ID = 2**31 - 1
UPLOAD_EVENT = "upload_attachment"


# --- request bodies: one field spec per body, for the checks and the OpenAPI schema -------


@dataclass(frozen=True)
class F:
    kind: str  # str, date, int, bool, ids, attachments, object, or a StrEnum class name
    doc: str
    required: bool = False
    choices: tuple[str, ...] = ()
    fields: dict[str, F] | None = None  # for kind "object"


def _choice(enum_cls, doc: str, required: bool = False) -> F:
    return F("choice", doc, required, tuple(m.value for m in enum_cls))


ASSIGN = {
    "lead_unit_id": F("int", "承办单位 id", True),
    "assisting_unit_ids": F("ids", "协办单位 id"),
    "supervising_leader": F("str", "分管领导"),
    "first_responsible": F("str", "第一责任人", True),
    "direct_responsible": F("str", "直接责任人", True),
    "due_date": F("date", "办理时限 (not in the past)", True),
}
REGISTER = {
    "title": F("str", "标题", True),
    "content": F("str", "事项内容", True),
    "source": _choice(Source, "来源", True),
    "urgency": _choice(Urgency, "缓急 (default normal)"),
    "source_ref": F("str", "来文/批示编号"),
    "requirements": F("str", "办理要求"),
    "instruction": F("object", "领导批示 (required when source is leader_instruction)",
                     fields={"text": F("str", "批示内容", True),
                             "leader": F("str", "批示领导", True),
                             "date": F("date", "批示日期", True)}),
    "assign": F("object", "交办 in the same call: all or nothing", fields=ASSIGN),
}
FEEDBACK = {
    "actions_taken": F("str", "主要做法", True),
    "result": F("str", "办理结果 (required for a completed final feedback)"),
    "completed": F("bool", "是否完成 (default true)"),
    "not_done_reason": F("str", "未完成原因 (required when not completed)"),
    "next_steps": F("str", "下步措施 (required when not completed)"),
    "attachments": F("attachments", "evidence uploaded before through /items/{code}/attachments"),
}
ATTACHMENT_REF = {"sha256": F("str", "upload_id from the upload", True),
                  "filename": F("str", "name shown (default: the uploaded name)")}
DECISION = {"approve": F("bool", "同意 (true) or 不同意 (false)", True),
            "note": F("str", "意见 (required when refusing)")}
REASON = {"reason": F("str", "理由", True)}


def _assign(item: SupervisionItem, actor: User, d: dict) -> None:
    services.assign_item(item, actor=actor, **_assign_args(d))


def _assign_args(d: dict) -> dict[str, Any]:
    return {
        "lead_unit": d.get("lead_unit_id"),
        "assisting_units": d.get("assisting_unit_ids") or (),
        "due_date": parse_date(d.get("due_date"), field="due_date", label="办理时限",
                               required=False),
        "supervising_leader": d.get("supervising_leader"),
        "first_responsible": d.get("first_responsible"),
        "direct_responsible": d.get("direct_responsible"),
    }


def _approve(d: dict) -> bool:
    if d.get("approve") is None:
        raise InvalidInput("请选择是否同意", field="approve")
    return d["approve"]


def _decide_hand_back(item, actor, d) -> None:
    services.decide_hand_back(
        item, actor=actor, approve=_approve(d), note=d.get("note"),
        new_lead_unit=d.get("new_lead_unit_id"),
        due_date=parse_date(d.get("due_date"), field="due_date", label="办理时限",
                            required=False))


def _request_extension(item, actor, d) -> None:
    services.request_extension(
        item, actor=actor, reason=d.get("reason"),
        new_due_date=parse_date(d.get("new_due_date"), field="new_due_date",
                                label="申请延至的日期", required=False))


def _feedback(kind: FeedbackKind):
    def submit(item, actor, d) -> None:
        services.submit_feedback(
            item, actor=actor, kind=kind, actions_taken=d.get("actions_taken"),
            result=d.get("result"), completed=d.get("completed") is not False,
            not_done_reason=d.get("not_done_reason"), next_steps=d.get("next_steps"),
            attachments=_evidence(item, actor, d.get("attachments") or []))

    return submit


def _remind(item, actor, d) -> None:
    channel = parse_choice(d.get("channel"), ReminderChannel, field="channel", label="催办方式")
    services.record_reminder(item, actor=actor, channel=channel, note=d.get("note"))


def _instruct(item, actor, d) -> None:
    services.add_instruction(
        item, actor=actor, text=d.get("text"),
        instructed_on=parse_date(d.get("date"), field="date", label="批示日期", required=False))


Handler = Callable[[SupervisionItem, User, dict], None]

# action -> (body fields, handler); every name is a TRANSITIONS key (labels come from there).
ACTIONS: dict[str, tuple[dict[str, F], Handler]] = {
    "assign": (ASSIGN, _assign),
    "acknowledge": ({}, lambda item, actor, d: services.acknowledge_item(item, actor=actor)),
    "request_hand_back": (REASON, lambda item, actor, d: services.request_hand_back(
        item, actor=actor, reason=d.get("reason"))),
    "decide_hand_back": ({**DECISION,
                          "new_lead_unit_id": F("int", "新的承办单位 id (required to approve)"),
                          "due_date": F("date", "new 办理时限 (optional)")}, _decide_hand_back),
    "request_extension": ({"new_due_date": F("date", "申请延至 (after the due date)", True),
                           **REASON}, _request_extension),
    "decide_extension": (DECISION, lambda item, actor, d: services.decide_extension(
        item, actor=actor, approve=_approve(d), note=d.get("note"))),
    "submit_progress": (FEEDBACK, _feedback(FeedbackKind.PROGRESS)),
    "submit_final": (FEEDBACK, _feedback(FeedbackKind.FINAL)),
    "accept": ({"opinion": F("str", "审核意见")}, lambda item, actor, d: services.accept_feedback(
        item, actor=actor, opinion=d.get("opinion"))),
    "return": (REASON, lambda item, actor, d: services.return_feedback(
        item, actor=actor, reason=d.get("reason"))),
    "remind": ({"channel": _choice(ReminderChannel, "催办方式", True),
                "note": F("str", "催办说明")}, _remind),
    "cancel": (REASON, lambda item, actor, d: services.cancel_item(
        item, actor=actor, reason=d.get("reason"))),
    "instruct": ({"text": F("str", "批示内容", True),
                  "date": F("date", "批示日期 (default today)")}, _instruct),
}


# --- type checks (400) --------------------------------------------------------------------


# Service field names -> the body's names, so an error's "field" points into what was sent.
BODY_FIELDS = {"lead_unit": "lead_unit_id", "assisting_units": "assisting_unit_ids",
               "new_lead_unit": "new_lead_unit_id", "instructed_on": "date",
               "instruction_text": "instruction.text",
               "instruction_leader": "instruction.leader",
               "instruction_date": "instruction.date"}


@contextmanager
def _body_fields(prefix: str = "") -> Iterator[None]:
    try:
        yield
    except InvalidInput as err:
        if err.field and "." not in err.field:
            err.field = prefix + BODY_FIELDS.get(err.field, err.field)
        raise


def _bad(message: str, field: str | None = None) -> DomainError:
    return DomainError(message, code="bad_request", field=field)


def _json_object(spec: dict[str, F]) -> dict:
    """The JSON body as an object of known fields with the right types (an empty body is {})."""
    if not request.get_data(cache=True):
        return _checked({}, spec)
    data = request.get_json(force=True, silent=True)
    if data is None:
        raise _bad("the body is not valid JSON")
    return _checked(data, spec)


def _checked(data: object, spec: dict[str, F], prefix: str = "") -> dict:
    if not isinstance(data, dict):
        raise _bad(f"{prefix.rstrip('.') or 'the body'} must be a JSON object", prefix or None)
    unknown = sorted(set(data) - set(spec))
    if unknown:
        raise _bad(f"unknown field: {prefix}{unknown[0]}", prefix + unknown[0])
    for name, value in data.items():
        if value is not None:
            _check_value(value, spec[name], prefix + name)
    return data


_KINDS = {"str": str, "date": str, "choice": str, "bool": bool, "int": int, "ids": list,
          "attachments": list, "object": dict}


def _check_value(value: object, f: F, field: str) -> None:
    if not isinstance(value, _KINDS[f.kind]) or (f.kind == "int" and isinstance(value, bool)):
        raise _bad(f"{field} must be {_SCHEMA_TYPES[f.kind]}", field)
    if f.kind == "int" and not 0 < value <= MAX_ID:
        raise InvalidInput(f"{f.doc}不存在", field=field)
    elif f.kind == "ids":
        for v in value:
            _check_value(v, F("int", f.doc), field)
    elif f.kind == "attachments":
        for v in value:
            _checked(v, ATTACHMENT_REF, field + ".")
    elif f.kind == "object":
        _checked(value, f.fields or {}, field + ".")


# --- loading and the evidence files -------------------------------------------------------


def _item(code: str, *, lock: bool = False) -> SupervisionItem:
    """The visible item (else 404); `lock` holds its row until commit (PostgreSQL; SQLite's
    BEGIN IMMEDIATE already serialises writers), so two racing actions cannot both pass."""
    if not CODE.fullmatch(code):
        raise NotFound("找不到该督办事项")
    item = get_item(code, current_actor())
    if lock:
        db.session.refresh(item, with_for_update=True)
    return item


def _may_submit(item: SupervisionItem, actor: User) -> None:
    """Evidence is uploaded by whoever may submit feedback now (the lead unit's liaison)."""
    submits = {"submit_progress", "submit_final"}
    if submits & set(actions_for(item, actor)):
        return
    if actor.role not in TRANSITIONS["submit_progress"].roles or not is_lead_liaison(item, actor):
        raise NotAllowed("只有承办单位的联络员可以上传反馈附件")
    raise StateConflict(f"事项当前状态为“{item.state_label}”，不能上传反馈附件",
                        code="invalid_state")


def _uploads(item: SupervisionItem, actor: User) -> dict[str, str]:
    """sha256 -> filename of the files this actor's unit uploaded for this item."""
    return {e.details.get("sha256"): e.details.get("filename")
            for e in audit.events_for("item", item.code)
            if e.action == UPLOAD_EVENT and e.unit_id == actor.unit_id}


def _evidence(item: SupervisionItem, actor: User, refs: list[dict]) -> list[tuple[str, FileInfo]]:
    """Attachment references -> (filename, FileInfo), type sniffed again from the stored bytes."""
    uploaded = _uploads(item, actor) if refs else {}
    out = []
    for ref in refs:
        sha = (ref.get("sha256") or "").strip().lower()
        if sha not in uploaded or not store.is_sha256(sha) or not store.has_blob(sha):
            raise InvalidInput("附件未上传或已失效，请重新上传", field="attachments")
        try:
            content_type = stored_type(sha)  # checked again by content, as when uploaded
        except InvalidInput:
            raise InvalidInput("附件类型不受支持", code="unsupported_type",
                               field="attachments") from None
        size = store.blob_path(sha).stat().st_size
        out.append((ref.get("filename") or uploaded[sha], FileInfo(sha, size, content_type)))
    return out


def _filters() -> queries.ItemFilters:
    return queries.ItemFilters.from_args(request.args)


def _detail(item: SupervisionItem, actor: User, status: int = 200):
    response = jsonify(serialize.item_detail(item, actor))
    response.status_code = status
    return response


# --- routes --------------------------------------------------------------------------------


@bp.route("/items")
def list_items():
    page = queries.search_items(current_actor(), _filters())
    return jsonify(items=[item_summary(i) for i in page.items], total=page.total,
                   page=page.page, per_page=page.per_page, pages=page.pages)


@bp.route("/items/count")
def count_items():
    f = _filters()
    f.page, f.per_page = 1, 1
    return jsonify(total=queries.search_items(current_actor(), f).total)


@bp.route("/items", methods=["POST"])
def register_item():
    d, actor = _json_object(REGISTER), current_actor()
    with _body_fields():
        item = _register(d, actor)
    if d.get("assign") is not None:
        with _body_fields("assign."):
            services.assign_item(item, actor=actor, **_assign_args(d["assign"]))
    db.session.commit()
    response = _detail(item, actor, 201)
    response.headers["Location"] = url_for(".item_detail", code=item.code)
    return response


def _register(d: dict, actor: User) -> SupervisionItem:
    ins = d.get("instruction") or {}
    return services.register_item(
        actor=actor, title=d.get("title"), content=d.get("content"),
        source=parse_choice(d.get("source"), Source, field="source", label="来源"),
        urgency=parse_choice(d.get("urgency"), Urgency, field="urgency", label="缓急",
                             required=False) or Urgency.NORMAL,
        source_ref=d.get("source_ref"), requirements=d.get("requirements"),
        instruction_text=ins.get("text"), instruction_leader=ins.get("leader"),
        instruction_date=parse_date(ins.get("date"), field="instruction.date",
                                    label="批示日期", required=False))


@bp.route("/items/<code>")
def item_detail(code: str):
    return _detail(_item(code), current_actor())


def _action_view(name: str):
    spec, handler = ACTIONS[name]

    def view(code: str):
        item, actor = _item(code, lock=True), current_actor()
        with _body_fields():
            handler(item, actor, _json_object(spec))
        db.session.commit()
        return _detail(item, actor)

    view.__name__ = f"action_{name}"
    return view


for _name in ACTIONS:
    bp.add_url_rule(f"/items/<code>/{_name}", view_func=_action_view(_name), methods=["POST"])


@bp.route("/items/<code>/attachments", methods=["POST"])
def upload_attachment(code: str):
    item, actor = _item(code, lock=True), current_actor()
    _may_submit(item, actor)
    try:
        raw = unquote(request.headers.get("X-Filename", ""), errors="strict")
    except UnicodeDecodeError:
        raise InvalidInput("文件名编码不正确（应为 UTF-8 百分号编码）", field="filename") from None
    name = clean_text(raw, field="filename", label="文件名", required=False, max_len=255,
                      single_line=True) or "附件"
    info = ingest_file(request.stream)
    audit.record(UPLOAD_EVENT, object_type="item", object_id=item.code, actor=actor,
                 details={"sha256": info.sha256, "filename": name, "size": info.size,
                          "content_type": info.content_type})
    db.session.commit()
    return jsonify(upload_id=info.sha256, sha256=info.sha256, filename=name, size=info.size,
                   content_type=info.content_type), 201


@bp.route("/items/<code>/attachments/<int(max=2147483647):attachment_id>")
def download_attachment(code: str, attachment_id: int):
    item = _item(code)
    row = db.session.get(FeedbackAttachment, attachment_id)
    if row is None or row.feedback.item_id != item.id:
        raise NotFound("找不到该附件")
    return store.send_blob(row.sha256, content_type=row.content_type,
                           download_name=row.filename, as_attachment=True)


def init_app(app: Flask) -> None:
    """Nothing to do: importing this module registered the routes under /api/v1."""


# --- OpenAPI ----------------------------------------------------------------------------

_SCHEMA_TYPES = {"str": "a string", "date": "a date string (YYYY-MM-DD)", "choice": "a string",
                 "bool": "true or false", "int": "an integer", "ids": "an array of integers",
                 "attachments": "an array of objects", "object": "an object"}


def _prop(f: F) -> dict:
    base: dict[str, Any] = {
        "str": {"type": "string"}, "date": {"type": "string", "format": "date"},
        "choice": {"type": "string", "enum": list(f.choices)}, "bool": {"type": "boolean"},
        "int": {"type": "integer", "minimum": 1},
        "ids": {"type": "array", "items": {"type": "integer", "minimum": 1}},
        "attachments": {"type": "array",
                        "items": {"$ref": "#/components/schemas/AttachmentRef"}},
    }.get(f.kind) or _body_schema(f.fields or {})
    return {**base, "description": f.doc, **({} if f.required else {"nullable": True})}


def _body_schema(spec: dict[str, F]) -> dict:
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False,
                              "properties": {n: _prop(f) for n, f in spec.items()}}
    required = [n for n, f in spec.items() if f.required]
    if required:
        schema["required"] = required
    return schema


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(name: str) -> dict:
    return {"content": {"application/json": {"schema": _ref(name)}}}


def _errors(*statuses: int) -> dict:
    return {str(s): {"$ref": "#/components/responses/Error"} for s in (400, 401, *statuses)}


def _camel(name: str) -> str:
    return "".join(p.capitalize() for p in name.split("_")) + "Body"


S, INT, D, B = ({"type": "string"}, {"type": "integer"}, {"type": "string", "format": "date"},
              {"type": "boolean"})
DT = {"type": "string", "format": "date-time"}


def _n(schema: dict) -> dict:
    return {**schema, "nullable": True}


def _obj(props: dict, required: tuple[str, ...] = ()) -> dict:
    return {"type": "object", "properties": props, **({"required": list(required)}
                                                      if required else {})}


UNIT = _obj({"id": INT, "name": S}, ("id", "name"))
SUMMARY = {
    "code": S, "title": S, "state": {"type": "string", "enum": [s.value for s in ItemState]},
    "state_label": S, "source": S, "source_label": S, "urgency": S, "urgency_label": S,
    "lead_unit": _n(UNIT), "due_date": _n(D),
    "light": {"type": "string", "enum": [x.value for x in Light]}, "light_label": S,
    "registered_at": DT,
}
REQUEST_ROW = _obj({"id": INT, "unit_id": INT, "reason": S, "state": S, "state_label": S,
                    "requested_at": DT, "decided_at": _n(DT), "decision_note": _n(S),
                    "old_due_date": D, "requested_due_date": D})
FEEDBACK_ROW = _obj({
    "id": INT, "kind": {"type": "string", "enum": ["progress", "final"]}, "unit_id": INT,
    "actions_taken": S, "result": _n(S), "completed": B, "not_done_reason": _n(S),
    "next_steps": _n(S), "submitted_by": S, "submitted_at": DT, "review_state": _n(S),
    "review_note": _n(S), "reviewed_at": _n(DT),
    "attachments": {"type": "array", "items": _obj({
        "id": INT, "filename": S, "content_type": S, "size": INT, "sha256": S})},
})
SCHEMAS = {
    "ItemSummary": _obj(SUMMARY, ("code", "title", "state", "light")),
    "Item": {"allOf": [_ref("ItemSummary"), _obj({
        "content": S, "source_ref": _n(S), "requirements": _n(S),
        "assisting_units": {"type": "array", "items": UNIT},
        "supervising_leader": _n(S), "first_responsible": _n(S), "direct_responsible": _n(S),
        "original_due_date": _n(D), "assigned_at": _n(DT), "acknowledged_at": _n(DT),
        "closed_at": _n(DT), "closed_on": _n(D), "cancelled_at": _n(DT),
        "cancel_reason": _n(S), "archived_at": _n(DT), "review_opinion": _n(S),
        "allowed_actions": {"type": "array", "items": S,
                            "description": "actions this user may take now"},
        "instructions": {"type": "array", "items": _obj({
            "id": INT, "leader": S, "text": S, "date": D, "recorded_at": DT})},
        "requests": _obj({"hand_back": {"type": "array", "items": REQUEST_ROW},
                          "extension": {"type": "array", "items": REQUEST_ROW}}),
        "feedback": {"type": "array", "items": FEEDBACK_ROW},
        "reminders": {"type": "array", "items": _obj({
            "id": INT, "channel": S, "channel_label": S, "note": _n(S), "automatic": B,
            "created_at": DT})},
        "timeline": {"type": "array", "items": _obj({
            "at": DT, "action": S, "label": S,
            "actor": _n(_obj({"name": S, "role": S})), "details": {"type": "object"}})},
    })]},
    "ItemPage": _obj({"items": {"type": "array", "items": _ref("ItemSummary")},
                      "total": INT, "page": INT, "per_page": INT, "pages": INT},
                     ("items", "total", "page", "per_page", "pages")),
    "ItemCount": _obj({"total": INT}, ("total",)),
    "Upload": _obj({"upload_id": S, "sha256": S, "filename": S, "size": INT, "content_type": S},
                   ("upload_id", "sha256", "size", "content_type")),
    "AttachmentRef": _body_schema(ATTACHMENT_REF),
    "RegisterBody": _body_schema(REGISTER),
    **{_camel(name): _body_schema(spec) for name, (spec, _) in ACTIONS.items()},
}

_CODE_PARAM = {"name": "code", "in": "path", "required": True, "schema": S,
               "description": "item code, e.g. 2026-045"}
_FILTERS = [
    {"name": "state", "in": "query", "schema": {"type": "array", "items": SUMMARY["state"]},
     "style": "form", "explode": True, "description": "repeatable"},
    {"name": "unit", "in": "query", "schema": INT, "description": "lead unit id"},
    {"name": "source", "in": "query", "schema": {"type": "string",
                                                 "enum": [s.value for s in Source]}},
    {"name": "light", "in": "query", "schema": SUMMARY["light"]},
    {"name": "due_from", "in": "query", "schema": D},
    {"name": "due_to", "in": "query", "schema": D},
    {"name": "q", "in": "query", "schema": S, "description": "text in code, title or content"},
]
_PAGING = [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
           {"name": "per_page", "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": queries.MAX_PER_PAGE}}]

PATHS: dict[str, dict] = {
    "/items": {
        "get": {"summary": "Items this user may see, filtered, newest first",
                "parameters": _FILTERS + _PAGING,
                "responses": {"200": {"description": "one page", **_json("ItemPage")},
                              **_errors(422)}},
        "post": {"summary": "登记 (office): register an item, optionally assigning it at once",
                 "requestBody": {"required": True, **_json("RegisterBody")},
                 "responses": {"201": {"description": "registered; Location: the item",
                                       "headers": {"Location": {"schema": S}},
                                       **_json("Item")},
                               **_errors(403, 413, 422)}},
    },
    "/items/count": {"get": {
        "summary": "How many items this user may see that match the filters",
        "parameters": _FILTERS,
        "responses": {"200": {"description": "count", **_json("ItemCount")}, **_errors(422)}}},
    "/items/{code}": {"get": {
        "summary": "One item: facts, light, allowed actions, requests, feedback, timeline",
        "parameters": [_CODE_PARAM],
        "responses": {"200": {"description": "the item", **_json("Item")}, **_errors(404)}}},
    **{f"/items/{{code}}/{name}": {"post": {
        "summary": f"{TRANSITIONS[name].label} ({name})",
        "parameters": [_CODE_PARAM],
        "requestBody": {"required": bool(spec), **_json(_camel(name))},
        "responses": {"200": {"description": "done; the item after the action",
                              **_json("Item")}, **_errors(403, 404, 409, 413, 422)},
    }} for name, (spec, _) in ACTIONS.items()},
    "/items/{code}/attachments": {"post": {
        "summary": "Upload one feedback evidence file (PDF, Word, Excel, WPS, OFD or a photo) "
                   "as the raw body",
        "parameters": [_CODE_PARAM, {
            "name": "X-Filename", "in": "header", "schema": S,
            "description": "the file's name, percent-encoded UTF-8"}],
        "requestBody": {"required": True, "content": {
            t: {"schema": {"type": "string", "format": "binary"}} for t in sorted(DEFAULT_ALLOWED)
        }},
        "responses": {"201": {"description": "stored; refer to it by sha256 in submit_*",
                              **_json("Upload")},
                      **_errors(403, 404, 409, 413, 415, 422)}}},
    "/items/{code}/attachments/{attachment_id}": {"get": {
        "summary": "Download a feedback attachment",
        "parameters": [_CODE_PARAM, {"name": "attachment_id", "in": "path", "required": True,
                                     "schema": INT}],
        "responses": {"200": {"description": "the file, as an attachment", "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
            **_errors(404)}}},
}

api.register(bp, PATHS, SCHEMAS)
