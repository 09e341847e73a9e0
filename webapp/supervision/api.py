"""/api/v1/items: supervision items as JSON — list, count, register, detail, every life-cycle
action, and feedback evidence files. Each operation is declared once (webapp.api.declare): its
body and answer models check the request and the answer and make the OpenAPI. Handlers load
the item (404) and call one service, which passes the workflow's gate (403/409)."""

from __future__ import annotations

import re
from urllib.parse import unquote

from flask import Blueprint, Flask, request, url_for

from webapp import api
from webapp.api.declare import File as FileAnswer
from webapp.api.declare import RawBody, body_fields, operation
from webapp.audit import services as audit
from webapp.auth.access import actor as current_actor
from webapp.auth.models import User
from webapp.errors import InvalidInput, NotAllowed, NotFound, StateConflict
from webapp.extensions import db
from webapp.media import store
from webapp.media.files import DEFAULT_ALLOWED, FileInfo, ingest_file, stored_type
from webapp.supervision import queries, serialize, services, workflow
from webapp.supervision.access import get_item
from webapp.supervision.models import FeedbackAttachment, FeedbackKind, SupervisionItem
from webapp.supervision.schemas import (
    AcceptBody,
    AcknowledgeBody,
    AssignBody,
    CancelBody,
    DecideExtensionBody,
    DecideHandBackBody,
    FeedbackBody,
    InstructBody,
    Item,
    ItemCount,
    ItemPage,
    RegisterBody,
    RemindBody,
    RequestExtensionBody,
    RequestHandBackBody,
    ReturnBody,
    SubmitFinalBody,
    SubmitProgressBody,
    Upload,
)
from webapp.validation import clean_text

bp = Blueprint("items_api", __name__)

CODE = re.compile(r"[0-9]{4}-[0-9]{1,8}(-[0-9]{1,2})?")  # 2026-045, a sub-item 2026-045-1
UPLOAD_EVENT = "upload_attachment"
ACTION = {"answers": {200: Item}, "errors": (403, 409)}  # every life-cycle action's answers


def item_for_api(code: str) -> SupervisionItem:
    """The visible item, else 404 (the services lock it before they act)."""
    if not CODE.fullmatch(code):
        raise NotFound("找不到该督办事项")
    return get_item(code, current_actor())


def _detail(item: SupervisionItem) -> dict:
    return serialize.item_detail(item, current_actor())


# --- list, count, register, detail ------------------------------------------------------------


@operation(bp, "/items", summary="Items this user may see, filtered, newest first",
           query=queries.ItemFilters, answers={200: ItemPage})
def list_items(query: queries.ItemFilters):
    page = queries.search_items(current_actor(), query)
    return ItemPage(items=[serialize.item_summary(i) for i in page.items], total=page.total,
                    page=page.page, per_page=page.per_page, pages=page.pages)


@operation(bp, "/items/count", summary="How many items this user may see match the filters",
           query=queries.ItemFilters, answers={200: ItemCount})
def count_items(query: queries.ItemFilters):
    query.page, query.per_page = 1, 1
    return ItemCount(total=queries.search_items(current_actor(), query).total)


@operation(bp, "/items", "POST", summary="登记 (office): register, optionally assign at once",
           body=RegisterBody, answers={201: Item}, errors=(403,))
def register_item(body: RegisterBody):
    actor = current_actor()
    item = services.register_item(actor=actor, **body.service_args())
    if body.assign is not None:
        with body_fields(AssignBody, "assign."):
            services.assign_item(item, actor=actor, **body.assign.service_args())
    return _detail(item), 201, {"Location": url_for(".item_detail", code=item.code)}


@operation(bp, "/items/<code>", summary="One item: facts, light, allowed actions, requests, "
           "feedback, timeline", answers={200: Item})
def item_detail(code: str):
    return _detail(item_for_api(code))


# --- life-cycle actions: one operation each ---------------------------------------------------


