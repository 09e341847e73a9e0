"""Signed scans (签发件) and the archive: filing under an archive code, the item becoming
archived and read-only, byte-identical downloads, refusals that store nothing, and
`archive-verify` naming changed or missing files."""

from __future__ import annotations

import hashlib
import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.documents.lifecycle import issue
from tests.helpers import login
from webapp.archive.models import ArchiveRecord
from webapp.auth.models import User
from webapp.errors import StateConflict
from webapp.extensions import db
from webapp.supervision import services as item_services
from webapp.supervision.models import ItemState, ReminderChannel
from webapp.supervision.services import item_by_code

SCAN_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _blobs(app) -> set[Path]:
    root = Path(app.config["UPLOAD_ROOT"]) / "blobs"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def closing(app, office, make_item):
    """A closed item with its issued, rendered closing report."""
    code = make_item("closed")
    doc = issue(app, office, "closing_report", code)
    assert doc["pdf_sha256"], doc["render_error"]
    return code, doc


def _upload(client, doc_id, data: bytes, name="签发件.pdf"):
    return client.post(f"/archive/documents/{doc_id}/scan",
                       data={"file": (io.BytesIO(data), name), "note": "局长签发"},
                       content_type="multipart/form-data")


def test_signed_closing_report_archives_the_item(app, client, office, closing):
    code, doc = closing
    login(client, office)
    resp = _upload(client, doc["id"], SCAN_PDF)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:800]
    with app.app_context():
        record = db.session.scalar(select(ArchiveRecord))
        item = item_by_code(code)
        assert item.state == ItemState.ARCHIVED
        assert item.archived_at is not None
        assert re.fullmatch(rf"DB·{record.year}·Y·0001", record.archive_code)
        assert record.sha256 == hashlib.sha256(SCAN_PDF).hexdigest()
        assert record.size == len(SCAN_PDF)
        assert record.content_type == "application/pdf"
        assert record.archived_by_id == office.id
        assert record.document_id == doc["id"]
        assert record.item_id == item.id
        record_id, archive_code = record.id, record.archive_code
    with client.get(f"/archive/{record_id}/file") as got:
        assert got.status_code == 200
        assert got.data == SCAN_PDF  # byte-identical
        assert got.headers["Content-Type"] == "application/pdf"
        assert "attachment" in got.headers["Content-Disposition"]
    page = client.get(f"/documents/{doc['id']}").get_data(as_text=True)
    assert archive_code in page
    # Read-only from now on: the item's actions answer 409, and so does a second scan.
    resp = client.post(f"/items/{code}/remind", data={"channel": "phone", "note": "再催"})
    assert resp.status_code == 409
    with app.app_context():
        actor = db.session.get(User, office.id)
        with pytest.raises(StateConflict):
            item_services.record_reminder(item_by_code(code), actor=actor,
                                          channel=ReminderChannel.PHONE)
    assert _upload(client, doc["id"], _png(), "again.png").status_code == 409
    assert client.post(f"/documents/{doc['id']}/void", data={"reason": "x"}).status_code == 409


def test_a_png_scan_of_a_notice_is_archived_without_touching_the_item(
        app, client, office, make_item):
    code = make_item("assigned")
    doc = issue(app, office, "notice", code)
    login(client, office)
    png = _png()
    assert _upload(client, doc["id"], png, "scan.png").status_code == 302
    with app.app_context():
        record = db.session.scalar(select(ArchiveRecord))
        assert record.content_type == "image/png"
        assert record.retention == "D30"
        assert item_by_code(code).state == ItemState.ASSIGNED
        record_id = record.id
    with client.get(f"/archive/{record_id}/file") as got:
        assert got.data == png


