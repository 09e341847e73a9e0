"""The 批示件 / 来文 / 会议纪要 on file: scans (PDF or photos, checked by content) the office
attaches at registration or later; everyone who may see the item sees them — and a sub-item's
units see its parent's, the instruction they act on. They are listed among the closing
report's 附件 and re-hashed by archive-verify."""

from __future__ import annotations

from collections.abc import Sequence
from typing import BinaryIO

from flask import current_app

from webapp.auth.models import User
from webapp.database import utcnow
from webapp.errors import InvalidInput, NotFound
from webapp.extensions import db
from webapp.media.files import (
    FORM_TEXT_ROOM,
    PHOTOS,
    FileInfo,
    UploadLimits,
    accept_attribute,
    ingest_file,
    type_names,
)
from webapp.supervision.gate import gate, record
from webapp.supervision.models import SourceFile, SourceKind, SupervisionItem
from webapp.validation import clean_text

SOURCE_TYPES = frozenset({"application/pdf", *PHOTOS})
MAX_FILES = 10  # in one upload


def upload_limits() -> UploadLimits:
    """What the 批示件 file input tells and checks before sending (the server checks again)."""
    cfg = current_app.config
    return UploadLimits(accept=accept_attribute(SOURCE_TYPES), types=type_names(SOURCE_TYPES),
                        max_file_bytes=int(cfg["MAX_ATTACHMENT_BYTES"]),
                        max_total_bytes=int(cfg["MAX_CONTENT_LENGTH"]) - FORM_TEXT_ROOM,
                        max_files=MAX_FILES)


def ingest(stream: BinaryIO) -> FileInfo:
    """Check a scan by content and store it (refusals store nothing: 415/422/413)."""
    return ingest_file(stream, allowed=SOURCE_TYPES)


def attach_sources(item: SupervisionItem, *, actor: User, kind: SourceKind,
                   files: Sequence[tuple[str, FileInfo]]) -> list[SourceFile]:
    """上传批示件/来文: (client filename, stored FileInfo) pairs, each recorded with its hash."""
    gate(item, "attach_source", actor)
    if not files:
        raise InvalidInput("请选择要上传的批示件或来文扫描件", field="source_files")
    if len(files) > MAX_FILES:
        raise InvalidInput(f"一次最多上传 {MAX_FILES} 个文件", field="source_files")
    rows = []
    for filename, info in files:
        if info.content_type not in SOURCE_TYPES:
            raise InvalidInput("批示件和来文只接受 PDF 或照片", code="unsupported_type",
                               field="source_files")
        name = clean_text(filename, field="source_files", label="文件名", required=False,
                          max_len=255, single_line=True) or kind.label
        row = SourceFile(item=item, kind=kind, filename=name, content_type=info.content_type,
                         size=info.size, sha256=info.sha256, uploaded_by_id=actor.id,
                         uploaded_at=utcnow())
        db.session.add(row)
        db.session.flush()
        record(item, "attach_source", actor, file_id=row.id, kind=str(kind), filename=name,
               sha256=info.sha256, size=info.size)
        rows.append(row)
    return rows


def shown_with(item: SupervisionItem) -> list[SourceFile]:
    """The files shown with an item: its parent's first (the instruction it was split from),
    then its own."""
    return [*(item.parent.source_files if item.parent else ()), *item.source_files]


def source_file(item: SupervisionItem, file_id: int) -> SourceFile:
    """One of the files shown with the item (the caller checked the item is visible), or 404."""
    row = next((f for f in shown_with(item) if f.id == file_id), None)
    if row is None:
        raise NotFound("找不到该文件")
    return row
