"""Office evidence by content: Word, Excel, WPS and OFD files are accepted as what they are;
macro-enabled documents, zip bombs and other containers are refused and nothing is stored."""

from __future__ import annotations

import hashlib
import zipfile
from io import BytesIO

import pytest

from tests.media import office_files as of
from tests.media.imaging import MINIMAL_PDF, encode, quadrant_image
from webapp.errors import InvalidInput, UnsupportedType
from webapp.media import office
from webapp.media.files import DEFAULT_ALLOWED, FileInfo, ingest_file, stored_type
from webapp.media.store import blob_path

SCANS = frozenset({"application/pdf", "image/jpeg", "image/png"})


@pytest.mark.parametrize(
    ("make", "content_type"),
    [
        (of.docx_bytes, office.DOCX),
        (of.xlsx_bytes, office.XLSX),
        (of.doc_bytes, office.DOC),  # Word 97, and WPS Writer's .wps alike
        (of.xls_bytes, office.XLS),  # Excel 97, and WPS Spreadsheets' .et alike
        (of.ofd_bytes, office.OFD),
        (lambda: MINIMAL_PDF, "application/pdf"),
        (lambda: encode(quadrant_image(64, 48), "WEBP"), "image/webp"),
        (lambda: encode(quadrant_image(64, 48), "HEIF"), "image/heic"),
    ],
    ids=["docx", "xlsx", "doc-wps", "xls-et", "ofd", "pdf", "webp", "heic"],
)
def test_evidence_types_are_stored_as_sent(ctx, make, content_type):
    data = make()
    sha = hashlib.sha256(data).hexdigest()
    assert ingest_file(BytesIO(data)) == FileInfo(sha, len(data), content_type)
    assert blob_path(sha).read_bytes() == data
    assert stored_type(sha) == content_type  # a later reference is checked the same way


def _refused(stored_files, data: bytes, error=InvalidInput, **kwargs):
    with pytest.raises(error) as caught:
        ingest_file(BytesIO(data), **kwargs)
    assert stored_files() == []
    return caught.value


@pytest.mark.parametrize(
    "data",
    [
        of.with_main_type(of.docx_bytes(), of.WORD_MAIN, of.DOCM_MAIN),  # .docm
        of.with_main_type(of.xlsx_bytes(), of.XLSX_MAIN, of.XLSM_MAIN),  # .xlsm
        of.rezip(of.docx_bytes(), add={"word/vbaProject.bin": of.doc_bytes()}),
        of.rezip(of.xlsx_bytes(), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}),
        of.doc_bytes(macros=True),
        of.xls_bytes(vba=True),
        of.xls_bytes(macro_sheet=True),  # Excel 4.0 macros, no VBA at all
    ],
    ids=["docm", "xlsm", "docx-with-vba-part", "xlsx-with-vba-part", "doc-macros",
         "xls-vba", "xls-macro-sheet"],
)
def test_macro_enabled_documents_are_refused(ctx, stored_files, data):
    err = _refused(stored_files, data)
    assert err.status == 422 and err.code == "macro_refused"
    assert "宏" in err.message


def test_ratio_bomb_is_refused_before_unpacking(ctx, stored_files):
    err = _refused(stored_files, of.ratio_bomb())
    assert err.code == "zip_bomb" and "压缩炸弹" in err.message


def test_declared_total_over_the_cap_is_refused(ctx, stored_files, monkeypatch):
    data = of.xlsx_bytes(rows=3000)
    with zipfile.ZipFile(BytesIO(data)) as zf:
        unpacked = sum(i.file_size for i in zf.infolist())
    monkeypatch.setattr(office, "MAX_UNPACKED_BYTES", unpacked - 1)
    assert _refused(stored_files, data).code == "zip_bomb"
    monkeypatch.setattr(office, "MAX_UNPACKED_BYTES", unpacked)
    assert ingest_file(BytesIO(data)).content_type == office.XLSX


def test_too_many_entries_are_refused(ctx, stored_files):
    assert _refused(stored_files, of.many_entries(office.MAX_ENTRIES)).code == "zip_bomb"


def test_an_entry_unpacking_beyond_its_declared_size_is_refused(ctx, stored_files):
    assert _refused(stored_files, of.lying_sizes()).code == "corrupt_file"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (of.rezip(of.docx_bytes(), drop={"word/document.xml"}), InvalidInput),
        (of.rezip(of.docx_bytes(), replace={"word/document.xml": b"<w:document"}), InvalidInput),
        (of.rezip(of.docx_bytes(), replace={"[Content_Types].xml": b"<!DOCTYPE x [<!ENTITY a "
                                            b"'aaaa'>]><Types>&a;</Types>"}), InvalidInput),
        (of.rezip(of.docx_bytes(), drop={"_rels/.rels"}), InvalidInput),
        (of.docx_bytes()[:-200], InvalidInput),  # cut off: no central directory
        (of.ofd_bytes(doc_root="Doc_9/Document.xml"), InvalidInput),
        (of.compound_file({"PowerPoint Document": b"\0" * 64}), UnsupportedType),
        (of.compound_file({"Contents": b"\0" * 64}), UnsupportedType),
        (of.doc_bytes()[:1500], InvalidInput),
        (of.compound_file({f"s{i}": {} for i in range(3000)} | {"WordDocument": of.WORD_STREAM}),
         InvalidInput),  # a directory chain deeper than Python's recursion limit
        (of.rezip(of.docx_bytes(), replace={"[Content_Types].xml": of.content_types(
            of.docx_bytes()).replace(of.WORD_MAIN.encode(), b"application/xml")}),
         UnsupportedType),
    ],
    ids=["docx-without-main-part", "docx-main-not-xml", "content-types-with-entities",
         "docx-without-rels", "docx-truncated", "ofd-missing-document", "ppt", "other-ole",
         "doc-truncated", "ole-deep-directory", "zip-of-other-xml"],
)
def test_broken_or_other_containers_are_refused(ctx, stored_files, data, error):
    _refused(stored_files, data, error)


def test_plain_zip_is_unsupported(ctx, stored_files):
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("readme.txt", "hello")
    err = _refused(stored_files, out.getvalue(), UnsupportedType)
    assert err.status == 415


def test_scans_stay_pdf_jpeg_png(ctx, stored_files):
    for data in (of.docx_bytes(), of.doc_bytes(), of.ofd_bytes()):
        err = _refused(stored_files, data, UnsupportedType, allowed=SCANS)
        assert err.message == "不支持的文件类型：只接受 PDF、JPEG、PNG 文件"


def test_the_refusal_names_every_evidence_type(ctx, stored_files):
    err = _refused(stored_files, b"GIF89a" + b"\0" * 60, UnsupportedType)
    for name in ("PDF", "Word", ".wps", "Excel", ".et", "OFD", "JPEG", "PNG", "WebP", "HEIC"):
        assert name in err.message
    assert {office.DOCX, office.XLSX, office.DOC, office.XLS, office.OFD} <= DEFAULT_ALLOWED
