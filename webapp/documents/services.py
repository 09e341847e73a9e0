"""The document life cycle: preview (draft, no number), issue (number + record in one
transaction, files rendered after the commit), retry a failed render, void and correct.

Issuing takes two commits on purpose (rendering happens after the commit, so a slow or
failing render never holds the number's lock nor loses the record): `issue_document`
allocates the number and inserts the record in the caller's transaction and queues
`render_issued` to run after it commits (webapp.transaction.after_commit), which renders both
formats from the stored data and records their hashes. A failed render leaves the issued
record with `render_error`; it can be retried.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from datetime import date

from flask import current_app, has_request_context, request
from sqlalchemy import select

from webapp.audit import services as audit
from webapp.auth.models import Role, User
from webapp.database import local_date, local_today, utcnow
from webapp.documents import kinds, rendering
from webapp.documents.data import Options, Source
from webapp.documents.kinds import Kind, Subject
from webapp.documents.models import (
    Document,
    DocumentState,
)
from webapp.documents.rendering import RenderError
from webapp.documents.settings import font_paths, load_settings, make_issuer, snapshot
from webapp.errors import InvalidInput, NotAllowed, StateConflict, TooLarge
from webapp.extensions import db
from webapp.media.store import open_blob, save_bytes
from webapp.numbering import next_number
from webapp.org.models import Unit
from webapp.supervision import services as item_services
from webapp.supervision.models import ReminderChannel, SupervisionItem
from webapp.transaction import after_commit, lock_key, lock_row
from webapp.validation import clean_text

__all__ = ["Options"]

log = logging.getLogger(__name__)

MAX_DATA_BYTES = 2 * 1024 * 1024  # 2 MB of JSON text: far beyond any real document
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class RenderTimeout(Exception):
    """A render took longer than DOCUMENT_RENDER_TIMEOUT seconds."""


# --- who may do what ---------------------------------------------------------------------


def _may_issue(kind: Kind, actor: User, what: str = "印发") -> None:
    if actor.role not in kind.issuers:
        raise NotAllowed(f"只有督办员可以{what}{kind.label}")


def _office(actor: User, what: str) -> None:
    if actor.role != Role.OFFICE:
        raise NotAllowed(f"只有督办员可以{what}")


def issue_blocker(kind: Kind | str, item: SupervisionItem, *, today: date | None = None
                  ) -> str | None:
    """Why this kind cannot be issued for the item now (Chinese), or None if it can."""
    kind = kinds.get(kind)
    today = today or local_today()
    return state_blocker(kind, item, today=today) or _duplicate(kind, item, today=today)


def state_blocker(kind: Kind | str, item: SupervisionItem, *, today: date) -> str | None:
    """Whether the item's state allows this kind at all (previews check only this)."""
    kind = kinds.get(kind)
    if kind.subject != Subject.ITEM:
        return "该种类的公文不针对单个事项"
    return kind.when(item, today) if kind.when else None


def _subject_columns(kind: Kind, item: SupervisionItem | None, options: Options) -> dict:
    """The document's columns that name what it is about (one live document per subject)."""
    if kind.subject == Subject.ITEM:
        if item is None:
            raise InvalidInput("请指定督办事项", field="item")
        return {"item_id": item.id}
    if kind.subject == Subject.PERIOD:
        return {"period_start": options.start, "period_end": options.end}
    return {"inspection_id": options.inspection_id}


def _duplicate(kind: Kind, item: SupervisionItem | None, *, today: date,
               options: Options | None = None) -> str | None:
    """A second live document about the same subject, or for a `daily` kind a second one on
    one day (double submits would otherwise use up numbers)."""
    docs = _live_docs(kind, **_subject_columns(kind, item, options or Options()))
    if kind.daily:
        docs = [d for d in docs if local_date(d.issued_at) == today]
        if docs:
            return f"今天已为该{kind.subject.label}印发{kind.label} {docs[0].doc_number}"
    elif docs:
        return (f"该{kind.subject.label}已印发{kind.label} {docs[0].doc_number}；"
                "如需更正，请在原公文页面作废并重发")
    return None


def _live_docs(kind: Kind, **where) -> list[Document]:
    stmt = select(Document).where(Document.kind == str(kind),
                                  Document.state == DocumentState.ISSUED)
    for name, value in where.items():
        stmt = stmt.where(getattr(Document, name) == value)
    return list(db.session.scalars(stmt.order_by(Document.id)))


# --- building the data -------------------------------------------------------------------


def build_data(kind: Kind | str, *, item: SupervisionItem | None, options: Options,
               today: date, settings=None) -> dict:
    """The plain data for `kind` from the database and the office's choices."""
    kind = kinds.get(kind)
    if kind.subject == Subject.ITEM and item is None:
        raise InvalidInput("请指定督办事项", field="item")
    return kind.build(Source(item=item, options=options, settings=settings or load_settings(),
                             today=today))