@operation(bp, "/items/<code>/assign", "POST", summary="交办 (assign)", body=AssignBody, **ACTION)
def assign(code: str, body: AssignBody):
    item = item_for_api(code)
    services.assign_item(item, actor=current_actor(), **body.service_args())
    return _detail(item)


@operation(bp, "/items/<code>/acknowledge", "POST", summary="签收 (acknowledge)",
           body=AcknowledgeBody, **ACTION)
def acknowledge(code: str, body: AcknowledgeBody):
    item = item_for_api(code)
    services.acknowledge_item(item, actor=current_actor())
    return _detail(item)


@operation(bp, "/items/<code>/request_hand_back", "POST", summary="申请退回 (request_hand_back)",
           body=RequestHandBackBody, **ACTION)
def request_hand_back(code: str, body: RequestHandBackBody):
    item = item_for_api(code)
    services.request_hand_back(item, actor=current_actor(), reason=body.reason)
    return _detail(item)


@operation(bp, "/items/<code>/decide_hand_back", "POST",
           summary="处理退回申请 (decide_hand_back)", body=DecideHandBackBody, **ACTION)
def decide_hand_back(code: str, body: DecideHandBackBody):
    item = item_for_api(code)
    services.decide_hand_back(item, actor=current_actor(), approve=body.approve, note=body.note,
                              new_lead_unit=body.new_lead_unit_id, due_date=body.due_date)
    return _detail(item)


@operation(bp, "/items/<code>/request_extension", "POST", summary="申请延期 (request_extension)",
           body=RequestExtensionBody, **ACTION)
def request_extension(code: str, body: RequestExtensionBody):
    item = item_for_api(code)
    services.request_extension(item, actor=current_actor(), new_due_date=body.new_due_date,
                               reason=body.reason)
    return _detail(item)


@operation(bp, "/items/<code>/decide_extension", "POST", summary="审批延期 (decide_extension)",
           body=DecideExtensionBody, **ACTION)
def decide_extension(code: str, body: DecideExtensionBody):
    item = item_for_api(code)
    services.decide_extension(item, actor=current_actor(), approve=body.approve, note=body.note)
    return _detail(item)


def _feedback(code: str, body: FeedbackBody, kind: FeedbackKind) -> dict:
    item, actor = item_for_api(code), current_actor()
    services.submit_feedback(
        item, actor=actor, kind=kind, actions_taken=body.actions_taken, result=body.result,
        completed=body.completed is not False, not_done_reason=body.not_done_reason,
        next_steps=body.next_steps, attachments=_evidence(item, actor, body.attachments or []),
        figure=body.figure)
    return _detail(item)


@operation(bp, "/items/<code>/submit_progress", "POST", summary="阶段反馈 (submit_progress)",
           body=SubmitProgressBody, **ACTION)
def submit_progress(code: str, body: SubmitProgressBody):
    return _feedback(code, body, FeedbackKind.PROGRESS)


@operation(bp, "/items/<code>/submit_final", "POST", summary="办结反馈 (submit_final)",
           body=SubmitFinalBody, **ACTION)
def submit_final(code: str, body: SubmitFinalBody):
    return _feedback(code, body, FeedbackKind.FINAL)


@operation(bp, "/items/<code>/accept", "POST", summary="审核通过 (accept)", body=AcceptBody,
           **ACTION)
def accept(code: str, body: AcceptBody):
    item = item_for_api(code)
    services.accept_feedback(item, actor=current_actor(), opinion=body.opinion)
    return _detail(item)


@operation(bp, "/items/<code>/return", "POST", summary="退回重办 (return)", body=ReturnBody,
           **ACTION)
def return_feedback(code: str, body: ReturnBody):
    item = item_for_api(code)
    services.return_feedback(item, actor=current_actor(), reason=body.reason,
                             **({"category": body.category} if body.category else {}))
    return _detail(item)


