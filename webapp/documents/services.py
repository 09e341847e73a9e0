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
import threading
import time
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select

from webapp.audit import services as audit
from webapp.auth.models import Role, User
from webapp.database import local_date, local_today, utcnow
from webapp.documents import data as builders
from webapp.documents import rendering
from webapp.documents.inspection_data import inspection_record_data
from webapp.documents.models import (
    Document,
    DocumentKind,
    DocumentState,
)
from webapp.documents.rendering import RenderError
from webapp.documents.settings import font_paths, load_settings, make_issuer, snapshot
from webapp.errors import InvalidInput, NotAllowed, StateConflict, TooLarge
from webapp.extensions import db
from webapp.inspections.models import Inspection, InspectionState
from webapp.media.store import open_blob, save_bytes
from webapp.numbering import next_number
from webapp.org.models import Unit
from webapp.supervision import services as item_services
from webapp.supervision.models import ItemState, ReminderChannel, SupervisionItem
from webapp.supervision.workflow import ACTIONS
from webapp.transaction import after_commit, lock_key, lock_row
from webapp.validation import LONG, clean_text, parse_id

log = logging.getLogger(__name__)

MAX_DATA_BYTES = 2 * 1024 * 1024  # 2 MB of JSON text: far beyond any real document
MAX_UNITS_NAMED = 20  # praised or criticised units in one circular
NOTICE_STATES = frozenset({ItemState.ASSIGNED, ItemState.IN_PROGRESS, ItemState.UNDER_REVIEW})
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class RenderTimeout(Exception):
    """A render took longer than DOCUMENT_RENDER_TIMEOUT seconds."""


@dataclass
class Options:
    """What the office chooses when issuing: a reminder's new date; a circular's texts."""

    new_due_date: date | None = None
    start: date | None = None
    end: date | None = None
    summary: str | None = None
    requirements: str | None = None
    praised: list[dict] = field(default_factory=list)  # [{"unit_id": 3, "reason": "…"}]
    criticised: list[dict] = field(default_factory=list)
    inspection_id: int | None = None


# --- who may do what ---------------------------------------------------------------------


def _office(actor: User, what: str) -> None:
    if actor.role != Role.OFFICE:
        raise NotAllowed(f"只有督办员可以{what}")


def issue_blocker(kind: DocumentKind, item: SupervisionItem, *, today: date | None = None
                  ) -> str | None:
    """Why this kind cannot be issued for the item now (Chinese), or None if it can."""
    today = today or local_today()
    return state_blocker(kind, item, today=today) or _duplicate(kind, item, today=today)


def state_blocker(kind: DocumentKind, item: SupervisionItem, *, today: date) -> str | None:
    """Whether the item's state allows this kind at all (previews check only this)."""
    if kind == DocumentKind.NOTICE:
        if item.state not in NOTICE_STATES or item.lead_unit_id is None:
            return "事项交办后才能印发督办通知"
    elif kind == DocumentKind.REMINDER:
        if item.state not in ACTIONS["remind"].from_states:
            return f"事项当前状态为“{item.state.label}”，无需催办"
        if item.due_date is None or item.due_date >= today:
            return "事项尚未逾期，不能印发催办通知"
    elif kind == DocumentKind.CLOSING_REPORT:
        if item.state != ItemState.CLOSED:
            return "事项办结后（归档前）才能印发办结报告"
    else:
        return "该种类的公文不针对单个事项"
    return None


def _duplicate(kind: DocumentKind, item: SupervisionItem, *, today: date) -> str | None:
    """A second live notice or closing report, or a second reminder on one day (double
    submits would otherwise use up numbers)."""
    docs = _live_docs(kind, item_id=item.id)
    if kind == DocumentKind.REMINDER:
        docs = [d for d in docs if local_date(d.issued_at) == today]
        if docs:
            return f"今天已为该事项印发催办通知 {docs[0].doc_number}"
    elif docs:
        return (f"该事项已印发{kind.label} {docs[0].doc_number}；"
                "如需更正，请在原公文页面作废并重发")
    return None


