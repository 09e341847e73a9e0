"""Evidence files and signed scans: type by content, refusals store nothing.

Evidence (办结反馈的证明材料) is what units work in: PDF, Word (.docx, .doc), Excel (.xlsx,
.xls), WPS (.wps, .et), OFD and photos (JPEG, PNG, WebP, HEIC). Each is checked by content:
photos are decoded, PDFs need their end marker, office files are opened as containers
(media.office: macros and zip bombs refused). Files are only ever served as downloads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from webapp.errors import InvalidInput, UnsupportedType
from webapp.media import office
from webapp.media.images import PILLOW_FORMATS, open_image
from webapp.media.sniff import EXTENSIONS, HEAD_BYTES, OLE2, ZIP, sniff
from webapp.media.store import blob_path, spool

log = logging.getLogger(__name__)

PHOTOS = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic"})  # by content
# The media types a client may give a photo it sends: image/heif names the same HEIF files
# that their content shows as image/heic.
PHOTO_NAMES = (*sorted(PHOTOS), "image/heif")
DEFAULT_ALLOWED = frozenset({"application/pdf", office.DOCX, office.XLSX, office.DOC, office.XLS,
                             office.OFD, *PHOTOS})  # feedback evidence
# How each type is named to users, in the order they are listed.
_NAMES = {
    "application/pdf": "PDF",
    office.DOCX: "Word（.docx）",
    office.DOC: "Word/WPS（.doc、.wps）",
    office.XLSX: "Excel（.xlsx）",
    office.XLS: "Excel/WPS 表格（.xls、.et）",
    office.OFD: "OFD",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "image/heic": "HEIC",
}
PDF_EOF_WINDOW = 1024
CHECK_EDGE = 256  # JPEGs are fully entropy-decoded, but at 1/8 scale: cheap and complete


@dataclass(frozen=True)
class FileInfo:
    """An ingested attachment or scan: its blob and the type decided by its content."""

    sha256: str
    size: int
    content_type: str


def type_names(allowed: frozenset[str]) -> str:
    """The allowed types as users know them: "PDF、Word（.docx）、…"."""
    return "、".join(name for t, name in _NAMES.items() if t in allowed)


def accept_attribute(allowed: frozenset[str] = DEFAULT_ALLOWED) -> str:
    """The file input's `accept`: the extensions of the allowed types (and their media types,
    which lets phones offer the camera for photos)."""
    exts = [e for t in _NAMES if t in allowed for e in EXTENSIONS[t]]
    return ",".join([*exts, *sorted(t for t in allowed if t in PHOTOS or t == "application/pdf")])


@dataclass(frozen=True)
class UploadLimits:
    """What an upload form tells and checks before sending (the server checks again)."""

    accept: str  # the file input's `accept`
    types: str  # the allowed types, as users know them
    max_file_bytes: int
    max_total_bytes: int  # all files of one submission, leaving room for the form's text
    max_files: int

    @property
    def hint(self) -> str:
        return (f"可上传 {self.types} 文件；每个不超过 {megabytes(self.max_file_bytes)}，"
                f"一次合计不超过 {megabytes(self.max_total_bytes)}，最多 {self.max_files} 个")


FORM_TEXT_ROOM = 1024 * 1024  # of the request limit, kept for the text fields and boundaries


def evidence_limits(*, max_files: int) -> UploadLimits:
    """The evidence input's limits, from the configured per-file and per-request sizes."""
    cfg = current_app.config
    return UploadLimits(
        accept=accept_attribute(), types=type_names(DEFAULT_ALLOWED),
        max_file_bytes=int(cfg["MAX_ATTACHMENT_BYTES"]),
        max_total_bytes=int(cfg["MAX_CONTENT_LENGTH"]) - FORM_TEXT_ROOM, max_files=max_files)


def megabytes(n: int) -> str:
    """A size as users read it: "30 MB", "2.5 MB"."""
    return f"{round(n / 1024 / 1024, 1):g} MB"


def ingest_file(stream: BinaryIO, *, allowed: frozenset[str] = DEFAULT_ALLOWED,
                max_bytes: int | None = None, expected_sha256: str | None = None) -> FileInfo:
    """Validate and store an attachment or scan by content; refusals store nothing."""
    limit = max_bytes or int(current_app.config["MAX_ATTACHMENT_BYTES"])
    with spool(stream, max_bytes=limit, expected_sha256=expected_sha256) as pending:
        content_type = _checked_type(pending.path, pending.head(HEAD_BYTES), allowed)
        stored = pending.commit()
    return FileInfo(stored.sha256, stored.size, content_type)


def stored_type(sha256: str, allowed: frozenset[str] = DEFAULT_ALLOWED) -> str:
    """The checked type of a blob already stored (e.g. an upload referred to later)."""
    path = blob_path(sha256)
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)
    return _checked_type(path, head, allowed)


def _checked_type(path: Path, head: bytes, allowed: frozenset[str]) -> str:
    content_type = sniff(head)
    if content_type == ZIP and allowed & {office.DOCX, office.XLSX, office.OFD}:
        content_type = office.zip_document_type(path)
    elif content_type == OLE2 and allowed & {office.DOC, office.XLS}:
        content_type = office.ole_document_type(path)
    if content_type not in allowed:
        log.warning("refused file: content is %s", content_type or "unknown")
        raise UnsupportedType(f"不支持的文件类型：只接受 {type_names(allowed)} 文件", field="file")
    if content_type == "application/pdf":
        _check_pdf(path)
    elif content_type in PILLOW_FORMATS:
        _check_image(path, content_type)
    return content_type


def _check_pdf(path: Path) -> None:
    with path.open("rb") as f:
        f.seek(max(0, path.stat().st_size - PDF_EOF_WINDOW))
        tail = f.read(PDF_EOF_WINDOW)
    if b"%%EOF" not in tail:
        log.warning("refused PDF: no %%EOF near the end")
        raise InvalidInput("PDF 文件不完整（缺少文件结尾），请重新上传", code="corrupt_pdf",
                           field="file")


def _check_image(path: Path, content_type: str) -> None:
    with open_image(path, content_type) as img:
        if img.format in ("JPEG", "MPO"):
            img.draft("RGB", _small_box(img.size))
        elif img.format == "PNG":
            img.verify()  # every chunk's CRC, through to IEND, without decoding pixels
            return
        img.load()


def _small_box(size: tuple[int, int]) -> tuple[int, int]:
    k = min(1.0, CHECK_EDGE / max(size))
    return max(1, round(size[0] * k)), max(1, round(size[1] * k))
