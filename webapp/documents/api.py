"""JSON API for documents: list, detail, issue, retry rendering, void, and file downloads."""

from __future__ import annotations

import json
from typing import Annotated

from flask import Blueprint, url_for
from pydantic import AfterValidator, Field

from webapp import api, transaction
from webapp.api.declare import Body, Day, DayText, File, Id, Out, operation
from webapp.auth.access import actor
from webapp.auth.models import Role
from webapp.documents import kinds, services
from webapp.documents.access import get_document, visible_documents
from webapp.documents.models import Document, DocumentState
from webapp.errors import NotAllowed, NotFound
from webapp.extensions import db
from webapp.inspections.access import get_inspection
from webapp.media.store import send_blob
from webapp.supervision.access import get_item

bp = Blueprint("documents_api", __name__)


def _known_kind(name: str) -> str:
    if kinds.find(name) is None:
        raise ValueError(f"unknown document kind {name!r}")
    return name


KindName = Annotated[str, AfterValidator(_known_kind)]


class NamedUnit(Body):
    unit_id: Id = Field(title="单位")
    reason: str = Field(title="理由")


class IssueBody(Body):
    """印发: what to issue; for a 通报 its period and texts."""

    kind: KindName = Field(title="公文种类", max_length=32, json_schema_extra={
        "enum": kinds.names()}, description="a kind of webapp/documents/kinds.py")
    item: str | None = Field(None, title="督办事项", description="item code (kinds about an "
                             "item: notice, reminder, closing_report)", max_length=16)
    inspection: str | None = Field(None, title="检查记录", description="inspection uuid "
                                   "(kinds about an inspection: inspection_record)",
                                   max_length=36)
    new_due_date: Day | None = Field(None, title="新的办结时限", description="a reminder's date")
    start: Day | None = Field(None, title="开始日期", description="a circular's period")
    end: Day | None = Field(None, title="结束日期")
    summary: str | None = Field(None, title="总体情况")
    requirements: str | None = Field(None, title="工作要求")
    praised: list[NamedUnit] | None = Field(None, title="表扬")
    criticised: list[NamedUnit] | None = Field(None, title="批评")
    charts: bool | None = Field(None, title="附图表", description="a circular: include charts "
                                "(报结率 and 按期办结率 by unit, overdue items by days overdue)")


class VoidBody(Body):
    reason: str = Field(title="作废理由")


class StoredFile(Out):
    sha256: str
    sm3: str | None = Field(description="SM3 (GB/T 32905) of the same bytes")
    size: int
    url: str


class DocumentPeriod(Out):
    start: DayText
    end: DayText


class DocumentOut(Out):
    """An issued (or voided) document and its files"""

    id: int
    kind: str = Field(description="a kind of webapp/documents/kinds.py")
    doc_number: str
    title: str
    state: DocumentState
    item: str | None
    issue_date: DayText | None
    period: DocumentPeriod | None
    void_reason: str | None
    replaces: int | None
    rendered: bool
    render_error: str | None
    pdf: StoredFile | None
    docx: StoredFile | None
    verify_url: str | None = Field(description="扫码验真: the URL its QR code carries")


class DocumentList(Out):
    """Issued documents the caller may see (newest 200)"""

    documents: list[DocumentOut]


def _file(doc: Document, fmt: str) -> StoredFile | None:
    sha, sm3, size = ((doc.pdf_sha256, doc.pdf_sm3, doc.pdf_size) if fmt == "pdf"
                      else (doc.docx_sha256, doc.docx_sm3, doc.docx_size))
    if sha is None:
        return None
    return StoredFile(sha256=sha, sm3=sm3, size=size,
                      url=url_for("api.documents_api.file", doc_id=doc.id, fmt=fmt))


def _out(doc: Document) -> DocumentOut:
    return DocumentOut(
        id=doc.id, kind=str(doc.kind), doc_number=doc.doc_number, title=doc.title, state=doc.state,
        item=doc.item.code if doc.item else None,
        issue_date=json.loads(doc.data_json).get("issue_date"),
        period=(DocumentPeriod(start=doc.period_start.isoformat(),
                               end=doc.period_end.isoformat()) if doc.period_start else None),
        void_reason=doc.void_reason, replaces=doc.replaces_id, rendered=doc.rendered,
        render_error=doc.render_error, pdf=_file(doc, "pdf"), docx=_file(doc, "docx"),
        verify_url=services.verify_url(doc))


@operation(bp, "/documents", summary="Issued documents the caller may see (newest 200)",
           answers={200: DocumentList})
def list_documents():
    stmt = visible_documents(actor()).order_by(Document.id.desc()).limit(200)
    return DocumentList(documents=[_out(d) for d in db.session.scalars(stmt)])


@operation(bp, "/documents/<id:doc_id>", summary="One document", answers={200: DocumentOut})
def get(doc_id: int):
    return _out(get_document(doc_id, actor()))


@operation(bp, "/documents/<id:doc_id>/file.<fmt>",
           summary="The stored pdf or docx (attachment, RFC 6266 filename*)",
           answers={200: File((services.PDF, services.DOCX))})
def file(doc_id: int, fmt: str):
    doc = get_document(doc_id, actor())
    sha = {"pdf": doc.pdf_sha256, "docx": doc.docx_sha256}.get(fmt)
    if sha is None:
        raise NotFound("file not rendered or unknown format")
    return send_blob(sha, content_type=services.PDF if fmt == "pdf" else services.DOCX,
                     download_name=services.download_name(doc, fmt), as_attachment=True)


@transaction.manual  # answers with the rendered files: commits, renders (after-commit), answers
@operation(bp, "/documents", "POST", summary="Issue a document (office): number allocated, "
           "files rendered", body=IssueBody, answers={201: DocumentOut}, errors=(403, 404, 409))
def issue(body: IssueBody):
    user = actor()
    if user.role != Role.OFFICE:
        raise NotAllowed("only the office issues documents")
    item = get_item(body.item, user) if body.item else None
    options = services.Options(
        new_due_date=body.new_due_date, start=body.start, end=body.end, summary=body.summary,
        requirements=body.requirements,
        praised=[p.model_dump() for p in body.praised or []],
        criticised=[c.model_dump() for c in body.criticised or []],
        charts=bool(body.charts),
        inspection_id=_inspection_id(body.inspection, user))
    doc = services.issue_document(body.kind, actor=user, item=item, options=options)
    transaction.commit()
    return _out(doc), 201


def _inspection_id(uuid: str | None, user) -> int | None:
    if not uuid:
        return None

    return get_inspection(uuid.lower(), user).id


@operation(bp, "/documents/<id:doc_id>/render", "POST",
           summary="Retry rendering a document whose files failed", answers={200: DocumentOut},
           errors=(403, 409))
def render(doc_id: int):
    doc = get_document(doc_id, actor())
    services.retry_render(doc, actor=actor())
    return _out(doc)


@operation(bp, "/documents/<id:doc_id>/void", "POST", summary="Void a document with a reason",
           body=VoidBody, answers={200: DocumentOut}, errors=(403, 409))
def void(doc_id: int, body: VoidBody):
    doc = get_document(doc_id, actor())
    services.void_document(doc, actor=actor(), reason=body.reason)
    return _out(doc)


api.register(bp)
