"""Helpers for the document life-cycle tests: issuing through the real services, reading
stored files, and the text of PDF and Word files."""

from __future__ import annotations

import io
import re
from datetime import date

from webapp.auth.models import User
from webapp.documents import services
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.supervision.services import item_by_code


def issue(app, persona, kind: str, code: str | None = None, *, render: bool = True,
          today: date | None = None, options: services.Options | None = None) -> dict:
    """Issue a document as the persona (two commits, as the pages do); its facts as a dict."""
    with app.app_context():
        actor = db.session.get(User, persona.id)
        item = item_by_code(code) if code else None
        doc = services.issue_document(kind, actor=actor, item=item, options=options,
                                      today=today)
        db.session.commit()
        if render:
            services.render_document(doc, actor=actor)
            db.session.commit()
        return facts(doc)


def signed(app, office_client, leader, made) -> int:
    """Take a draft (`made`: the response of the page that drafted it) through 核稿 (the office)
    and 签发 (`leader`); the id of the document issued."""
    from tests.helpers import login
    from webapp.documents.models import DocumentDraft

    assert made.status_code == 302, made.get_data(as_text=True)[:500]
    draft_id = int(made.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    checked = office_client.post(f"/documents/drafts/{draft_id}/check",
                                 data={"signer": str(leader.id)})
    assert checked.status_code == 302, checked.get_data(as_text=True)[:500]
    sign = login(app.test_client(), leader).post(f"/documents/drafts/{draft_id}/sign")
    assert sign.status_code == 302, sign.get_data(as_text=True)[:500]
    with app.app_context():
        return db.session.get(DocumentDraft, draft_id).document_id


def facts(doc: Document) -> dict:
    return {"id": doc.id, "doc_number": doc.doc_number, "title": doc.title,
            "sequence": doc.sequence, "year": doc.year, "state": str(doc.state),
            "pdf_sha256": doc.pdf_sha256, "docx_sha256": doc.docx_sha256,
            "render_error": doc.render_error}


def load(app, doc_id: int) -> dict:
    with app.app_context():
        return facts(db.session.get(Document, doc_id))


def pdf_text(data: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def docx_text(data: bytes) -> str:
    """Word text in reading order: the first page's header (版头), then the body's paragraphs
    and tables as they come (text boxes included)."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    header = (section.first_page_header if section.different_first_page_header_footer
              else section.header)
    parts = [p.text for p in header.paragraphs]
    for child in document.element.body:
        if child.tag in (qn("w:p"), qn("w:tbl")):
            parts.append("".join(t.text or "" for t in child.iter(qn("w:t"))))
    return "\n".join(parts)


def squash(text: str) -> str:
    """Text without any whitespace (layout may space or break lines differently)."""
    return re.sub(r"\s+", "", text)


def in_order(text: str, markers: list[str]) -> bool:
    """Whether every marker occurs in `text`, each after the previous one."""
    pos = 0
    text = squash(text)
    for marker in markers:
        found = text.find(squash(marker), pos)
        if found < 0:
            return False
        pos = found + 1
    return True
