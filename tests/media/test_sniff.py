"""Type by content: each allowlisted kind is recognised, everything else is None."""

from __future__ import annotations

import pytest
from PIL import Image

from tests.media.imaging import BINARY_EPS, EPS, MINIMAL_PDF, TEXT, encode
from webapp.media.office import DOCX
from webapp.media.sniff import OLE2, ZIP, fitting_name, sniff

SMALL = Image.new("RGB", (8, 8), (10, 20, 30))


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp"),
     ("HEIF", "image/heic"), ("GIF", None), ("BMP", None), ("TIFF", None)],
)
def test_images_made_by_pillow(fmt, expected):
    assert sniff(encode(SMALL, fmt)[:64]) == expected


def test_pdf_by_its_header():
    assert sniff(MINIMAL_PDF[:64]) == "application/pdf"
    assert sniff(b" %PDF-1.4") is None


@pytest.mark.parametrize(
    "head",
    [EPS, BINARY_EPS, TEXT, b"", b"\xff\xd8", b"<svg xmlns='http://www.w3.org/2000/svg'>",
     b"<!DOCTYPE html><html>", b"RIFF\x00\x00\x00\x00WAVEfmt ", b"PK\x05\x06 empty zip"],
)
def test_other_content_is_none(head):
    assert sniff(head[:64]) is None


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = b"ftyp" + major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (len(body) + 4).to_bytes(4, "big") + body + b"\x00\x00\x00\x08meta"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (_ftyp(b"heic", b"mif1", b"heic"), "image/heic"),
        (_ftyp(b"heix", b"mif1"), "image/heic"),
        (_ftyp(b"mif1", b"heic", b"miaf"), "image/heic"),
        (_ftyp(b"mif1", b"miaf"), "image/heic"),
        (_ftyp(b"heif"), "image/heic"),
        (_ftyp(b"avif", b"mif1", b"miaf"), None),
        (_ftyp(b"mif1", b"avif"), None),
        (_ftyp(b"isom", b"mp41"), None),  # an MP4 video
        (_ftyp(b"qt  "), None),
    ],
)
def test_iso_media_brands(head, expected):
    assert sniff(head) == expected


def test_containers_are_named_as_such():
    """A zip or compound file is only a container: media.office decides what it holds."""
    assert sniff(b"PK\x03\x04\x14\x00\x06\x00" + bytes(56)) == ZIP
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(56)) == OLE2


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("整改报告.docx", DOCX, "整改报告.docx"),
        ("整改报告.DOCX", DOCX, "整改报告.DOCX"),
        ("报告.wps", "application/msword", "报告.wps"),
        ("台账.et", "application/vnd.ms-excel", "台账.et"),
        ("报告.exe", DOCX, "报告.docx"),  # never saved under a name that runs something else
        ("报告.html", "application/pdf", "报告.pdf"),
        ("报告", "image/jpeg", "报告.jpg"),
        ("photo.JPEG", "image/jpeg", "photo.JPEG"),
        ("a.b", "application/x-unknown", "a.b"),
    ],
)
def test_download_names_fit_the_content(name, content_type, expected):
    assert fitting_name(name, content_type) == expected
