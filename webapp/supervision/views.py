"""Pages of the item life cycle: list, register, detail with its action forms, file downloads.

Every page loads items through the visibility filter (access.get_item / search_items); every
POST calls one service, which passes the workflow's gate (row lock, role, unit, state); the
request commits once (webapp.transaction).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp.auth.access import roles_required
from webapp.auth.models import Role, User
from webapp.errors import DomainError, InvalidInput, NotAllowed, NotFound
from webapp.extensions import db, login_manager
from webapp.media.files import evidence_limits, ingest_file
from webapp.media.store import send_blob
from webapp.org.models import Unit
from webapp.people import services as people
from webapp.supervision import forms, item_people, policy, services, sources
from webapp.supervision.access import get_item, is_lead_liaison
from webapp.supervision.flow_context import flow_context
from webapp.supervision.lights import Light
from webapp.supervision.models import (
    MANUAL_CHANNELS,
    Feedback,
    FeedbackAttachment,
    FeedbackKind,
    ItemState,
    RequestState,
    Source,
    SourceKind,
    SupervisionItem,
    Urgency,
)
from webapp.supervision.queries import (
    PAGE_SIZES,
    ItemFilters,
    SortDir,
    SortKey,
    light_of,
    search_items,
)
from webapp.supervision.resubmit import carried_attachments, returned_feedback
from webapp.supervision.timeline import item_timeline
from webapp.supervision.workflow import allowed_actions
from webapp.transaction import on_refusal
from webapp.validation import parse_id

bp = Blueprint("supervision", __name__, template_folder="templates", url_prefix="/items")

MAX_EVIDENCE_FILES = 10


def init_app(app):
    app.register_blueprint(bp)


@bp.before_request
def _login_required():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.context_processor
def _labels():
    return {"ItemState": ItemState, "Source": Source, "Urgency": Urgency,
            "MANUAL_CHANNELS": MANUAL_CHANNELS, "SourceKind": SourceKind,
            "source_limits": sources.upload_limits, "light_of": light_of}




def _actor() -> User:
    return current_user._get_current_object()


def _units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.id)))


# --- list -------------------------------------------------------------------------------


@bp.get("/")
def item_list():
    """督办事项 list: filters, lights, pages; what the actor may see only."""
    actor = _actor()
    if actor.role == Role.INSPECTOR:
        raise NotAllowed("督查员不使用督办事项列表，请从“暗访检查”进入")
    ctx = {"units": _units(), "lights": [Light.RED, Light.YELLOW, Light.GREEN],
           "args": request.args, "page_sizes": PAGE_SIZES, "sort_url": _sort_url,
           "export_args": {k: v for k, v in request.args.to_dict(flat=False).items()
                           if k not in ("page", "per_page")}}
    try:
        filters = ItemFilters.from_args(request.args)
    except InvalidInput as err:
        return render_template("supervision/item_list.html", error=err.message, page=None,
                               **ctx), 422
    page = search_items(actor, filters)
    return render_template("supervision/item_list.html", page=page, filters=filters,
                           page_url=_page_url, **ctx)


def _page_url(number: int) -> str:
    args = request.args.to_dict(flat=False)
    args["page"] = [str(number)]
    return url_for(".item_list", **args)


def _sort_url(key: str) -> tuple[str, str | None]:
    """A column header's link (sort by it, ascending; again: descending) and its aria-sort."""
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    current, direction = request.args.get("sort"), request.args.get("dir") or SortDir.ASC
    on = current == SortKey(key)
    args["sort"] = [key]
    args["dir"] = [SortDir.DESC if on and direction == SortDir.ASC else SortDir.ASC]
    state = ("ascending" if direction == SortDir.ASC else "descending") if on else None
    return url_for(".item_list", **args), state


# --- register -------------------------------------------------------------------------------


def _register_again(err: DomainError):
    return render_template("supervision/item_new.html", form=request.form,
                           error=err.message, error_field=err.field,
                           approval_sources=policy.current().approval_list), err.status


