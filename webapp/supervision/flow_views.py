"""Pages of the bureau's workflow around an item: 分解 and its closing, 立项 and 复核, 调整, 节点,
and the 批示件/来文 on file. One POST route per action, one service call each, on the item
pages' blueprint (a refusal shows the item again with the form that failed, like views.py)."""

from __future__ import annotations

from flask import request

from webapp.media.store import send_blob
from webapp.supervision import adjust, approval, forms, milestones, sources, split
from webapp.supervision.access import get_item
from webapp.supervision.views import _actor, _detail_again, _done, _files, bp
from webapp.supervision.workflow import refusal
from webapp.transaction import on_refusal
from webapp.validation import parse_id


def _decision() -> dict:
    return {"approve": forms.decision(request.form), "note": request.form.get("note")}


@bp.post("/<code>/split")
@on_refusal(_detail_again)
def split_item(code: str):
    made = split.split_item(get_item(code, _actor()), actor=_actor(), children=[
        split.Child(**c) for c in forms.split_args(request.form)])
    return _done(code, f"已分解为 {len(made)} 个子事项：{'、'.join(c.code for c in made)}")


@bp.post("/<code>/close")
@on_refusal(_detail_again)
def close_split(code: str):
    split.close_split(get_item(code, _actor()), actor=_actor(),
                      reason=request.form.get("reason"))
    return _done(code, "分解事项已办结")


@bp.post("/<code>/submit-approval")
@on_refusal(_detail_again)
def submit_approval(code: str):
    approval.submit_approval(get_item(code, _actor()), actor=_actor())
    return _done(code, "已提请领导立项审批")


@bp.post("/<code>/approval")
@on_refusal(_detail_again)
def decide_approval(code: str):
    args = _decision()
    approval.decide_approval(get_item(code, _actor()), actor=_actor(), **args)
    return _done(code, "已同意立项" if args["approve"] else "已退回立项，意见已告知督办员")


@bp.post("/<code>/confirm")
@on_refusal(_detail_again)
def confirm(code: str):
    args = _decision()
    approval.confirm_closing(get_item(code, _actor()), actor=_actor(), **args)
    return _done(code, "复核同意，事项已办结" if args["approve"] else "复核未同意，已退回督办员")


@bp.post("/<code>/adjust")
@on_refusal(_detail_again)
def adjust_item(code: str):
    row = adjust.adjust_item(get_item(code, _actor()), actor=_actor(),
                             **forms.adjust_args(request.form))
    return _done(code, "调整已提交，待领导审批" if row.state == "pending" else "事项已调整")


@bp.post("/<code>/adjustment/decide")
@on_refusal(_detail_again)
def decide_adjustment(code: str):
    args = _decision()
    adjust.decide_adjustment(get_item(code, _actor()), actor=_actor(), **args)
    return _done(code, "已同意调整" if args["approve"] else "已不同意调整")


@bp.post("/<code>/milestones")
@on_refusal(_detail_again)
def add_milestone(code: str):
    milestones.add_milestone(get_item(code, _actor()), actor=_actor(),
                             title=request.form.get("title", ""),
                             due_date=forms.date_field(request.form, "due_date", "节点日期"))
    return _done(code, "节点已设置")


@bp.post("/<code>/milestones/reach")
@on_refusal(_detail_again)
def reach_milestone(code: str):
    milestones.reach_milestone(
        get_item(code, _actor()), actor=_actor(), note=request.form.get("note"),
        milestone_id=parse_id(request.form.get("milestone_id"), field="milestone_id",
                              label="节点"))
    return _done(code, "节点完成情况已报告")


@bp.post("/<code>/sources")
@on_refusal(_detail_again)
def attach_source(code: str):
    item, actor = get_item(code, _actor()), _actor()
    refused = refusal(item, "attach_source", actor)  # before any file is stored
    if refused is not None:
        raise refused
    files = [(f.filename, sources.ingest(f.stream)) for f in _files("source_files")]
    sources.attach_sources(item, actor=actor, kind=forms.source_kind(request.form), files=files)
    return _done(code, f"已上传 {len(files)} 个文件")


@bp.get("/<code>/sources/<id:file_id>")
def source_file(code: str, file_id: int):
    """A 批示件 or 来文, through the item's visibility filter (404 when hidden)."""
    row = sources.source_file(get_item(code, _actor()), file_id)
    return send_blob(row.sha256, content_type=row.content_type, download_name=row.filename,
                     as_attachment=True)


def init_app(app) -> None:
    """Nothing to do: importing this module added the routes to the item pages' blueprint."""
