"""Attachments and signed scans (PDF, JPEG, PNG): type by content, refusals store nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app

from webapp.errors import InvalidInput, UnsupportedType
from webapp.media.images import PILLOW_FORMATS, open_image
from webapp.media.sniff import HEAD_BYTES, sniff
from webapp.media.store import PendingBlob, spool

log = logging.getLogger(__name__)

DEFAULT_ALLOWED = frozenset({"application/pdf", "image/jpeg", "image/png"})
_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG",
          "image/webp": "WebP", "image/heic": "HEIC"}
PDF_EOF_WINDOW = 1024
CHECK_EDGE = 256  # JPEGs are fully entropy-decoded, but at 1/8 scale: cheap and complete


@dataclass(frozen=True)
class FileInfo:
    """An ingested attachment or scan: its blob and the type decided by its content."""

    sha256: str
    size: int
    content_type: str


def ingest_file(stream: BinaryIO, *, allowed: frozenset[str] = DEFAULT_ALLOWED,
                max_bytes: int | None = None, expected_sha256: str | None = None) -> FileInfo:
    """Validate and store an attachment or scan by content; refusals store nothing."""
    limit = max_bytes or int(current_app.config["MAX_ATTACHMENT_BYTES"])
    with spool(stream, max_bytes=limit, expected_sha256=expected_sha256) as pending:
        content_type = sniff(pending.head(HEAD_BYTES))
        if content_type not in allowed:
            log.warning("refused file: content is %s", content_type or "unknown")
            names = "、".join(sorted(_NAMES.get(t, t) for t in allowed))
            raise UnsupportedType(f"不支持的文件类型：只接受 {names} 文件", field="file")
        if content_type == "application/pdf":
            _check_pdf(pending)
        elif content_type in PILLOW_FORMATS:
            _check_image(pending, content_type)
        stored = pending.commit()
    return FileInfo(stored.sha256, stored.size, content_type)


def _check_pdf(pending: PendingBlob) -> None:
    if b"%%EOF" not in pending.tail(PDF_EOF_WINDOW):
        log.warning("refused PDF: no %%EOF near the end")
        raise InvalidInput("PDF 文件不完整（缺少文件结尾），请重新上传", code="corrupt_pdf",
                           field="file")


def _check_image(pending: PendingBlob, content_type: str) -> None:
    with open_image(pending.path, content_type) as img:
        if img.format in ("JPEG", "MPO"):
            img.draft("RGB", _small_box(img.size))
        elif img.format == "PNG":
            img.verify()  # every chunk's CRC, through to IEND, without decoding pixels
            return
        img.load()


def _small_box(size: tuple[int, int]) -> tuple[int, int]:
    k = min(1.0, CHECK_EDGE / max(size))
    return max(1, round(size[0] * k)), max(1, round(size[1] * k))
