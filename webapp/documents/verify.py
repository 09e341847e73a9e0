"""扫码验真: the page an issued document's QR code opens (/v/<code>).

Signed in and allowed to see the document, one sees its number, title, issuer, date, state
(issued, voided, or voided and corrected by a newer document) and the SHA-256 and SM3 of its
files. Anyone else — not signed in, or signed in without access — learns only whether the code
names a document and whether it is still valid, with its number to compare with the paper;
an absent code and a hidden document take the same steps (one lookup, one access query), so
the answer time tells nothing more. The code is random (Document.verify_code): only who holds
the document can ask about it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template
from sqlalchemy import select

from webapp.auth.access import actor
from webapp.auth.models import User
from webapp.documents.access import visible_documents
from webapp.documents.models import Document, DocumentState
from webapp.extensions import db

bp = Blueprint("verify", __name__)
CODE_LEN = 32


@dataclass(frozen=True)
class Answer:
    number: str | None  # None: no document has this code
    valid: bool
    doc: Document | None = None  # only for someone who may see it
    replaced_by: Document | None = None


def check(code: str, user: User | None) -> Answer:
    """What the verify page may say about `code` to `user` (None: not signed in)."""
    row = db.session.execute(select(Document.id, Document.doc_number, Document.state).where(
        Document.verify_code == code[:CODE_LEN])).first()
    seen = user is not None and db.session.scalar(
        visible_documents(user, select(Document.id)).where(
            Document.id == (row.id if row is not None else -1))) is not None
    if row is None:
        return Answer(None, False)
    valid = row.state == DocumentState.ISSUED
    if not seen:
        return Answer(row.doc_number, valid)
    doc = db.session.get(Document, row.id)  # the details: only for who may see them
    replaced_by = db.session.scalar(select(Document).where(Document.replaces_id == doc.id))
    return Answer(doc.doc_number, valid, doc, replaced_by)


@bp.route("/v/<code>")
def verify_page(code: str):
    answer = check(code, actor())
    # Every answer is a 200 (an absent code is an answer too): one path for all of them.
    response = render_template("documents/verify.html", answer=answer)
    return response, 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
