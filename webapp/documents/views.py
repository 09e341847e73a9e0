"""Document pages: list, detail, downloads, previews (drafts), issuing, void/correct, retry,
and the admin's issuer settings. Thin: each route calls one service; the request commits once
(webapp.transaction) and issued documents are rendered after that commit."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select

from webapp.auth.access import roles_required
from webapp.auth.models import Role
from webapp.database import local_today
from webapp.documents import kinds, services, signoff
from webapp.documents import settings as issuer_settings
from webapp.documents.access import get_document, visible_documents
from webapp.documents.kinds import Subject
from webapp.documents.models import (
    OPEN_DRAFT_STATES,
    Document,
    DocumentDraft,
    DocumentKind,
    DocumentState,
)
from webapp.documents.services import DOCX, PDF, Options
from webapp.errors import DomainError, InvalidInput, NotFound
from webapp.extensions import db
from webapp.inspections.access import get_inspection
from webapp.inspections.models import InspectionState
from webapp.media.store import content_disposition, send_blob
from webapp.org.models import Unit
from webapp.security import FILE_CSP
from webapp.supervision.access import get_item
from webapp.transaction import after_commit, on_refusal
from webapp.validation import page_arg, parse_date

bp = Blueprint("documents", __name__, url_prefix="/documents", template_folder="templates")
PER_PAGE = 50


def _item_kind(name: str) -> kinds.Kind:
    kind = kinds.get(name)
    if kind.subject != Subject.ITEM:
        raise NotFound("没有这种公文")
    return kind


# --- list and detail ---------------------------------------------------------------------


@bp.route("/")
@roles_required()
def document_list():
    kind = request.args.get("kind") or None
    stmt = visible_documents(current_user)
    if kinds.find(kind):
        stmt = stmt.where(Document.kind == kind)
    page = page_arg(request.args.get("page"))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    docs = db.session.scalars(stmt.order_by(Document.issued_at.desc(), Document.id.desc())
                              .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render_template("documents/list.html", docs=docs, total=total, page=page,
                           per_page=PER_PAGE, kind=kind, kinds=kinds.choices())


def render_detail(doc: Document, *, error: str | None = None, status: int = 200):

    replaced_by = db.session.scalar(select(Document).where(Document.replaces_id == doc.id))
    return render_template(
        "documents/detail.html", doc=doc, error=error, replaced_by=replaced_by,
        rule=kinds.get(doc.kind)), status


@bp.route("/<id:doc_id>")
@roles_required()
def document_detail(doc_id: int):
    return render_detail(get_document(doc_id, current_user))


@bp.route("/<id:doc_id>/file.<fmt>")
@roles_required()
def download(doc_id: int, fmt: str):
    doc = get_document(doc_id, current_user)
    if fmt not in ("pdf", "docx"):
        raise NotFound("没有这种格式")
    sha = doc.pdf_sha256 if fmt == "pdf" else doc.docx_sha256
    if sha is None:
        raise NotFound("该公文的文件尚未生成")
    return send_blob(sha, content_type=PDF if fmt == "pdf" else DOCX,
                     download_name=services.download_name(doc, fmt), as_attachment=True)


def _detail_again(err: DomainError, doc_id: int):
    if isinstance(err, NotFound):
        raise err
    return render_detail(get_document(doc_id, current_user), error=err.message,
                         status=err.status)


@bp.route("/<id:doc_id>/render", methods=["POST"])
@roles_required(Role.OFFICE)
@on_refusal(_detail_again)
def retry(doc_id: int):
    ok = services.retry_render(get_document(doc_id, current_user), actor=current_user)
    flash("文件已重新生成" if ok else "生成仍然失败，请查看错误信息", "success" if ok else "error")
    return redirect(url_for("documents.document_detail", doc_id=doc_id))


@bp.route("/<id:doc_id>/void", methods=["POST"])
@roles_required(Role.OFFICE)
@on_refusal(_detail_again)
def void(doc_id: int):
    services.void_document(get_document(doc_id, current_user), actor=current_user,
                           reason=request.form.get("reason"))
    flash("公文已作废，文号保留在案", "success")
    return redirect(url_for("documents.document_detail", doc_id=doc_id))


@bp.route("/<id:doc_id>/correct", methods=["POST"])
@roles_required(Role.OFFICE)
@on_refusal(_detail_again)
def correct(doc_id: int):
    doc = get_document(doc_id, current_user)
    if signoff.required(doc.kind):  # the correction is signed first; the original stays valid
        draft = signoff.draft_document(doc.kind, actor=current_user, item=doc.item,
                                       options=services._options_of(doc), replaces=doc,
                                       reason=request.form.get("reason"))
        return _drafted(draft)
    new = services.correct_document(doc, actor=current_user, reason=request.form.get("reason"))
    return _issued(new, f"原公文已作废，更正后的公文 {new.doc_number} 已印发")


def _drafted(draft):
    flash(f"已拟稿（{draft.ref}），核稿后送领导签发", "success")
    return redirect(url_for("documents.draft_detail", draft_id=draft.id))


def _issued(doc: Document, message: str):
    """After issuing: its files are rendered once the transaction commits (the service queued
    that); then tell the user whether they were."""
    flash(message, "success")
    after_commit(_tell_render_failure, doc.id)
    return redirect(url_for("documents.document_detail", doc_id=doc.id))


def _tell_render_failure(doc_id: int) -> None:
    doc = db.session.get(Document, doc_id)
    if doc is not None and not doc.rendered:
        flash("公文已印发（文号已登记），但文件生成失败，可在公文页面“重新生成”", "error")


# --- drafts and issuing --------------------------------------------------------------------


def _draft_response(data: bytes, fmt: str, title: str) -> Response:
    name = f"草稿 {title}.{fmt}"
    resp = Response(data, mimetype=PDF if fmt == "pdf" else DOCX)
    resp.headers["Content-Disposition"] = content_disposition(name, as_attachment=fmt != "pdf")
    resp.headers["Content-Security-Policy"] = FILE_CSP
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _item_options() -> Options:
    return Options(new_due_date=parse_date(request.values.get("new_due_date"),
                                           field="new_due_date", label="新的办结时限",
                                           required=False))


@bp.route("/items/<code>/preview/<kind>")
@roles_required(Role.OFFICE, Role.LEADER)
def preview_item(code: str, kind: str):
    item = get_item(code, current_user)
    kind = _item_kind(kind)
    fmt = request.args.get("format", "pdf")
    data = services.preview(kind, actor=current_user, item=item, options=_item_options(),
                            fmt=fmt)
    return _draft_response(data, fmt, f"{kind.label} {item.code}")


@bp.route("/items/<code>/draft/<kind>", methods=["POST"])
@roles_required(Role.OFFICE)
def draft_item(code: str, kind: str):
    item = get_item(code, current_user)
    draft = signoff.draft_document(_item_kind(kind), actor=current_user, item=item,
                                   options=_item_options())
    return _drafted(draft)


@bp.route("/items/<code>/issue/<kind>", methods=["POST"])
@roles_required(Role.OFFICE)
def issue_item(code: str, kind: str):
    item = get_item(code, current_user)
    kind = _item_kind(kind)
    doc = services.issue_document(kind, actor=current_user, item=item, options=_item_options())
    return _issued(doc, f"{kind.label} {doc.doc_number} 已印发")


def _circular_options(form) -> Options:
    def pairs(prefix: str) -> list[dict]:
        rows = []
        for unit_id, reason in zip(form.getlist(f"{prefix}_unit"),
                                   form.getlist(f"{prefix}_reason"), strict=False):
            if not unit_id and not (reason or "").strip():
                continue
            if not unit_id:
                raise InvalidInput("填写了理由但未选择单位", field=prefix)
            rows.append({"unit_id": unit_id, "reason": reason})
        return rows

    return Options(
        start=parse_date(form.get("start"), field="start", label="开始日期"),
        end=parse_date(form.get("end"), field="end", label="结束日期"),
        summary=form.get("summary"), requirements=form.get("requirements"),
        praised=pairs("praised"), criticised=pairs("criticised"),
        charts=form.get("charts") == "1")


@bp.route("/circular", methods=["POST"])
@roles_required(Role.OFFICE, Role.LEADER)
def circular():
    action = request.form.get("action", "preview")
    options = _circular_options(request.form)
    if action == "draft":
        return _drafted(signoff.draft_document(DocumentKind.CIRCULAR, actor=current_user,
                                               options=options))
    if action != "issue":
        fmt = "docx" if action == "preview_docx" else "pdf"
        data = services.preview(DocumentKind.CIRCULAR, actor=current_user, options=options,
                                fmt=fmt)
        return _draft_response(data, fmt, "通报")
    doc = services.issue_document(DocumentKind.CIRCULAR, actor=current_user, options=options)
    return _issued(doc, f"通报 {doc.doc_number} 已印发")


@bp.route("/inspections/<uuid>/<action>", methods=["GET", "POST"])
@roles_required(Role.OFFICE, Role.LEADER)
def inspection_record(uuid: str, action: str):
    inspection = get_inspection(uuid, current_user)
    options = Options(inspection_id=inspection.id)
    kind = DocumentKind.INSPECTION_RECORD
    if action == "preview" and request.method == "GET":
        fmt = request.args.get("format", "pdf")
        data = services.preview(kind, actor=current_user, options=options, fmt=fmt)
        return _draft_response(data, fmt, "暗访检查记录")
    if action == "draft" and request.method == "POST":
        return _drafted(signoff.draft_document(kind, actor=current_user, options=options))
    if action != "issue" or request.method != "POST":
        raise NotFound("找不到该页面")
    doc = services.issue_document(kind, actor=current_user, options=options)
    return _issued(doc, f"暗访检查记录 {doc.doc_number} 已印发")


# --- issuer settings (admin) -----------------------------------------------------------------


def _posted_settings() -> dict:
    form = {k: request.form.get(k) for k in request.form}
    form["letter_kinds"] = request.form.getlist("letter_kinds")
    form["signoff_kinds"] = request.form.getlist("signoff_kinds")
    return form


def _settings_page(*, error: str | None = None, status: int = 200, posted: dict | None = None):
    row = issuer_settings.load_settings()
    return render_template(
        "documents/settings.html", row=row, error=error, posted=posted,
        letter=issuer_settings.letter_kinds(row), fonts=issuer_settings.font_paths(row),
        signoff=issuer_settings.signoff_kinds(row),
        slots=issuer_settings.SLOTS, slot_labels=issuer_settings.SLOT_LABELS,
        report=_font_report(row), kinds=kinds.choices(),
    ), status


def _settings_again(err: DomainError):
    return _settings_page(error=err.message, status=err.status, posted=_posted_settings())


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@on_refusal(_settings_again)
def settings():
    if request.method == "POST":
        issuer_settings.update_settings(actor=current_user, form=_posted_settings())
        flash("公文设置已保存，之后印发的公文使用新设置", "success")
        return redirect(url_for("documents.settings"))
    return _settings_page()


def _font_report(row) -> dict:
    """Which font serves each slot now, or the error (so the admin sees what is missing)."""
    try:
        from webapp.documents.rendering import font_report

        issuer = issuer_settings.make_issuer(issuer_settings.snapshot(row),
                                             issuer_settings.font_paths(row))
        return {"slots": font_report(issuer), "error": None}
    except Exception as err:  # a broken font setup must not hide the settings page
        current_app.logger.warning("font report failed: %s", err)
        return {"slots": {}, "error": str(err)}


# --- Jinja globals used by the item and statistics pages -------------------------------------


def item_drafts(item) -> list[DocumentDraft]:
    """Open drafts (签发) about the item, for the office and leaders."""
    if not current_user.is_authenticated or current_user.role not in signoff.SEE_DRAFTS:
        return []
    return _open_drafts(DocumentDraft.item_id == item.id)


def item_documents(item) -> list[Document]:
    """Documents of the item the current user may see, newest first."""
    if not current_user.is_authenticated:
        return []
    stmt = visible_documents(current_user).where(Document.item_id == item.id)
    return list(db.session.scalars(stmt.order_by(Document.id.desc())))


def item_document_actions(item) -> list[dict]:
    """Kinds the office may issue for this item now, with the reason when it cannot."""
    if not current_user.is_authenticated or current_user.role not in (Role.OFFICE, Role.LEADER):
        return []

    today = local_today()
    result = []
    for kind in kinds.about(Subject.ITEM):
        if services.state_blocker(kind, item, today=today):
            continue
        result.append({"kind": str(kind), "label": kind.label, "options": kind.options,
                       "signoff": signoff.required(kind),
                       "blocker": services.issue_blocker(kind, item, today=today)})
    return result


def circular_context(start, end) -> dict:
    """Units to choose from and the circulars already issued for this period."""
    if not current_user.is_authenticated or current_user.role not in (Role.OFFICE, Role.LEADER):
        return {"allowed": False}
    units = db.session.scalars(select(Unit).where(Unit.active).order_by(Unit.code)).all()
    issued = db.session.scalars(select(Document).where(
        Document.kind == DocumentKind.CIRCULAR, Document.period_start == start,
        Document.period_end == end).order_by(Document.id.desc())).all()
    return {"allowed": True, "units": units, "issued": issued,
            "can_issue": current_user.role == Role.OFFICE,
            "signoff": signoff.required(DocumentKind.CIRCULAR),
            "drafts": _open_drafts(DocumentDraft.period_start == start,
                                   DocumentDraft.period_end == end,
                                   DocumentDraft.kind == DocumentKind.CIRCULAR),
            "live": [d for d in issued if d.state == DocumentState.ISSUED]}


def _open_drafts(*where) -> list[DocumentDraft]:
    return list(db.session.scalars(select(DocumentDraft).where(
        DocumentDraft.state.in_(OPEN_DRAFT_STATES), *where).order_by(DocumentDraft.id)))


def inspection_documents(inspection) -> dict:
    """For the inspection page: its records issued so far and whether one may be issued."""
    if not current_user.is_authenticated or current_user.role not in (Role.OFFICE, Role.LEADER):
        return {"allowed": False}

    docs = db.session.scalars(select(Document).where(
        Document.kind == DocumentKind.INSPECTION_RECORD,
        Document.inspection_id == inspection.id).order_by(Document.id.desc())).all()
    live = [d for d in docs if d.state == DocumentState.ISSUED]
    drafts = _open_drafts(DocumentDraft.kind == DocumentKind.INSPECTION_RECORD,
                          DocumentDraft.inspection_id == inspection.id)
    return {"allowed": True, "docs": docs, "drafts": drafts,
            "published": inspection.state == InspectionState.PUBLISHED,
            "signoff": signoff.required(DocumentKind.INSPECTION_RECORD),
            "can_issue": current_user.role == Role.OFFICE and not live and not drafts}


def document_date(doc: Document) -> str:
    """The local issue date (成文日期) of a document, from its stored data."""
    return json.loads(doc.data_json).get("issue_date", "")


def issuer_of(doc: Document) -> str:
    """The 发文机关 as it was when the document was issued."""
    return json.loads(doc.issuer_json).get("mark", "")


JINJA_GLOBALS = {
    "item_documents": item_documents,
    "item_drafts": item_drafts,
    "item_document_actions": item_document_actions,
    "circular_context": circular_context,
    "inspection_documents": inspection_documents,
    "document_date": document_date,
    "issuer_of": issuer_of,
    "verify_link": services.verify_url,
}
