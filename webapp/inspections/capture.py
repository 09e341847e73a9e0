"""A photo upload's capture time, read from its first bytes before the body is stored, so the
display copy's caption can carry it in the same pass (no second decode, no orphaned copy)."""

from __future__ import annotations

import warnings
from datetime import datetime
from io import BytesIO
from typing import BinaryIO

from flask import current_app
from PIL import Image

from webapp.media.exif import read_exif

HEAD_BYTES = 256 * 1024  # a JPEG's EXIF block (APP1) is at most 64 KB and comes first


class Rejoined:
    """The bytes already read, then the rest of the stream: what the store must see."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head, self._pos, self._rest = head, 0, rest

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            chunk, self._pos = self._head[self._pos:], len(self._head)
            return chunk + self._rest.read()
        if self._pos < len(self._head):
            chunk = self._head[self._pos:self._pos + size]
            self._pos += len(chunk)
            return chunk
        return self._rest.read(size)


def _read_up_to(stream: BinaryIO, limit: int) -> bytes:
    parts, total = [], 0
    while total < limit:
        chunk = stream.read(limit - total)
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def peek_taken_at(stream: BinaryIO) -> tuple[datetime | None, Rejoined]:
    """(EXIF capture time of a JPEG upload or None, the stream to store from the start).

    Only the JPEG parser reads the header (no pixels are decoded); anything odd gives None and
    the full checks happen in media.photos.ingest_photo as always.
    """
    head = _read_up_to(stream, HEAD_BYTES)
    taken = None
    if head.startswith(b"\xff\xd8\xff"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with Image.open(BytesIO(head), formats=["JPEG"]) as img:
                    taken = read_exif(img, local_zone=current_app.config["TIMEZONE"]).taken_at
        except Exception:  # a header Pillow cannot read: the caption uses the received time
            taken = None
    return taken, Rejoined(head, stream)
