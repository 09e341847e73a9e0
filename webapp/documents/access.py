"""Who sees which documents: the one filter every list, detail and download uses.

Office, leaders and admins see every issued document. A liaison sees the documents addressed
to their unit (kinds with `to_unit` in webapp/documents/kinds.py) about items they can see.
Anyone else sees none. A hidden document answers 404."""

from __future__ import annotations

from sqlalchemy import Select, select

from webapp.auth.models import Role, User
from webapp.documents import kinds
from webapp.documents.models import Document
from webapp.errors import NotFound
from webapp.extensions import db
from webapp.supervision.access import SEE_ALL, visible_items
from webapp.supervision.models import SupervisionItem


def visible_documents(actor: User, stmt: Select | None = None) -> Select:
    """`stmt` (default: all documents) narrowed to what `actor` may see."""
    stmt = stmt if stmt is not None else select(Document)
    if actor.role in SEE_ALL:
        return stmt
    if actor.role == Role.LIAISON:
        items = visible_items(actor, select(SupervisionItem.id))
        return stmt.where(Document.kind.in_(kinds.names(to_unit=True)), Document.item_id.in_(items))
    return stmt.where(False)


def get_document(doc_id: int, actor: User) -> Document:
    """The document if the actor may see it; otherwise 404."""
    doc = db.session.scalar(visible_documents(actor).where(Document.id == doc_id))
    if doc is None:
        raise NotFound("找不到该公文")
    return doc