def _live_docs(kind: DocumentKind, **where) -> list[Document]:
    stmt = select(Document).where(Document.kind == kind, Document.state == DocumentState.ISSUED)
    for name, value in where.items():
        stmt = stmt.where(getattr(Document, name) == value)
    return list(db.session.scalars(stmt))


def _live(kind: DocumentKind, **where) -> Document | None:
    docs = _live_docs(kind, **where)
    return docs[0] if docs else None


# --- building the data -------------------------------------------------------------------


def _named_units(rows: list[dict], label: str, key: str) -> list[dict]:
    if len(rows) > MAX_UNITS_NAMED:
        raise InvalidInput(f"{label}单位不能超过 {MAX_UNITS_NAMED} 个", field=key)
    result, seen = [], set()
    for row in rows:
        unit_id = row.get("unit_id")
        unit = db.session.get(Unit, parse_id(unit_id, field=key, label=f"{label}单位"))
        if unit is None:
            raise InvalidInput(f"{label}单位不存在", field=key)
        if unit.id in seen:
            raise InvalidInput(f"{label}单位“{unit.name}”重复", field=key)
        seen.add(unit.id)
        reason = clean_text(row.get("reason"), field=key, label=f"{label}“{unit.name}”的理由",
                            max_len=LONG)
        result.append({"unit": unit.name, "reason": reason})
    return result


def build_data(kind: DocumentKind, *, item: SupervisionItem | None, options: Options,
               today: date, settings=None) -> dict:
    """The plain data for `kind` from the database and the office's choices."""
    settings = settings or load_settings()
    if kind == DocumentKind.CIRCULAR:
        from webapp.supervision.stats import check_period

        if options.start is None or options.end is None:
            raise InvalidInput("请选择通报的统计期间", field="start")
        check_period(options.start, options.end)
        summary = clean_text(options.summary, field="summary", label="总体情况",
                             required=False, max_len=LONG)
        requirements = clean_text(options.requirements, field="requirements",
                                  label="工作要求", required=False, max_len=LONG)
        praised = _named_units(options.praised, "表扬", "praised")
        criticised = _named_units(options.criticised, "批评", "criticised")
        both = {p["unit"] for p in praised} & {c["unit"] for c in criticised}
        if both:
            raise InvalidInput(f"同一单位不能既表扬又批评：{'、'.join(sorted(both))}",
                               field="criticised")
        return builders.circular_data(settings, start=options.start, end=options.end,
                                      today=today, summary=summary, requirements=requirements,
                                      praised=praised, criticised=criticised)
    if kind == DocumentKind.INSPECTION_RECORD:
        return _inspection_data(options, settings, today)
    if item is None:
        raise InvalidInput("请指定督办事项", field="item")
    if kind == DocumentKind.REMINDER:
        return builders.reminder_data(item, settings, today=today,
                                      new_due_date=options.new_due_date)
    return builders.BUILDERS[kind](item, settings, today=today)


def _inspection_data(options: Options, settings, today: date) -> dict:

    inspection = db.session.get(Inspection, options.inspection_id or 0)
    if inspection is None:
        raise InvalidInput("检查记录不存在", field="inspection")
    if inspection.state != InspectionState.PUBLISHED:
        raise StateConflict("检查结果发布后才能印发暗访检查记录", code="invalid_state")
    return inspection_record_data(inspection, settings, today=today)


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


def preview(kind: DocumentKind, *, actor: User, item: SupervisionItem | None = None,
            options: Options | None = None, fmt: str = "pdf",
            today: date | None = None) -> bytes:
    """A draft (草稿, no number) rendered on the fly; nothing is stored, no number is used."""
    if actor.role not in (Role.OFFICE, Role.LEADER):
        raise NotAllowed("只有督办员和局领导可以预览公文草稿")
    today = today or local_today()
    options = options or Options()
    if item is not None:
        blocker = state_blocker(kind, item, today=today)
        if blocker:
            raise StateConflict(blocker, code="invalid_state")
    data = build_data(kind, item=item, options=options, today=today)
    _canonical(data)  # the same size limit as issuing
    settings = load_settings()
    issuer = make_issuer(snapshot(settings), font_paths(settings))

    try:
        return _render(fmt, kind, data, issuer, doc_number=None)
    except (RenderError, RenderTimeout) as err:  # a clear 422, never a 500
        log.warning("draft render failed: %s", err)
        raise InvalidInput(f"草稿生成失败：{err}", code="render_failed") from err


