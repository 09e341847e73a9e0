"""Pages of 签发 (webapp/documents/signoff.py): the drafts, one draft with its history and the
steps its reader may take — 修改, 核稿 and 撤回 for the office, 签发 and 退回 for the leader asked
to sign (on a phone too: the page is one column there). Thin: each route calls one service."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp.auth.access import roles_required
from webapp.auth.models import Role, User
from webapp.documents import kinds, signoff
from webapp.documents.kinds import Subject
from webapp.documents.models import OPEN_DRAFT_STATES, DocumentDraft
from webapp.documents.views import _circular_options, _draft_response, _item_options, bp
from webapp.errors import DomainError, NotFound
from webapp.extensions import db
from webapp.transaction import after_commit, on_refusal
from webapp.validation import parse_id


@bp.route("/drafts/")
@roles_required()
def draft_list():
    if current_user.role not in signoff.SEE_DRAFTS:
        raise NotFound("找不到该页面")
    mine = request.args.get("all") is None and current_user.role == Role.LEADER
    stmt = select(DocumentDraft).where(DocumentDraft.state.in_(OPEN_DRAFT_STATES))
    if mine:
        stmt = stmt.where(DocumentDraft.signer_id == current_user.id)
    drafts = db.session.scalars(stmt.order_by(DocumentDraft.id.desc()).limit(200)).all()
    return render_template("documents/drafts.html", drafts=drafts, mine=mine)


def render_draft(draft: DocumentDraft, *, error: str | None = None, status: int = 200):
    from webapp.org.models import Unit

    kind = kinds.get(draft.kind)
    units = (db.session.scalars(select(Unit).where(Unit.active).order_by(Unit.code)).all()
             if kind.subject == Subject.PERIOD else [])
    return render_template(
        "documents/draft.html", draft=draft, kind=kind, error=error, units=units,
        options=signoff.options_of(draft), history=signoff.history(draft),
        leaders=signoff.leaders(), users={u.id: u for u in db.session.scalars(select(User))},
    ), status


def _again(err: DomainError, draft_id: int):
    if isinstance(err, NotFound):
        raise err
    return render_draft(signoff.get_draft(draft_id, current_user), error=err.message,
                        status=err.status)


@bp.route("/drafts/<id:draft_id>")
@roles_required()
def draft_detail(draft_id: int):
    return render_draft(signoff.get_draft(draft_id, current_user))


@bp.route("/drafts/<id:draft_id>/file.<fmt>")
@roles_required()
def draft_file(draft_id: int, fmt: str):
    draft = signoff.get_draft(draft_id, current_user)
    data = signoff.preview(draft, actor=current_user, fmt=fmt)
    return _draft_response(data, fmt, draft.title)


def _to_draft(draft: DocumentDraft, message: str):
    flash(message, "success")
    return redirect(url_for("documents.draft_detail", draft_id=draft.id))


@bp.route("/drafts/<id:draft_id>/revise", methods=["POST"])
@roles_required()
@on_refusal(_again)
def draft_revise(draft_id: int):
    draft = signoff.get_draft(draft_id, current_user)
    kind = kinds.get(draft.kind)
    options = signoff.options_of(draft)
    if kind.subject == Subject.PERIOD:
        options = _circular_options(request.form)
    elif "new_due_date" in kind.options:
        options.new_due_date = _item_options().new_due_date
    signoff.revise_draft(draft, actor=current_user, options=options)
    return _to_draft(draft, "稿件已修改，待核稿")


@bp.route("/drafts/<id:draft_id>/check", methods=["POST"])
@roles_required()
@on_refusal(_again)
def draft_check(draft_id: int):
    draft = signoff.get_draft(draft_id, current_user)
    signer_id = parse_id(request.form.get("signer"), field="signer", label="签发领导",
                         required=False)
    signer = db.session.get(User, signer_id) if signer_id else None
    signoff.check_draft(draft, actor=current_user, signer=signer)
    return _to_draft(draft, f"已核稿，送{signer.name}签发")


@bp.route("/drafts/<id:draft_id>/withdraw", methods=["POST"])
@roles_required()
@on_refusal(_again)
def draft_withdraw(draft_id: int):
    draft = signoff.get_draft(draft_id, current_user)
    signoff.withdraw_draft(draft, actor=current_user, reason=request.form.get("reason"))
    return _to_draft(draft, "稿件已撤回")


@bp.route("/drafts/<id:draft_id>/sign", methods=["POST"])
@roles_required()
@on_refusal(_again)
def draft_sign(draft_id: int):
    from webapp.documents.views import _tell_render_failure

    draft = signoff.get_draft(draft_id, current_user)
    doc = signoff.sign_draft(draft, actor=current_user)
    after_commit(_tell_render_failure, doc.id)
    return _to_draft(draft, f"已签发，{kinds.get(doc.kind).label} {doc.doc_number} 已印发")


@bp.route("/drafts/<id:draft_id>/return", methods=["POST"])
@roles_required()
@on_refusal(_again)
def draft_return(draft_id: int):
    draft = signoff.get_draft(draft_id, current_user)
    signoff.return_draft(draft, actor=current_user, comment=request.form.get("comment"))
    return _to_draft(draft, "稿件已退回办公室")
