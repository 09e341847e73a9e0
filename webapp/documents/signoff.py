"""签发: a document of a kind that needs it (the admin's setting; the 通报 by default) goes
拟稿 → 核稿 → 签发 before it takes a number.

The office drafts it (拟稿: the data is built and kept), revises it, and checks it (核稿),
naming the leader who is to sign. That leader reads the draft and signs it (签发) — the
document is then issued from exactly the data they read, dated that day, with its number, the
signer and the time on its record (a 上行文 prints the 签发人 in its 版头) — or returns it with
a comment, and the office revises it and checks it again. Each step is an audit event of the
draft. A draft's row is locked before every step, so a double click signs once.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date

from sqlalchemy import select

from webapp.audit import services as audit
from webapp.auth.models import Role, User
from webapp.database import local_today, utcnow
from webapp.documents import kinds, services
from webapp.documents.data import Options
from webapp.documents.kinds import Kind
from webapp.documents.models import (
    OPEN_DRAFT_STATES,
    Document,
    DocumentDraft,
    DocumentState,
    DraftState,
)
from webapp.documents.settings import load_settings, signoff_kinds
from webapp.errors import InvalidInput, NotAllowed, NotFound, StateConflict
from webapp.extensions import db
from webapp.supervision.models import SupervisionItem
from webapp.transaction import lock_row
from webapp.validation import LONG, clean_text

SEE_DRAFTS = frozenset({Role.OFFICE, Role.LEADER, Role.ADMIN})


def required(kind: Kind | str) -> bool:
    """Whether documents of this kind need a leader's 签发 (the admin's setting)."""
    return str(kinds.get(kind).name) in signoff_kinds(load_settings())


def refuse_direct_issue(kind: Kind) -> None:
    """Issuing without a signed draft is refused for kinds that need 签发 (409)."""
    if required(kind):
        raise StateConflict(f"{kind.label}须经领导签发：请先拟稿，核稿后送领导签发",
                            code="signoff_required")


def get_draft(draft_id: int, actor: User) -> DocumentDraft:
    """The draft if the actor may see drafts (office, leaders, admin); otherwise 404."""
    draft = db.session.get(DocumentDraft, draft_id) if actor.role in SEE_DRAFTS else None
    if draft is None:
        raise NotFound("找不到该稿件")
    return draft


def _office(actor: User, what: str) -> None:
    if actor.role != Role.OFFICE:
        raise NotAllowed(f"只有督办员可以{what}")


def _in(draft: DocumentDraft, states: frozenset[DraftState], what: str) -> None:
    if draft.state not in states:
        raise StateConflict(f"稿件当前状态为“{draft.state.label}”，不能{what}",
                            code="invalid_state")


def _record(action: str, draft: DocumentDraft, actor: User, **details: object) -> None:
    audit.record(action, object_type="document_draft", object_id=str(draft.id), actor=actor,
                 details={"kind": str(draft.kind), "title": draft.title, **details})


# --- the office's choices, kept with the draft ------------------------------------------------


def _options_json(options: Options) -> str:
    return json.dumps(asdict(options), ensure_ascii=False, sort_keys=True, default=str)


def options_of(draft: DocumentDraft) -> Options:
    raw = json.loads(draft.options_json)
    for key in ("new_due_date", "start", "end"):
        raw[key] = date.fromisoformat(raw[key]) if raw.get(key) else None
    return Options(**raw)


def _open_draft(kind: Kind, item: SupervisionItem | None, options: Options
                ) -> DocumentDraft | None:
    where = services._subject_columns(kind, item, options)
    stmt = select(DocumentDraft).where(DocumentDraft.kind == str(kind),
                                       DocumentDraft.state.in_(OPEN_DRAFT_STATES))
    for name, value in where.items():
        stmt = stmt.where(getattr(DocumentDraft, name) == value)
    return db.session.scalar(stmt.order_by(DocumentDraft.id).limit(1))


# --- 拟稿, revise, 核稿, withdraw (office) --------------------------------------------------------


def draft_document(kind: Kind | str, *, actor: User, item: SupervisionItem | None = None,
                   options: Options | None = None, today: date | None = None,
                   replaces: Document | None = None, reason: object = None) -> DocumentDraft:
    """拟稿: build the data and keep it as a draft to be checked (flushes). One open draft per
    subject; a correction (`replaces`) says why."""
    kind = kinds.get(kind)
    services._may_issue(kind, actor, "拟制")
    today = today or local_today()
    options = options or Options()
    services.check_subject(kind, item, options, today=today, replaces=replaces)
    open_draft = _open_draft(kind, item, options)
    if open_draft is not None:
        raise StateConflict(f"该{kind.subject.label}已有{kind.label}稿件（{open_draft.ref}，"
                            f"{open_draft.state.label}），请在该稿件上修改", code="draft_exists")
    if replaces is not None:
        reason = clean_text(reason, field="reason", label="更正理由", max_len=1000)
    data = services.build_data(kind, item=item, options=options, today=today)
    services._canonical(data)
    draft = DocumentDraft(
        kind=kind.name, **services._subject_columns(kind, item, options),
        title=data["title"][:300], options_json=_options_json(options),
        data_json=json.dumps(data, ensure_ascii=False, sort_keys=True),
        state=DraftState.DRAFTED, drafted_by_id=actor.id, drafted_at=utcnow(),
        replaces_id=replaces.id if replaces else None, replace_reason=reason)
    db.session.add(draft)
    db.session.flush()
    _record("draft_create", draft, actor, item=item.code if item else None,
            replaces=replaces.doc_number if replaces else None)
    return draft


def revise_draft(draft: DocumentDraft, *, actor: User, options: Options,
                 today: date | None = None) -> DocumentDraft:
    """修改: new choices, data built again; the draft waits for 核稿 again."""
    _office(actor, "修改稿件")
    lock_row(draft)
    _in(draft, frozenset({DraftState.DRAFTED, DraftState.RETURNED}), "修改")
    kind = kinds.get(draft.kind)
    data = services.build_data(kind, item=draft.item, options=options,
                               today=today or local_today())
    services._canonical(data)
    draft.options_json, draft.title = _options_json(options), data["title"][:300]
    draft.data_json = json.dumps(data, ensure_ascii=False, sort_keys=True)
    draft.state, draft.comment = DraftState.DRAFTED, None  # a comment answered stays in history
    db.session.flush()
    _record("draft_revise", draft, actor)
    return draft


def check_draft(draft: DocumentDraft, *, actor: User, signer: User | None) -> DocumentDraft:
    """核稿: the office checked the draft and asks `signer` (a leader) to sign it."""
    _office(actor, "核稿")
    lock_row(draft)
    _in(draft, frozenset({DraftState.DRAFTED}), "核稿")
    if signer is None or signer.role != Role.LEADER or not signer.active:
        raise InvalidInput("请选择签发的局领导", field="signer")
    draft.state, draft.checked_by_id, draft.checked_at = DraftState.CHECKED, actor.id, utcnow()
    draft.signer_id = signer.id
    db.session.flush()
    _record("draft_check", draft, actor, signer=signer.name)
    return draft


def withdraw_draft(draft: DocumentDraft, *, actor: User, reason: object) -> DocumentDraft:
    """撤回: the office drops a draft that is not signed (it stays on record)."""
    _office(actor, "撤回稿件")
    reason = clean_text(reason, field="reason", label="撤回理由", max_len=1000)
    lock_row(draft)
    _in(draft, OPEN_DRAFT_STATES, "撤回")
    draft.state, draft.comment = DraftState.WITHDRAWN, reason
    db.session.flush()
    _record("draft_withdraw", draft, actor, reason=reason)
    return draft


# --- 签发 or return (the leader asked) --------------------------------------------------------


def _the_signer(draft: DocumentDraft, actor: User, what: str) -> None:
    if actor.role != Role.LEADER:
        raise NotAllowed(f"只有局领导可以{what}")
    if draft.signer_id is not None and draft.signer_id != actor.id:
        raise NotAllowed(f"该稿件送请{draft.signer.name}签发")


def sign_draft(draft: DocumentDraft, *, actor: User, today: date | None = None) -> Document:
    """签发: issue the document from the data the leader read, dated today, with the signer on
    its record (and in its 版头 for a 上行文); a correction voids the document it replaces."""
    lock_row(draft)
    _the_signer(draft, actor, "签发")
    _in(draft, frozenset({DraftState.CHECKED}), "签发")
    kind = kinds.get(draft.kind)
    today = today or local_today()
    options, item, replaces = options_of(draft), draft.item, draft.replaces
    services.check_subject(kind, item, options, today=today, replaces=replaces)
    if replaces is not None:
        if replaces.state != DocumentState.ISSUED:
            raise StateConflict(f"原公文 {replaces.doc_number} 已作废，无需更正",
                                code="invalid_state")
        services.void(replaces, actor=actor, reason=draft.replace_reason or "更正")
    now = utcnow()
    data = json.loads(draft.data_json) | {"issue_date": today.isoformat(),
                                          "print_date": today.isoformat()}
    if kind.upward:  # GB/T 9704 7.2.5: a 上行文 names its 签发人
        data["signer"] = actor.name
    doc = services.insert_document(kind, actor=actor, item=item, options=options, data=data,
                                   today=today, settings=load_settings(), replaces=replaces,
                                   signed_by=actor, signed_at=now)
    draft.state, draft.signed_at, draft.document_id = DraftState.SIGNED, now, doc.id
    db.session.flush()
    _record("draft_sign", draft, actor, doc_number=doc.doc_number, signer=actor.name,
            signed_at=now.isoformat())
    return doc


def return_draft(draft: DocumentDraft, *, actor: User, comment: object) -> DocumentDraft:
    """退回: the leader sends the draft back to the office with a comment."""
    comment = clean_text(comment, field="comment", label="退回意见", max_len=LONG)
    lock_row(draft)
    _the_signer(draft, actor, "退回稿件")
    _in(draft, frozenset({DraftState.CHECKED}), "退回")
    draft.state, draft.comment, draft.returned_at = DraftState.RETURNED, comment, utcnow()
    db.session.flush()
    _record("draft_return", draft, actor, comment=comment)
    return draft


# --- reading ------------------------------------------------------------------------------------


def preview(draft: DocumentDraft, *, actor: User, fmt: str = "pdf") -> bytes:
    """The draft as the leader reads it: 草稿, no number, dated today."""
    if actor.role not in SEE_DRAFTS:
        raise NotFound("找不到该稿件")
    kind = kinds.get(draft.kind)
    data = json.loads(draft.data_json) | {"issue_date": local_today().isoformat()}
    if kind.upward and draft.signer is not None:
        data["signer"] = draft.signer.name
    return services.render_data(kind, data, fmt)


def leaders() -> list[User]:
    """The leaders a draft may be sent to for 签发."""
    return list(db.session.scalars(select(User).where(User.role == Role.LEADER,
                                                      User.active.is_(True))
                                   .order_by(User.name)))


def history(draft: DocumentDraft) -> list:
    """The draft's audit events, oldest first."""
    return audit.events_for("document_draft", str(draft.id))