@pytest.mark.parametrize(("data", "name", "status"), [
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "scan.gif", 415),
    (b"just some text, not a scan", "scan.pdf", 415),
    (SCAN_PDF[:-7], "cut.pdf", 422),  # no %%EOF: incomplete upload
    (b"", "empty.pdf", 422),
])
def test_wrong_scans_are_refused_and_nothing_is_stored(app, client, office, closing, data,
                                                       name, status):
    code, doc = closing
    before = _blobs(app)
    login(client, office)
    resp = _upload(client, doc["id"], data, name)
    assert resp.status_code == status
    assert _blobs(app) == before
    tmp = Path(app.config["UPLOAD_ROOT"]) / "tmp"
    assert not tmp.exists() or not any(tmp.iterdir())
    with app.app_context():
        assert db.session.scalar(select(func.count(ArchiveRecord.id))) == 0
        assert item_by_code(code).state == ItemState.CLOSED


def test_missing_file_field_is_refused(app, client, office, closing):
    _, doc = closing
    login(client, office)
    resp = client.post(f"/archive/documents/{doc['id']}/scan", data={},
                       content_type="multipart/form-data")
    assert resp.status_code == 422


def test_only_the_office_files_and_other_units_cannot_download(
        app, client, office, liaison_a, liaison_b, closing):
    _, doc = closing
    login(client, liaison_a)
    assert _upload(client, doc["id"], SCAN_PDF).status_code == 403
    client.post("/logout")
    login(client, office)
    assert _upload(client, doc["id"], SCAN_PDF).status_code == 302
    with app.app_context():
        record_id = db.session.scalar(select(ArchiveRecord.id))
    client.post("/logout")
    login(client, liaison_b)
    assert client.get(f"/archive/{record_id}/file").status_code == 404
    assert client.get(f"/documents/{doc['id']}").status_code == 404
    client.post("/logout")
    login(client, liaison_a)
    with client.get(f"/archive/{record_id}/file") as got:
        assert got.status_code == 200
        assert got.data == SCAN_PDF


def _stored(app, sha: str) -> Path:
    with app.app_context():
        from webapp.media.store import blob_path

        return blob_path(sha)


def test_archive_verify_names_changed_and_missing_files(app, client, runner, office,
                                                        closing, make_item):
    _, doc = closing
    login(client, office)
    assert _upload(client, doc["id"], SCAN_PDF).status_code == 302
    with app.app_context():
        record = db.session.scalar(select(ArchiveRecord))
        archive_code, scan_sha = record.archive_code, record.sha256
    other = issue(app, office, "notice", make_item("assigned"))

    result = runner.invoke(args=["archive-verify"])
    assert result.exit_code == 0, result.output
    assert "5 files verified" in result.output  # scan + 2 × (pdf, docx)

    # Flip one byte of the archived scan.
    path = _stored(app, scan_sha)
    os.chmod(path, 0o640)
    raw = bytearray(path.read_bytes())
    raw[10] ^= 0x01
    path.write_bytes(bytes(raw))
    result = runner.invoke(args=["archive-verify"])
    assert result.exit_code == 1
    assert archive_code in result.output
    assert scan_sha in result.output
    assert "changed" in result.output
    assert other["doc_number"] not in result.output

    # An issued document's file goes missing.
    _stored(app, other["docx_sha256"]).unlink()
    result = runner.invoke(args=["archive-verify"])
    assert result.exit_code == 1
    assert f"{other['doc_number']} (docx)" in result.output
    assert "missing" in result.output
    assert "2 of 5 files" in result.output


def test_archive_manifest_lists_every_archived_file(app, client, runner, office, closing):
    code, doc = closing
    login(client, office)
    assert _upload(client, doc["id"], SCAN_PDF).status_code == 302
    result = runner.invoke(args=["archive-manifest"])
    assert result.exit_code == 0, result.output
    header, row = result.output.strip().splitlines()
    assert header.startswith("archive_code,doc_number,item,sha256")
    fields = row.split(",")
    assert fields[1:4] == [doc["doc_number"], code, hashlib.sha256(SCAN_PDF).hexdigest()]
    assert fields[0].startswith("DB·")