# --- issue -------------------------------------------------------------------------------


def issue_document(kind: DocumentKind | str, *, actor: User,
                   item: SupervisionItem | None = None, options: Options | None = None,
                   today: date | None = None, replaces: Document | None = None) -> Document:
    """印发: allocate the next number for (机关代字, year) and insert the document with the exact
    data to render, in the caller's transaction (flushes; the caller commits, then calls
    render_document). A 催办通知 also records a reminder with channel "document"."""
    kind = DocumentKind(kind)
    _office(actor, "印发公文")
    today = today or local_today()
    options = options or Options()
    _lock_subject(kind, item, options)
    if item is not None:
        blocker = state_blocker(kind, item, today=today)
        if blocker:
            raise StateConflict(blocker, code="invalid_state")
        duplicate = None if replaces else _duplicate(kind, item, today=today)
        if duplicate:
            raise StateConflict(duplicate, code="already_issued")
    elif kind in (DocumentKind.NOTICE, DocumentKind.REMINDER, DocumentKind.CLOSING_REPORT):
        raise InvalidInput("请指定督办事项", field="item")
    elif replaces is None and (live := _live_subject(kind, options)) is not None:
        what = "该期间已印发通报" if kind == DocumentKind.CIRCULAR else "该检查已印发暗访检查记录"
        raise StateConflict(f"{what} {live.doc_number}；如需更正，请在原公文页面作废并重发",
                            code="already_issued")
    settings = load_settings()
    data = build_data(kind, item=item, options=options, today=today, settings=settings)
    data_json = _canonical(data)
    issuer = snapshot(settings)
    code, year = issuer["code"], today.year
    sequence = next_number(f"doc:{code}", year)
    doc = Document(
        kind=kind, item_id=item.id if item else None,
        inspection_id=options.inspection_id if kind == DocumentKind.INSPECTION_RECORD else None,
        period_start=options.start if kind == DocumentKind.CIRCULAR else None,
        period_end=options.end if kind == DocumentKind.CIRCULAR else None,
        title=data["title"][:300], doc_number=f"{code}〔{year}〕{sequence}号",
        issuer_code=code, year=year, sequence=sequence, state=DocumentState.ISSUED,
        data_json=data_json, issuer_json=json.dumps(issuer, ensure_ascii=False, sort_keys=True),
        replaces_id=replaces.id if replaces else None, issued_by_id=actor.id,
        issued_at=utcnow(),
    )
    db.session.add(doc)
    db.session.flush()
    if kind == DocumentKind.REMINDER and replaces is None:  # a correction is no new reminder
        item_services.record_reminder(item, actor=actor, channel=ReminderChannel.DOCUMENT,
                                      note=f"印发催办通知 {doc.doc_number}")
    audit.record("document_issue", object_type="document", object_id=doc.doc_number,
                 actor=actor, details={"kind": str(kind), "title": doc.title,
                                       "item": item.code if item else None,
                                       "replaces": replaces.doc_number if replaces else None})
    after_commit(render_issued, doc.id)
    return doc


def _lock_subject(kind: DocumentKind, item: SupervisionItem | None, options: Options) -> None:
    """Serialise issuing for one subject (an item, a period's circular, an inspection's record),
    so that of two racing requests the second sees the first's document and is refused."""
    if item is not None:
        lock_row(item)
    elif kind == DocumentKind.CIRCULAR:
        lock_key(f"circular:{options.start}:{options.end}")
    elif kind == DocumentKind.INSPECTION_RECORD:
        lock_key(f"inspection_record:{options.inspection_id}")


