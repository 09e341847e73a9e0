"""Photo evidence: keep the original byte-for-byte, read its facts, make upright clean copies."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from PIL import Image

from webapp.errors import UnsupportedType
from webapp.media.caption import add_caption
from webapp.media.exif import ExifFacts, read_exif
from webapp.media.files import PHOTOS
from webapp.media.images import open_image
from webapp.media.sniff import HEAD_BYTES, sniff
from webapp.media.store import save_bytes, spool

log = logging.getLogger(__name__)

THUMB_EDGE = 320
DISPLAY_EDGE = 1600
THUMB_QUALITY = 80
DISPLAY_QUALITY = 85

# EXIF orientation -> the transposition that makes the pixels upright.
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class PhotoInfo:
    """Facts about an ingested photo, for the caller's row; the copies are blobs too."""

    sha256: str
    size: int
    content_type: str
    width: int  # upright
    height: int
    taken_at: datetime | None
    gps_lat: float | None
    gps_lon: float | None
    gps_alt: float | None
    camera_model: str | None
    thumb_sha256: str
    display_sha256: str


def ingest_photo(stream: BinaryIO, *, expected_sha256: str | None = None,
                 caption: str | Callable[[datetime | None], str] | None = None,
                 max_bytes: int | None = None) -> PhotoInfo:
    """Validate and store a photo with its thumbnail and display copy; refusals store nothing.

    `caption` may be a function of the EXIF capture time (None when unknown), so that the
    strip can show it without decoding the photo a second time.
    """
    limit = max_bytes or int(current_app.config["MAX_PHOTO_BYTES"])
    with spool(stream, max_bytes=limit, expected_sha256=expected_sha256) as pending:
        content_type = sniff(pending.head(HEAD_BYTES))
        if content_type not in PHOTOS:
            log.warning("refused photo: content is %s", content_type or "unknown")
            raise UnsupportedType("不支持的照片格式：请上传 JPEG、PNG、WebP 或 HEIC 照片",
                                  field="file")
        with open_image(pending.path, content_type) as img:
            stored_size = img.size
            display, facts = decode_upright(img, DISPLAY_EDGE, local_zone=_zone())
        width, height = _upright_size(stored_size, facts.orientation)
        thumb = shrink(display, THUMB_EDGE)
        text = caption(facts.taken_at) if callable(caption) else caption
        if text:
            display = add_caption(display, text)
        display_bytes = encode_jpeg(display, DISPLAY_QUALITY)
        thumb_bytes = encode_jpeg(thumb, THUMB_QUALITY)
        original = pending.commit()
    return PhotoInfo(
        sha256=original.sha256, size=original.size, content_type=content_type,
        width=width, height=height, taken_at=facts.taken_at, gps_lat=facts.gps_lat,
        gps_lon=facts.gps_lon, gps_alt=facts.gps_alt, camera_model=facts.camera_model,
        thumb_sha256=save_bytes(thumb_bytes).sha256,
        display_sha256=save_bytes(display_bytes).sha256,
    )


def _zone() -> str:
    return current_app.config["TIMEZONE"]


def _upright_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    return (size[1], size[0]) if orientation in (5, 6, 7, 8) else size


def decode_upright(img: Image.Image, edge: int, *,
                   local_zone: str) -> tuple[Image.Image, ExifFacts]:
    """Decode `img` at most `edge` px on its long side (never upscaled), RGB, upright; + EXIF.

    For JPEG, draft() lets libjpeg decode at 1/2, 1/4 or 1/8 scale: the box has the photo's
    own aspect ratio (a square box would force a full decode) and is set before any
    transposition, on the stored (not yet rotated) size. The remaining shrink is at most 2:1
    for the display copy, where bicubic looks the same as Lanczos and costs a quarter less.
    Pixels are decoded before EXIF is read (a PNG's eXIf chunk may follow its pixel data), so
    a decoding error always surfaces here, never as "no EXIF".
    """
    w, h = img.size
    k = edge / max(w, h)
    if k < 1 and img.format in ("JPEG", "MPO"):  # MPO: a JPEG with extra frames (depth...)
        img.draft("RGB", (max(1, round(w * k)), max(1, round(h * k))))
    img.load()
    facts = read_exif(img, local_zone=local_zone)
    rgb = _to_rgb(img)
    if k < 1:
        target = (max(1, round(w * k)), max(1, round(h * k)))
        rgb = rgb.resize(target, Image.Resampling.BICUBIC, reducing_gap=2.0)
    method = _TRANSPOSE.get(facts.orientation)
    return (rgb.transpose(method) if method is not None else rgb), facts


def shrink(img: Image.Image, edge: int) -> Image.Image:
    """A copy at most `edge` px on its long side (never upscaled)."""
    w, h = img.size
    k = edge / max(w, h)
    if k >= 1:
        return img.copy()
    target = (max(1, round(w * k)), max(1, round(h * k)))
    return img.resize(target, Image.Resampling.LANCZOS, reducing_gap=2.0)


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "RGB":
        return img
    if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if img.mode == "I" or img.mode.startswith("I;16"):  # 16-bit greyscale PNG
        img = img.convert("I").point(lambda v: v / 256).convert("L")
    return img.convert("RGB")


def encode_jpeg(img: Image.Image, quality: int) -> bytes:
    """Baseline JPEG bytes with no EXIF, ICC or other metadata."""
    out = BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def make_thumbnail(path: Path, content_type: str) -> bytes:
    """The 320 px thumbnail of a photo file on its own (used by the benchmark and re-renders)."""
    with open_image(path, content_type) as img:
        thumb, _ = decode_upright(img, THUMB_EDGE, local_zone=_zone())
    return encode_jpeg(thumb, THUMB_QUALITY)


def make_display(path: Path, content_type: str, caption: str | None = None) -> bytes:
    """The 1600 px display copy of a photo file on its own, with the caption strip if given."""
    with open_image(path, content_type) as img:
        display, _ = decode_upright(img, DISPLAY_EDGE, local_zone=_zone())
    if caption:
        display = add_caption(display, caption)
    return encode_jpeg(display, DISPLAY_QUALITY)