def _files(name: str) -> list:
    files = [f for f in request.files.getlist(name) if f and f.filename]
    if len(files) > sources.MAX_FILES:
        raise InvalidInput(f"一次最多上传 {sources.MAX_FILES} 个文件", field=name)
    return files


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.OFFICE)
@on_refusal(_register_again)
def item_new():
    """登记: the registration form; refused input is shown again with the message (422)."""
    if request.method == "GET":
        return render_template("supervision/item_new.html", form={},
                               approval_sources=policy.current().approval_list)
    item = services.register_item(actor=_actor(), **forms.register_args(request.form))
    files = _files("source_files")
    if files:  # the 批示件 / 来文 scanned with it
        sources.attach_sources(item, actor=_actor(), kind=forms.source_kind(request.form),
                               files=[(f.filename, sources.ingest(f.stream)) for f in files])
    flash(f"已登记督办事项 {item.code}", "success")
    return redirect(url_for(".item_detail", code=item.code))


# --- detail -------------------------------------------------------------------------------


@bp.get("/<code>")
def item_detail(code: str):
    """Everything about one item, with the action forms the actor may use now."""
    return _render_detail(get_item(code, _actor()))


def _render_detail(item: SupervisionItem, *, error: str | None = None,
                   failed: str | None = None, status: int = 200):
    actor = _actor()
    return render_template(
        "supervision/item_detail.html", item=item, light=light_of(item),
        actions=set(allowed_actions(item, actor)), units=_units(),
        timeline=item_timeline(item.code), is_lead=is_lead_liaison(item, actor),
        pending_hand_back=_pending(item.hand_back_requests),
        pending_extension=_pending(item.extension_requests),
        error=error, failed=failed, posted=request.form if failed else {},
        FeedbackKind=FeedbackKind, returned=returned_feedback(item, actor.unit_id),
        evidence=evidence_limits(max_files=MAX_EVIDENCE_FILES), **flow_context(item, actor),
    ), status


def _pending(requests):
    return next((r for r in requests if r.state == RequestState.PENDING), None)


@bp.get("/<code>/attachments/<id:attachment_id>")
def attachment(code: str, attachment_id: int):
    """A feedback's evidence file, through the item's visibility filter (404 when hidden)."""
    item = get_item(code, _actor())
    row = db.session.scalar(
        select(FeedbackAttachment).join(Feedback)
        .where(FeedbackAttachment.id == attachment_id, Feedback.item_id == item.id)
    )
    if row is None:
        raise NotFound("找不到该附件")
    return send_blob(row.sha256, content_type=row.content_type, download_name=row.filename,
                     as_attachment=True)


# --- actions: one POST route each, one service call each -------------------------------------
# A refusal shows the detail page again with the message, the form that failed opened with
# what was typed, and the refusal's status (the request's transaction rolls back).


def _detail_again(err: DomainError, code: str):
    if isinstance(err, NotFound):
        raise err
    action = request.endpoint.rpartition(".")[2]
    return _render_detail(get_item(code, _actor()), error=err.message, failed=action,
                          status=err.status)


def _done(code: str, message: str):
    flash(message, "success")
    return redirect(url_for(".item_detail", code=code))


@bp.post("/<code>/assign")
@on_refusal(_detail_again)
def assign(code: str):
    services.assign_item(get_item(code, _actor()), actor=_actor(),
                         **forms.assign_args(request.form))
    return _done(code, "已交办")


@bp.post("/<code>/acknowledge")
@on_refusal(_detail_again)
def acknowledge(code: str):
    services.acknowledge_item(get_item(code, _actor()), actor=_actor())
    return _done(code, "已签收")


@bp.post("/<code>/hand-back")
@on_refusal(_detail_again)
def hand_back(code: str):
    services.request_hand_back(get_item(code, _actor()), actor=_actor(),
                               reason=request.form.get("reason", ""))
    return _done(code, "退回申请已提交，请等待督办员处理")