def _live_subject(kind: DocumentKind, options: Options) -> Document | None:
    if kind == DocumentKind.CIRCULAR and options.start and options.end:
        return _live(kind, period_start=options.start, period_end=options.end)
    if kind == DocumentKind.INSPECTION_RECORD:
        return _live(kind, inspection_id=options.inspection_id)
    return None


# --- rendering after the commit ----------------------------------------------------------


def _render(fmt: str, kind: DocumentKind, data: dict, issuer, *, doc_number: str | None
            ) -> bytes:
    if fmt not in ("pdf", "docx"):
        raise InvalidInput("格式只能是 pdf 或 docx", field="format")
    request = rendering.RenderRequest(
        kind=str(kind), data=data, issuer=issuer, doc_number=doc_number,
        pdfa=fmt == "pdf" and kind == DocumentKind.CLOSING_REPORT,
        image_loader=_load_image)
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
    if doc.rendered:
        raise StateConflict("该公文的文件已生成，不会重新生成", code="already_rendered")
    settings = load_settings()
    issuer = make_issuer(json.loads(doc.issuer_json), font_paths(settings))
    data = json.loads(doc.data_json)
    try:
        docx = _render("docx", doc.kind, data, issuer, doc_number=doc.doc_number)
        pdf = _render("pdf", doc.kind, data, issuer, doc_number=doc.doc_number)
    except Exception as err:  # any failure: the record stays, the error is shown, retry later
        log.warning("render of %s failed: %s", doc.doc_number, err, exc_info=True)
        doc.render_error = f"{type(err).__name__}: {err}"[:2000]
        audit.record("document_render_failed", object_type="document",
                     object_id=doc.doc_number, actor=actor,
                     details={"error": doc.render_error[:500]})
        db.session.flush()
        return False
    d, p = save_bytes(docx), save_bytes(pdf)
    doc.docx_sha256, doc.docx_size = d.sha256, d.size
    doc.pdf_sha256, doc.pdf_size = p.sha256, p.size
    doc.render_error, doc.rendered_at = None, utcnow()
    audit.record("document_rendered", object_type="document", object_id=doc.doc_number,
                 actor=actor, details={"pdf_sha256": p.sha256, "docx_sha256": d.sha256})
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
    kind = doc.kind
    item = doc.item
    if options is None:
        options = _options_of(doc)
    if kind != DocumentKind.CIRCULAR and kind != DocumentKind.INSPECTION_RECORD and item is None:
        raise StateConflict("原公文没有关联事项，无法更正", code="invalid_state")
    if kind == DocumentKind.REMINDER and item is not None and \
            item.state not in ACTIONS["remind"].from_states:
        raise StateConflict("事项已不在办理中，催办通知无需更正", code="invalid_state")
    void_document(doc, actor=actor, reason=reason)
    new = issue_document(kind, actor=actor, item=item, options=options, today=today,
                         replaces=doc)
    return new


def _options_of(doc: Document) -> Options:
    data = json.loads(doc.data_json)
    if doc.kind == DocumentKind.CIRCULAR:
        names = {u.name: u.id for u in db.session.scalars(select(Unit))}
        return Options(
            start=doc.period_start, end=doc.period_end, summary=data.get("summary"),
            requirements=data.get("requirements"),
            praised=[{"unit_id": names.get(p["unit"]), "reason": p["reason"]}
                     for p in data.get("praised", [])],
            criticised=[{"unit_id": names.get(c["unit"]), "reason": c["reason"]}
                        for c in data.get("criticised", [])])
    new_due = data.get("new_due_date")
    return Options(new_due_date=date.fromisoformat(new_due) if new_due else None,
                   inspection_id=doc.inspection_id)


def mark_archived(doc: Document, archive_code: str) -> None:
    """The archive filed the signed copy under `archive_code` (from then on never voided)."""
    doc.archive_code = archive_code


def download_name(doc: Document, fmt: str) -> str:
    """`某公督〔2026〕12号 关于……的督办通知.pdf`."""
    return f"{doc.doc_number} {doc.title}.{fmt}"


def kind_label(kind: str) -> str:
    return DocumentKind(kind).label
