"""Pages for signed scans: upload (office) and download (whoever may see the document)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp.archive import services
from webapp.archive.models import ArchiveRecord
from webapp.auth.access import roles_required
from webapp.auth.models import Role
from webapp.documents.access import get_document, visible_documents
from webapp.documents.models import Document
from webapp.documents.views import render_detail
from webapp.errors import InvalidInput, NotFound
from webapp.extensions import db
from webapp.media.store import send_blob
from webapp.transaction import on_refusal

bp = Blueprint("archive", __name__, url_prefix="/archive", template_folder="templates")


def _detail_again(err, doc_id: int):
    """A refused scan: the document page again with the message."""
    if isinstance(err, NotFound):
        raise err
    return render_detail(get_document(doc_id, current_user), error=err.message,
                         status=err.status)


@bp.route("/documents/<id:doc_id>/scan", methods=["POST"])
@roles_required(Role.OFFICE)
@on_refusal(_detail_again)
def upload_scan(doc_id: int):
    doc = get_document(doc_id, current_user)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("请选择签发件扫描文件（PDF、JPEG 或 PNG）", field="file")
    record = services.archive_signed_copy(doc, actor=current_user, stream=upload.stream,
                                          filename=upload.filename,
                                          note=request.form.get("note"))
    flash(f"签发件已归档，档号 {record.archive_code}", "success")
    return redirect(url_for("documents.document_detail", doc_id=doc_id))


@bp.route("/<id:record_id>/file")
@roles_required()
def download_scan(record_id: int):
    record = db.session.scalar(
        select(ArchiveRecord).where(ArchiveRecord.id == record_id,
                                    ArchiveRecord.document_id.in_(
                                        visible_documents(current_user, select(Document.id)))))
    if record is None:
        raise NotFound("找不到该归档文件")
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[
        record.content_type]
    name = f"{record.archive_code} {record.document.doc_number} 签发件.{ext}"
    return send_blob(record.sha256, content_type=record.content_type, download_name=name,
                     as_attachment=True)