@operation(bp, "/items/<code>/remind", "POST", summary="催办 (remind)", body=RemindBody, **ACTION)
def remind(code: str, body: RemindBody):
    item = item_for_api(code)
    services.record_reminder(item, actor=current_actor(), channel=body.channel, note=body.note)
    return _detail(item)


@operation(bp, "/items/<code>/cancel", "POST", summary="撤销 (cancel)", body=CancelBody, **ACTION)
def cancel(code: str, body: CancelBody):
    item = item_for_api(code)
    services.cancel_item(item, actor=current_actor(), reason=body.reason)
    return _detail(item)


@operation(bp, "/items/<code>/instruct", "POST", summary="领导批示 (instruct)", body=InstructBody,
           **ACTION)
def instruct(code: str, body: InstructBody):
    item = item_for_api(code)
    services.add_instruction(item, actor=current_actor(), text=body.text,
                             instructed_on=body.date)
    return _detail(item)


# --- evidence files -----------------------------------------------------------------------------


def _may_submit(item: SupervisionItem, actor: User) -> None:
    """Evidence is uploaded by whoever may submit feedback now (the lead unit's liaison)."""
    refused = workflow.refusal(item, "submit_progress", actor)
    if refused is None:
        return
    if isinstance(refused, StateConflict):
        raise StateConflict(f"事项当前状态为“{item.state.label}”，不能上传反馈附件",
                            code="invalid_state")
    if isinstance(refused, NotAllowed):
        raise NotAllowed("只有承办单位的联络员可以上传反馈附件")
    raise refused


def _uploads(item: SupervisionItem, actor: User) -> dict[str, str]:
    """sha256 -> filename of the files this actor's unit uploaded for this item."""
    return {e.details.get("sha256"): e.details.get("filename")
            for e in audit.events_for("item", item.code)
            if e.action == UPLOAD_EVENT and e.unit_id == actor.unit_id}


def _evidence(item: SupervisionItem, actor: User, refs) -> list[tuple[str, FileInfo]]:
    """Attachment references -> (filename, FileInfo), type sniffed again from the stored bytes."""
    uploaded = _uploads(item, actor) if refs else {}
    out = []
    for ref in refs:
        sha = ref.sha256.strip().lower()
        if sha not in uploaded or not store.is_sha256(sha) or not store.has_blob(sha):
            raise InvalidInput("附件未上传或已失效，请重新上传", field="attachments")
        try:
            content_type = stored_type(sha)  # checked again by content, as when uploaded
        except InvalidInput:
            raise InvalidInput("附件类型不受支持", code="unsupported_type",
                               field="attachments") from None
        size = store.blob_path(sha).stat().st_size
        out.append((ref.filename or uploaded[sha], FileInfo(sha, size, content_type)))
    return out


@operation(bp, "/items/<code>/attachments", "POST",
           summary="Upload one feedback evidence file (PDF, Word, Excel, WPS, OFD or a "
           "photo) as the raw body",
           raw_body=RawBody(tuple(sorted(DEFAULT_ALLOWED)),
                            {"X-Filename": "the file's name, percent-encoded UTF-8"}),
           answers={201: Upload}, errors=(403, 409, 415))
def upload_attachment(code: str):
    item, actor = item_for_api(code), current_actor()
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
    return Upload(upload_id=info.sha256, sha256=info.sha256, filename=name, size=info.size,
                  content_type=info.content_type), 201


@operation(bp, "/items/<code>/attachments/<id:attachment_id>",
           summary="Download a feedback attachment", answers={200: FileAnswer()})
def download_attachment(code: str, attachment_id: int):
    item = item_for_api(code)
    row = db.session.get(FeedbackAttachment, attachment_id)
    if row is None or row.feedback.item_id != item.id:
        raise NotFound("找不到该附件")
    return store.send_blob(row.sha256, content_type=row.content_type,
                           download_name=row.filename, as_attachment=True)


api.register(bp)


def init_app(app: Flask) -> None:
    """Nothing to do: importing this module registered the routes under /api/v1."""
