"""/api/v1/items: the bureau's workflow around an item — 分解 and its closing, 立项 and 复核, 调整,
节点, and the 批示件/来文 on file. Each operation is one service call that passes the workflow's
gate, like the life-cycle actions in supervision/api.py."""

from __future__ import annotations

from urllib.parse import unquote

from flask import Blueprint, Flask, request

from webapp import api
from webapp.api.declare import File as FileAnswer
from webapp.api.declare import RawBody, operation
from webapp.auth.access import actor as current_actor
from webapp.errors import InvalidInput
from webapp.media import store
from webapp.supervision import adjust, approval, milestones, serialize, sources, split
from webapp.supervision.api import item_for_api
from webapp.supervision.models import SourceKind, SupervisionItem
from webapp.supervision.schemas import (
    AddMilestoneBody,
    AdjustBody,
    AssignBody,
    CloseBody,
    ConfirmBody,
    DecideAdjustmentBody,
    DecideApprovalBody,
    Item,
    ReachMilestoneBody,
    SourceFileRow,
    SplitBody,
    SplitResult,
    SubmitApprovalBody,
)
from webapp.supervision.workflow import refusal
from webapp.validation import clean_text, parse_choice

bp = Blueprint("flow_api", __name__)
ACTION = {"answers": {200: Item}, "errors": (403, 409)}


def _detail(item: SupervisionItem) -> dict:
    return serialize.item_detail(item, current_actor())


# --- 分解 ---------------------------------------------------------------------------------------


@operation(bp, "/items/<code>/split", "POST", summary="分解交办 (split): one sub-item per unit "
           "or task; answers their codes", body=SplitBody, answers={200: SplitResult},
           errors=(403, 409))
def split_item(code: str, body: SplitBody):
    item = item_for_api(code)
    try:
        made = split.split_item(item, actor=current_actor(), children=[
            split.Child(**c.service_args()) for c in body.children])
    except InvalidInput as err:  # children[1].lead_unit -> children[1].lead_unit_id
        head, _, name = (err.field or "").rpartition(".")
        if head:
            err.field = f"{head}.{AssignBody.service_fields.get(name, name)}"
        raise
    return SplitResult(children=[c.code for c in made], item=_detail(item))


@operation(bp, "/items/<code>/close", "POST", summary="办结 a split item (close): a reason while "
           "sub-items are open", body=CloseBody, **ACTION)
def close(code: str, body: CloseBody):
    item = item_for_api(code)
    split.close_split(item, actor=current_actor(), reason=body.reason)
    return _detail(item)


# --- 立项 and 复核 -------------------------------------------------------------------------------


@operation(bp, "/items/<code>/submit_approval", "POST", summary="提请立项 (submit_approval)",
           body=SubmitApprovalBody, **ACTION)
def submit_approval(code: str, body: SubmitApprovalBody):
    item = item_for_api(code)
    approval.submit_approval(item, actor=current_actor())
    return _detail(item)


@operation(bp, "/items/<code>/decide_approval", "POST",
           summary="立项审批 (decide_approval, leader): approve or return with a comment",
           body=DecideApprovalBody, **ACTION)
def decide_approval(code: str, body: DecideApprovalBody):
    item = item_for_api(code)
    approval.decide_approval(item, actor=current_actor(), approve=body.approve, note=body.note)
    return _detail(item)


@operation(bp, "/items/<code>/confirm", "POST",
           summary="领导复核 (confirm, the 批示 leader): confirm 办结 or send it back",
           body=ConfirmBody, **ACTION)
def confirm(code: str, body: ConfirmBody):
    item = item_for_api(code)
    approval.confirm_closing(item, actor=current_actor(), approve=body.approve, note=body.note)
    return _detail(item)


# --- 调整 ---------------------------------------------------------------------------------------


@operation(bp, "/items/<code>/adjust", "POST", summary="调整 (adjust): the fields sent change, "
           "with a reason (a leader approves it where the policy asks)", body=AdjustBody,
           **ACTION)
def adjust_item(code: str, body: AdjustBody):
    item = item_for_api(code)
    adjust.adjust_item(item, actor=current_actor(), **body.service_args())
    return _detail(item)


@operation(bp, "/items/<code>/decide_adjustment", "POST",
           summary="审批调整 (decide_adjustment, leader)", body=DecideAdjustmentBody, **ACTION)
def decide_adjustment(code: str, body: DecideAdjustmentBody):
    item = item_for_api(code)
    adjust.decide_adjustment(item, actor=current_actor(), approve=body.approve, note=body.note)
    return _detail(item)


# --- 节点 ---------------------------------------------------------------------------------------


@operation(bp, "/items/<code>/add_milestone", "POST", summary="设置节点 (add_milestone)",
           body=AddMilestoneBody, **ACTION)
def add_milestone(code: str, body: AddMilestoneBody):
    item = item_for_api(code)
    milestones.add_milestone(item, actor=current_actor(), title=body.title,
                             due_date=body.due_date)
    return _detail(item)


@operation(bp, "/items/<code>/reach_milestone", "POST",
           summary="节点完成 (reach_milestone, the lead unit)", body=ReachMilestoneBody, **ACTION)
def reach_milestone(code: str, body: ReachMilestoneBody):
    item = item_for_api(code)
    milestones.reach_milestone(item, actor=current_actor(), milestone_id=body.milestone_id,
                               note=body.note)
    return _detail(item)


# --- 批示件 / 来文 --------------------------------------------------------------------------------

@operation(bp, "/items/<code>/attach_source", "POST",
           summary="Attach a scanned 批示件, 来文 or 会议纪要 (PDF or a photo) as the raw body",
           raw_body=RawBody(tuple(sorted(sources.SOURCE_TYPES)),
                            {"X-Filename": "the file's name, percent-encoded UTF-8",
                             "X-Source-Kind": "instruction, incoming, minutes or other "
                                              "(default instruction)"}),
           answers={201: SourceFileRow}, errors=(403, 409, 415))
def attach_source(code: str):
    item, actor = item_for_api(code), current_actor()
    kind = parse_choice(request.headers.get("X-Source-Kind") or "instruction", SourceKind,
                        field="kind", label="文件类别")
    try:
        raw = unquote(request.headers.get("X-Filename", ""), errors="strict")
    except UnicodeDecodeError:
        raise InvalidInput("文件名编码不正确（应为 UTF-8 百分号编码）", field="filename") from None
    name = clean_text(raw, field="filename", label="文件名", required=False, max_len=255,
                      single_line=True)
    refused = refusal(item, "attach_source", actor)  # before the bytes are stored
    if refused is not None:
        raise refused
    row, = sources.attach_sources(item, actor=actor, kind=kind,
                                  files=[(name, sources.ingest(request.stream))])
    return serialize.source_row(row), 201


@operation(bp, "/items/<code>/source_files/<id:file_id>",
           summary="Download a 批示件 or 来文 (a sub-item's: its parent's too)",
           answers={200: FileAnswer()})
def download_source(code: str, file_id: int):
    row = sources.source_file(item_for_api(code), file_id)
    return store.send_blob(row.sha256, content_type=row.content_type,
                           download_name=row.filename, as_attachment=True)


api.register(bp)


def init_app(app: Flask) -> None:
    """Nothing to do: importing this module registered the routes under /api/v1."""
