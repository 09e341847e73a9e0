"""JSON API for documents: list, detail, issue, retry rendering, void, and file downloads."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, request, url_for

from webapp import api, transaction
from webapp.auth.access import actor
from webapp.auth.models import Role
from webapp.documents import services
from webapp.documents.access import get_document, visible_documents
from webapp.documents.models import Document, DocumentKind
from webapp.errors import InvalidInput, NotAllowed, NotFound
from webapp.extensions import db
from webapp.supervision.access import get_item
from webapp.validation import parse_choice, parse_date

bp = Blueprint("documents_api", __name__)


def _out(doc: Document) -> dict:
    return {
        "id": doc.id, "kind": str(doc.kind), "doc_number": doc.doc_number, "title": doc.title,
        "state": str(doc.state), "item": doc.item.code if doc.item else None,
        "issue_date": json.loads(doc.data_json).get("issue_date"),
        "period": ({"start": doc.period_start.isoformat(), "end": doc.period_end.isoformat()}
                   if doc.period_start else None),
        "void_reason": doc.void_reason, "replaces": doc.replaces_id,
        "rendered": doc.rendered, "render_error": doc.render_error,
        "pdf": ({"sha256": doc.pdf_sha256, "size": doc.pdf_size,
                 "url": url_for("api.documents_api.file", doc_id=doc.id, fmt="pdf")}
                if doc.pdf_sha256 else None),
        "docx": ({"sha256": doc.docx_sha256, "size": doc.docx_size,
                  "url": url_for("api.documents_api.file", doc_id=doc.id, fmt="docx")}
                 if doc.docx_sha256 else None),
    }


@bp.route("/documents")
def list_documents():
    stmt = visible_documents(actor()).order_by(Document.id.desc()).limit(200)
    return jsonify(documents=[_out(d) for d in db.session.scalars(stmt)])


@bp.route("/documents/<int:doc_id>")
def get(doc_id: int):
    return jsonify(_out(get_document(doc_id, actor())))


@bp.route("/documents/<int:doc_id>/file.<fmt>")
def file(doc_id: int, fmt: str):
    from webapp.media.store import send_blob

    doc = get_document(doc_id, actor())
    sha = {"pdf": doc.pdf_sha256, "docx": doc.docx_sha256}.get(fmt)
    if sha is None:
        raise NotFound("file not rendered or unknown format")
    return send_blob(sha, content_type=services.PDF if fmt == "pdf" else services.DOCX,
                     download_name=services.download_name(doc, fmt), as_attachment=True)


@bp.route("/documents", methods=["POST"])
@transaction.manual  # answers with the rendered files: commits, renders (after-commit), answers
def issue():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("JSON object body required")
    user = actor()
    if user.role != Role.OFFICE:
        raise NotAllowed("only the office issues documents")
    kind = parse_choice(body.get("kind"), DocumentKind, field="kind", label="公文种类")
    item = get_item(str(body["item"]), user) if body.get("item") else None
    options = services.Options(
        new_due_date=parse_date(body.get("new_due_date"), field="new_due_date",
                                label="新的办结时限", required=False),
        start=parse_date(body.get("start"), field="start", label="开始日期", required=False),
        end=parse_date(body.get("end"), field="end", label="结束日期", required=False),
        summary=body.get("summary"), requirements=body.get("requirements"),
        praised=_pairs(body.get("praised")), criticised=_pairs(body.get("criticised")),
        inspection_id=_inspection_id(body.get("inspection"), user))
    doc = services.issue_document(kind, actor=user, item=item, options=options)
    transaction.commit()
    return jsonify(_out(doc)), 201


def _inspection_id(uuid, user) -> int | None:
    if not uuid:
        return None
    from webapp.inspections.access import get_inspection

    return get_inspection(str(uuid), user).id


def _pairs(value) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InvalidInput("praised/criticised must be a list of {unit_id, reason}")
    return value


@bp.route("/documents/<int:doc_id>/render", methods=["POST"])
def render(doc_id: int):
    doc = get_document(doc_id, actor())
    services.retry_render(doc, actor=actor())
    return jsonify(_out(doc))


@bp.route("/documents/<int:doc_id>/void", methods=["POST"])
def void(doc_id: int):
    doc = get_document(doc_id, actor())
    body = request.get_json(silent=True) or {}
    services.void_document(doc, actor=actor(), reason=body.get("reason"))
    return jsonify(_out(doc))


_ERR = {"$ref": "#/components/responses/Error"}
_DOC = {"200": {"description": "document", "content": {"application/json": {"schema": {
    "$ref": "#/components/schemas/Document"}}}}, "404": _ERR}
_ID = {"name": "doc_id", "in": "path", "required": True, "schema": {"type": "integer"}}
PATHS = {
    "/documents": {
        "get": {"summary": "Issued documents the caller may see (newest 200)",
                "responses": {"200": {"description": "list"}}},
        "post": {"summary": "Issue a document (office): number allocated, files rendered",
                 "requestBody": {"required": True, "content": {"application/json": {
                     "schema": {"type": "object", "required": ["kind"], "properties": {
                         "kind": {"type": "string", "enum": [str(k) for k in DocumentKind]},
                         "item": {"type": "string", "description": "item code"},
                         "inspection": {"type": "string", "description": "inspection uuid"},
                         "new_due_date": {"type": "string"},
                         "start": {"type": "string"}, "end": {"type": "string"},
                         "summary": {"type": "string"}, "requirements": {"type": "string"},
                         "praised": {"type": "array"}, "criticised": {"type": "array"}}}}}},
                 "responses": {"201": {"description": "issued"}, "403": _ERR, "409": _ERR,
                               "422": _ERR}},
    },
    "/documents/{doc_id}": {"get": {"summary": "One document", "parameters": [_ID],
                                    "responses": _DOC}},
    "/documents/{doc_id}/file.{fmt}": {"get": {
        "summary": "The stored pdf or docx (attachment, RFC 6266 filename*)",
        "parameters": [_ID, {"name": "fmt", "in": "path", "required": True,
                             "schema": {"type": "string", "enum": ["pdf", "docx"]}}],
        "responses": {"200": {"description": "file"}, "404": _ERR}}},
    "/documents/{doc_id}/render": {"post": {"summary": "Retry rendering a failed document",
                                            "parameters": [_ID],
                                            "responses": _DOC | {"409": _ERR}}},
    "/documents/{doc_id}/void": {"post": {"summary": "Void a document with {reason}",
                                          "parameters": [_ID],
                                          "responses": _DOC | {"409": _ERR}}},
}
SCHEMAS = {"Document": {"type": "object", "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string"}, "doc_number": {"type": "string"},
    "title": {"type": "string"}, "state": {"type": "string", "enum": ["issued", "voided"]},
    "item": {"type": "string", "nullable": True}, "rendered": {"type": "boolean"},
    "render_error": {"type": "string", "nullable": True}}}}

api.register(bp, PATHS, SCHEMAS)