def _canonical(data: dict) -> str:
    """Canonical JSON of the data; refused before anything is stored when beyond the limit
    (setting DOCUMENT_MAX_DATA_BYTES, default 2 MB)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    limit = int(current_app.config.get("DOCUMENT_MAX_DATA_BYTES", MAX_DATA_BYTES))
    size = len(text.encode())
    if size > limit:
        raise TooLarge(f"公文内容过长（{size} 字节，上限 {limit} 字节），请精简后再印发")
    return text


# --- preview -----------------------------------------------------------------------------


def preview(kind: Kind | str, *, actor: User, item: SupervisionItem | None = None,
            options: Options | None = None, fmt: str = "pdf",
            today: date | None = None) -> bytes:
    """A draft (草稿, no number) rendered on the fly; nothing is stored, no number is used."""
    if actor.role not in (Role.OFFICE, Role.LEADER):
        raise NotAllowed("只有督办员和局领导可以预览公文草稿")
    kind = kinds.get(kind)
    today = today or local_today()
    options = options or Options()
    if item is not None:
        blocker = state_blocker(kind, item, today=today)
        if blocker:
            raise StateConflict(blocker, code="invalid_state")
    data = build_data(kind, item=item, options=options, today=today)
    _canonical(data)  # the same size limit as issuing
    return render_data(kind, data, fmt)


def render_data(kind: Kind, data: dict, fmt: str) -> bytes:
    """A draft (草稿, no number) of `data` with the current issuer settings."""

    settings = load_settings()
    issuer = make_issuer(snapshot(settings), font_paths(settings))
    try:
        return _render(fmt, kind, data, issuer, doc_number=None)
    except (RenderError, RenderTimeout) as err:  # a clear 422, never a 500
        log.warning("draft render failed: %s", err)
        raise InvalidInput(f"草稿生成失败：{err}", code="render_failed") from err


# --- issue -------------------------------------------------------------------------------


def issue_document(kind: Kind | str, *, actor: User,
                   item: SupervisionItem | None = None, options: Options | None = None,
                   today: date | None = None, replaces: Document | None = None) -> Document:
    """印发: allocate the next number for (机关代字, year) and insert the document with the exact
    data to render, in the caller's transaction (flushes; the caller commits, then calls
    render_document). A 催办通知 also records a reminder with channel "document"."""
    from webapp.documents import signoff

    kind = kinds.get(kind)
    _may_issue(kind, actor)
    signoff.refuse_direct_issue(kind)
    today = today or local_today()
    options = options or Options()
    check_subject(kind, item, options, today=today, replaces=replaces)
    settings = load_settings()
    data = build_data(kind, item=item, options=options, today=today, settings=settings)
    return insert_document(kind, actor=actor, item=item, options=options, data=data,
                           today=today, settings=settings, replaces=replaces)


def check_subject(kind: Kind, item: SupervisionItem | None, options: Options, *,
                  today: date, replaces: Document | None = None) -> None:
    """Lock the subject, then refuse when its state does not allow the kind or a live
    document about it exists (409)."""
    _lock_subject(kind, item, options)
    if item is not None:
        blocker = state_blocker(kind, item, today=today)
        if blocker:
            raise StateConflict(blocker, code="invalid_state")
    duplicate = None if replaces else _duplicate(kind, item, today=today, options=options)
    if duplicate:
        raise StateConflict(duplicate, code="already_issued")


def insert_document(kind: Kind, *, actor: User, item: SupervisionItem | None,
                    options: Options, data: dict, today: date, settings,
                    replaces: Document | None = None, signed_by: User | None = None,
                    signed_at=None) -> Document:
    """Take the number and insert the document (flushes); its files are rendered after the
    commit. A signed draft (webapp/documents/signoff.py) names its 签发人 and time."""
    data_json = _canonical(data)
    issuer = snapshot(settings) | {"verify_base_url": verify_base_url()}
    code, year = issuer["code"], today.year
    sequence = next_number(f"{kind.numbering}:{code}", year)
    doc = Document(
        kind=kind.name, **_subject_columns(kind, item, options),
        title=data["title"][:300], doc_number=f"{code}〔{year}〕{sequence}号",
        issuer_code=code, year=year, sequence=sequence, state=DocumentState.ISSUED,
        data_json=data_json, issuer_json=json.dumps(issuer, ensure_ascii=False, sort_keys=True),
        replaces_id=replaces.id if replaces else None, issued_by_id=actor.id,
        issued_at=utcnow(), verify_code=secrets.token_urlsafe(12),
        signed_by_id=signed_by.id if signed_by else None, signed_at=signed_at,
    )
    db.session.add(doc)
    db.session.flush()
    if kind.daily and item is not None and replaces is None:  # a correction is no new reminder
        item_services.record_reminder(item, actor=actor, channel=ReminderChannel.DOCUMENT,
                                      note=f"印发{kind.label} {doc.doc_number}")
    audit.record("document_issue", object_type="document", object_id=doc.doc_number,
                 actor=actor, details={"kind": str(kind), "title": doc.title,
                                       "item": item.code if item else None,
                                       "replaces": replaces.doc_number if replaces else None,
                                       "signed_by": signed_by.name if signed_by else None})
    after_commit(render_issued, doc.id)
    return doc


def verify_base_url() -> str:
    """Where 扫码验真 links point (VERIFY_BASE_URL, else NOTIFY_BASE_URL, else the address this
    request came through): kept with the document when it is issued."""
    cfg = current_app.config
    base = cfg.get("VERIFY_BASE_URL") or cfg.get("NOTIFY_BASE_URL")
    if not base and has_request_context():
        base = request.url_root
    return (base or "http://localhost:5000").rstrip("/")


def verify_url(doc: Document) -> str | None:
    """The URL the document's QR code carries (None for documents issued before QR codes)."""
    if not doc.verify_code:
        return None
    base = json.loads(doc.issuer_json).get("verify_base_url") or verify_base_url()
    return f"{base}/v/{doc.verify_code}"


