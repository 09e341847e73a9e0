"""Attachments and signed scans: PDF and images by content; everything else refused.

Office documents (Word, Excel, WPS, OFD) are tested in test_office.py."""

from __future__ import annotations

import hashlib
from io import BytesIO

import pytest
from PIL import Image

from tests.media.imaging import (
    EPS,
    MINIMAL_PDF,
    TEXT,
    encode,
    jpeg_bytes,
    noisy_image,
    png_claiming,
    quadrant_image,
)
from webapp.errors import InvalidInput, TooLarge, UnsupportedType
from webapp.media.files import FileInfo, ingest_file
from webapp.media.store import blob_path

PILLOW_PDF = encode(quadrant_image(200, 280), "PDF", resolution=72)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (MINIMAL_PDF, "application/pdf"),
        (PILLOW_PDF, "application/pdf"),
        (MINIMAL_PDF + b"\r\n" + b" " * 500, "application/pdf"),  # trailing whitespace
        (encode(quadrant_image(300, 400), "PNG"), "image/png"),
        (jpeg_bytes(noisy_image(1200, 1600)), "image/jpeg"),
    ],
    ids=["minimal-pdf", "pillow-pdf", "pdf-trailing-space", "png", "jpeg"],
)
def test_accepted_files_are_stored_as_sent(ctx, data, content_type):
    sha = hashlib.sha256(data).hexdigest()
    info = ingest_file(BytesIO(data), expected_sha256=sha)
    assert info == FileInfo(sha, len(data), content_type)
    assert blob_path(sha).read_bytes() == data


def test_webp_only_when_allowed(ctx, stored_files):
    data = encode(quadrant_image(100, 100), "WEBP")
    with pytest.raises(UnsupportedType) as err:
        ingest_file(BytesIO(data), allowed=frozenset({"application/pdf", "image/png"}))
    assert err.value.message == "不支持的文件类型：只接受 PDF、PNG 文件"
    assert stored_files() == []
    info = ingest_file(BytesIO(data), allowed=frozenset({"image/webp"}))
    assert info.content_type == "image/webp"


def test_pdf_refused_where_only_images_are_allowed(ctx, stored_files):
    with pytest.raises(UnsupportedType):
        ingest_file(BytesIO(MINIMAL_PDF), allowed=frozenset({"image/jpeg", "image/png"}))
    assert stored_files() == []


def _refused(stored_files, data: bytes, error=InvalidInput, **kwargs) -> InvalidInput:
    with pytest.raises(error) as caught:
        ingest_file(BytesIO(data), **kwargs)
    assert stored_files() == []
    return caught.value


@pytest.mark.parametrize(
    "data",
    [
        TEXT,
        EPS,
        b"<!DOCTYPE html><script>alert(1)</script>",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        encode(quadrant_image(32, 32), "GIF"),
        b"MZ\x90\x00" + b"\x00" * 60,  # a Windows program
    ],
    ids=["text", "eps", "html", "svg", "gif", "exe"],
)
def test_other_content_is_unsupported(ctx, stored_files, data):
    assert _refused(stored_files, data, UnsupportedType).status == 415


def test_pdf_without_end_marker_is_refused(ctx, stored_files):
    data = PILLOW_PDF[: len(PILLOW_PDF) // 2]
    assert _refused(stored_files, data).code == "corrupt_pdf"


def test_pdf_with_end_marker_only_far_from_the_end_is_refused(ctx, stored_files):
    assert _refused(stored_files, MINIMAL_PDF + b"\x00" * 5000).code == "corrupt_pdf"


def test_truncated_jpeg_and_png_are_refused(ctx, stored_files):
    jpeg = jpeg_bytes(noisy_image(600, 800))
    assert _refused(stored_files, jpeg[: len(jpeg) * 3 // 4]).code == "corrupt_image"
    png = encode(noisy_image(300, 200), "PNG")
    assert _refused(stored_files, png[:-20]).code == "corrupt_image"


def test_png_with_a_bad_checksum_is_refused(ctx, stored_files):
    png = bytearray(encode(noisy_image(300, 200), "PNG"))
    png[200] ^= 0xFF  # inside the first IDAT chunk
    assert _refused(stored_files, bytes(png)).code == "corrupt_image"


def test_image_bomb_is_refused(ctx, stored_files):
    assert _refused(stored_files, png_claiming(100_000, 100_000)).code == "too_many_pixels"


def test_image_between_one_and_two_times_the_cap_is_refused(ctx, stored_files, monkeypatch):
    monkeypatch.setitem(ctx.config, "MAX_IMAGE_PIXELS", 10_000)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)
    assert _refused(stored_files, jpeg_bytes(quadrant_image(120, 120))).code == "too_many_pixels"


def test_size_limit_from_config(ctx, stored_files, monkeypatch):
    monkeypatch.setitem(ctx.config, "MAX_ATTACHMENT_BYTES", len(MINIMAL_PDF) - 1)
    assert _refused(stored_files, MINIMAL_PDF, TooLarge).status == 413
    assert ingest_file(BytesIO(MINIMAL_PDF), max_bytes=len(MINIMAL_PDF)).size == len(MINIMAL_PDF)


def test_zero_bytes_and_hash_mismatch(ctx, stored_files):
    assert _refused(stored_files, b"").code == "empty_file"
    wrong = hashlib.sha256(b"other").hexdigest()
    assert _refused(stored_files, MINIMAL_PDF, expected_sha256=wrong).code == "hash_mismatch"