@bp.post("/<code>/hand-back/decide")
@on_refusal(_detail_again)
def decide_hand_back(code: str):
    services.decide_hand_back(get_item(code, _actor()), actor=_actor(),
                              **forms.decide_hand_back_args(request.form))
    return _done(code, "退回申请已处理")


@bp.post("/<code>/extension")
@on_refusal(_detail_again)
def extension(code: str):
    services.request_extension(get_item(code, _actor()), actor=_actor(),
                               **forms.extension_args(request.form))
    return _done(code, "延期申请已提交，请等待审批")


@bp.post("/<code>/extension/decide")
@on_refusal(_detail_again)
def decide_extension(code: str):
    services.decide_extension(get_item(code, _actor()), actor=_actor(),
                              **forms.decide_extension_args(request.form))
    return _done(code, "延期申请已审批")


@bp.post("/<code>/feedback")
@on_refusal(_detail_again)
def feedback(code: str):
    actor = _actor()
    item, args = get_item(code, actor), forms.feedback_args(request.form)
    files = [f for f in request.files.getlist("evidence") if f and f.filename]
    kept = carried_attachments(item, actor.unit_id, request.form.getlist("keep_attachment"))
    if len(files) + len(kept) > MAX_EVIDENCE_FILES:
        raise InvalidInput(f"一份反馈最多 {MAX_EVIDENCE_FILES} 个附件（含沿用的）",
                           field="evidence")
    # Every file is checked and stored before the service runs, so a refused file leaves no
    # feedback row. Blobs stored before a later refusal stay as unreferenced, content-addressed
    # orphans: harmless (never served without a row) and acceptable.
    attachments = kept + [(f.filename, ingest_file(f.stream)) for f in files]
    services.submit_feedback(item, actor=actor, attachments=attachments, **args)
    return _done(code, "反馈已提交")


@bp.post("/<code>/accept")
@on_refusal(_detail_again)
def accept(code: str):
    services.accept_feedback(get_item(code, _actor()), actor=_actor(),
                             opinion=request.form.get("opinion"))
    return _done(code, "审核通过，事项已办结")


@bp.post("/<code>/return")
@on_refusal(_detail_again)
def return_feedback(code: str):
    services.return_feedback(get_item(code, _actor()), actor=_actor(),
                             **forms.return_args(request.form))
    return _done(code, "已退回重办")


@bp.post("/<code>/remind")
@on_refusal(_detail_again)
def remind(code: str):
    services.record_reminder(get_item(code, _actor()), actor=_actor(),
                             **forms.remind_args(request.form))
    return _done(code, "催办已记录")


@bp.post("/<code>/cancel")
@on_refusal(_detail_again)
def cancel(code: str):
    services.cancel_item(get_item(code, _actor()), actor=_actor(),
                         reason=request.form.get("reason", ""))
    return _done(code, "事项已撤销")


@bp.post("/<code>/instruct")
@on_refusal(_detail_again)
def instruct(code: str):
    services.add_instruction(get_item(code, _actor()), actor=_actor(),
                             text=request.form.get("text", ""))
    return _done(code, "批示已记录")


# --- names on items not linked to a person (office, admin) ------------------------------------


def _links_page(error: str | None = None, status: int = 200):
    return render_template("supervision/people_links.html", legacy=item_people.legacy_names(),
                           people_of=people.people_of, error=error), status


@bp.get("/people")
@roles_required(*people.MANAGERS)
def people_links():
    return _links_page()


@bp.post("/people/link")
@roles_required(*people.MANAGERS)
@on_refusal(lambda err: _links_page(err.message, err.status))
def link_person():
    person = people.get_person(parse_id(request.form.get("person_id"), field="person_id",
                                        label="人员"))
    changed = item_people.link_legacy(
        actor=_actor(), role=request.form.get("role", ""), name=request.form.get("name", ""),
        unit_id=parse_id(request.form.get("unit_id"), field="unit_id", label="单位",
                         required=False), person=person)
    flash(f"已关联 {changed} 个事项", "success")
    return redirect(url_for(".people_links"))