def _lock_subject(kind: Kind, item: SupervisionItem | None, options: Options) -> None:
    """Serialise issuing for one subject (an item, a period's circular, an inspection's record),
    so that of two racing requests the second sees the first's document and is refused."""
    if item is not None:
        lock_row(item)
    else:
        where = _subject_columns(kind, item, options)
        lock_key(f"{kind}:" + ":".join(str(where[k]) for k in sorted(where)))


# --- rendering after the commit ----------------------------------------------------------


def _render(fmt: str, kind: Kind | str, data: dict, issuer, *, doc_number: str | None,
            verify: str | None = None) -> bytes:
    kind = kinds.get(kind)
    if fmt not in ("pdf", "docx"):
        raise InvalidInput("格式只能是 pdf 或 docx", field="format")
    request = rendering.RenderRequest(
        kind=str(kind), data=data, issuer=issuer, doc_number=doc_number,
        pdfa=fmt == "pdf" and kind.pdfa, image_loader=_load_image, verify_url=verify)
    fn = rendering.render_pdf if fmt == "pdf" else rendering.render_docx
    return _with_time_limit(fn, request)


def _load_image(ref: str) -> bytes:
    """Photo display copies for documents come from the media store by their SHA-256."""
    with open_blob(ref) as f:
        return f.read()


def _with_time_limit(fn, request) -> bytes:
    """Run one render in a worker thread (with the app context) and give up after the limit.

    Python cannot stop a thread: a render that overruns is left to finish in the background
    and its result discarded; the document is marked failed and can be retried.
    """
    app = current_app._get_current_object()
    limit = float(app.config.get("DOCUMENT_RENDER_TIMEOUT", 120))
    box: dict = {}

    def work():
        try:
            with app.app_context():
                box["value"] = fn(request)
        except BaseException as err:  # handed to the caller's thread
            box["error"] = err

    worker = threading.Thread(target=work, name="render", daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        raise RenderTimeout(f"生成超时（超过 {limit:g} 秒）")
    if "error" in box:
        raise box["error"]
    log.info("rendered %s in %.2f s", getattr(request, "kind", "?"), time.monotonic() - started)
    return box["value"]


def render_document(doc: Document, *, actor: User | None = None) -> bool:
    """Render both formats from the stored data and store them with their hashes (flushes).

    Never re-renders a document that has its files. On failure the record keeps its number
    and state and gets `render_error`; True when both files are stored.
    """
    from webapp.media.store import sm3_hex

    if doc.rendered:
        raise StateConflict("该公文的文件已生成，不会重新生成", code="already_rendered")
    settings = load_settings()
    issuer = make_issuer(json.loads(doc.issuer_json), font_paths(settings))
    data = json.loads(doc.data_json)
    url = verify_url(doc)
    try:
        docx = _render("docx", doc.kind, data, issuer, doc_number=doc.doc_number, verify=url)
        pdf = _render("pdf", doc.kind, data, issuer, doc_number=doc.doc_number, verify=url)
    except Exception as err:  # any failure: the record stays, the error is shown, retry later
        log.warning("render of %s failed: %s", doc.doc_number, err, exc_info=True)
        doc.render_error = f"{type(err).__name__}: {err}"[:2000]
        audit.record("document_render_failed", object_type="document",
                     object_id=doc.doc_number, actor=actor,
                     details={"error": doc.render_error[:500]})
        db.session.flush()
        return False
    d, p = save_bytes(docx), save_bytes(pdf)
    doc.docx_sha256, doc.docx_sm3, doc.docx_size = d.sha256, sm3_hex(docx), d.size
    doc.pdf_sha256, doc.pdf_sm3, doc.pdf_size = p.sha256, sm3_hex(pdf), p.size
    doc.render_error, doc.rendered_at = None, utcnow()
    audit.record("document_rendered", object_type="document", object_id=doc.doc_number,
                 actor=actor, details={"pdf_sha256": p.sha256, "docx_sha256": d.sha256,
                                       "pdf_sm3": doc.pdf_sm3, "docx_sm3": doc.docx_sm3})
    db.session.flush()
    return True


def render_issued(doc_id: int) -> None:
    """After-commit job of issuing: render a newly issued document's files (once)."""
    doc = db.session.get(Document, doc_id)
    if doc is not None and not doc.rendered and doc.state == DocumentState.ISSUED:
        render_document(doc, actor=doc.issued_by)


def retry_render(doc: Document, *, actor: User) -> bool:
    """重新生成: render a document whose files are missing after a failure."""
    _office(actor, "重新生成公文文件")
    lock_row(doc)
    return render_document(doc, actor=actor)


def pending_documents() -> list[Document]:
    """Issued documents whose files have not been rendered yet (failed or interrupted)."""
    return list(db.session.scalars(
        select(Document).where(Document.state == DocumentState.ISSUED,
                               (Document.pdf_sha256.is_(None)) | (Document.docx_sha256.is_(None)))
        .order_by(Document.id)))


# --- void and correct --------------------------------------------------------------------


def void_document(doc: Document, *, actor: User, reason: object) -> None:
    """作废: the document stays on record with its number, marked voided with the reason."""
    _office(actor, "作废公文")
    void(doc, actor=actor, reason=reason)


def void(doc: Document, *, actor: User, reason: object) -> None:
    """Void without asking who: for void_document and for a signed correction (签发)."""
    reason = clean_text(reason, field="reason", label="作废理由", max_len=1000)
    lock_row(doc)
    if doc.state == DocumentState.VOIDED:
        raise StateConflict("该公文已作废", code="already_voided")

    if doc.archive_code is not None:
        raise StateConflict("该公文的签发件已归档，不能作废", code="archived")
    doc.state, doc.void_reason = DocumentState.VOIDED, reason
    doc.voided_by_id, doc.voided_at = actor.id, utcnow()
    audit.record("document_void", object_type="document", object_id=doc.doc_number,
                 actor=actor, details={"reason": reason})
    db.session.flush()


def correct_document(doc: Document, *, actor: User, reason: object,
                     today: date | None = None, options: Options | None = None) -> Document:
    """更正: void the document with the reason and issue a new one (new number) from the
    current data; a circular keeps its period and the office's texts unless given anew."""
    kind = kinds.get(doc.kind)
    item = doc.item
    options = options or _options_of(doc)
    if kind.subject == Subject.ITEM:
        if item is None:
            raise StateConflict("原公文没有关联事项，无法更正", code="invalid_state")
        blocker = state_blocker(kind, item, today=today or local_today())
        if blocker:
            raise StateConflict(f"{blocker}，无法更正", code="invalid_state")
    void_document(doc, actor=actor, reason=reason)
    return issue_document(kind, actor=actor, item=item, options=options, today=today,
                          replaces=doc)


def _options_of(doc: Document) -> Options:
    """The office's choices a document was issued with, read back from its data."""
    data = json.loads(doc.data_json)
    named = [*data.get("praised", []), *data.get("criticised", [])]
    ids = {u.name: u.id for u in db.session.scalars(
        select(Unit).where(Unit.name.in_([n["unit"] for n in named])))} if named else {}
    new_due = data.get("new_due_date")
    return Options(
        start=doc.period_start, end=doc.period_end, inspection_id=doc.inspection_id,
        new_due_date=date.fromisoformat(new_due) if new_due else None,
        summary=data.get("summary"), requirements=data.get("requirements"),
        praised=[{"unit_id": ids.get(p["unit"]), "reason": p["reason"]}
                 for p in data.get("praised", [])],
        criticised=[{"unit_id": ids.get(c["unit"]), "reason": c["reason"]}
                    for c in data.get("criticised", [])],
        charts=bool(data.get("charts")))


def mark_archived(doc: Document, archive_code: str) -> None:
    """The archive filed the signed copy under `archive_code` (from then on never voided)."""
    doc.archive_code = archive_code


def download_name(doc: Document, fmt: str) -> str:
    """`某公督〔2026〕12号 关于……的督办通知.pdf`."""
    return f"{doc.doc_number} {doc.title}.{fmt}"


def kind_label(kind: str) -> str:
    return kinds.get(kind).label
