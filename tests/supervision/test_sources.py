"""The 批示件 and 来文 on file: attached at registration (PDF or photos, checked by content) or
later by the office; shown to whoever may see the item (a sub-item's units see its parent's);
listed among the closing report's 附件; re-hashed by archive-verify."""

from __future__ import annotations

import io
import os
from urllib.parse import quote

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.helpers import login
from webapp.extensions import db
from webapp.media.store import blob_path
from webapp.supervision.models import SourceFile, SupervisionItem

API = "/api/v1"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DOCX_LIKE = b"PK\x03\x04" + b"\0" * 60  # not a PDF, not a photo


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (120, 20, 20)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def as_(api_headers, office, leader, liaison_a, liaison_b):
    personas = {"office": office, "leader": leader, "liaison_a": liaison_a,
                "liaison_b": liaison_b}
    return {name: api_headers(p) for name, p in personas.items()}


REGISTER = {"title": "夜市周边盗窃警情高发整治", "content": "十月夜市周边盗窃警情环比上升。",
            "source": "leader_instruction", "instruction_text": "请城关所会同刑侦大队整治。",
            "instruction_leader": "李局长", "instruction_date": "2026-01-05",
            "source_kind": "instruction"}


def _count(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(SupervisionItem.id))),
                db.session.scalar(select(func.count(SourceFile.id))))


def test_the_scans_are_attached_at_registration(app, office):
    desk = login(app.test_client(), office)
    page = desk.get("/items/new").get_data(as_text=True)
    assert 'name="source_files"' in page and "批示件" in page
    resp = desk.post("/items/new", data={**REGISTER, "source_files": [
        (io.BytesIO(PDF), "局长批示.pdf"), (io.BytesIO(_jpeg()), "批示照片.jpg")]},
        content_type="multipart/form-data")
    assert resp.status_code == 302
    code = resp.location.rsplit("/", 1)[1]
    with app.app_context():
        rows = db.session.scalars(select(SourceFile).order_by(SourceFile.id)).all()
        assert [(r.filename, r.content_type, str(r.kind)) for r in rows] == [
            ("局长批示.pdf", "application/pdf", "instruction"),
            ("批示照片.jpg", "image/jpeg", "instruction")]
    detail = desk.get(f"/items/{code}").get_data(as_text=True)
    assert "批示件及来文" in detail and "局长批示.pdf" in detail
    assert "上传批示件/来文" in detail  # on the timeline, one entry per file


def test_a_file_that_is_no_scan_refuses_the_registration(app, office):
    desk = login(app.test_client(), office)
    before = _count(app)
    resp = desk.post("/items/new", data={**REGISTER, "source_files": [
        (io.BytesIO(DOCX_LIKE), "批示.pdf")]}, content_type="multipart/form-data")
    assert resp.status_code == 415
    assert "只接受 PDF" in resp.get_data(as_text=True)
    assert 'value="夜市周边盗窃警情高发整治"' in resp.get_data(as_text=True)  # kept as typed
    assert _count(app) == before


def test_attach_through_the_api_and_who_may_see_them(app, client, make_item, units, as_):
    code = make_item("assigned")
    upload = client.post(f"{API}/items/{code}/attach_source", data=PDF, headers={
        **as_["office"], "X-Filename": quote("市局督办单.pdf"), "X-Source-Kind": "incoming"})
    assert upload.status_code == 201, upload.json
    row = upload.json
    assert (row["filename"], row["kind"], row["kind_label"]) == ("市局督办单.pdf", "incoming",
                                                                 "来文")
    for name in ("liaison_a", "leader"):
        resp = client.get(f"{API}/items/{code}/source_files/{row['id']}", headers=as_[name])
        assert resp.status_code == 200 and resp.data == PDF, name
        resp.close()
    assert client.get(f"{API}/items/{code}/source_files/{row['id']}",
                      headers=as_["liaison_b"]).status_code == 404
    assert client.post(f"{API}/items/{code}/attach_source", data=PDF, headers={
        **as_["liaison_a"], "X-Filename": "x.pdf"}).status_code == 403
    refused = client.post(f"{API}/items/{code}/attach_source", data=DOCX_LIKE, headers={
        **as_["office"], "X-Filename": "x.pdf"})
    assert refused.status_code == 415
    closed = make_item("closed")
    assert client.post(f"{API}/items/{closed}/attach_source", data=PDF, headers={
        **as_["office"], "X-Filename": "x.pdf"}).status_code == 409
    other = make_item("assigned")  # another item's file is not this item's
    assert client.get(f"{API}/items/{other}/source_files/{row['id']}",
                      headers=as_["office"]).status_code == 404


def test_sub_items_show_their_parents_scans(app, client, make_item, units, as_, liaison_a):
    code = make_item("split")
    row = client.post(f"{API}/items/{code}/attach_source", data=PDF, headers={
        **as_["office"], "X-Filename": quote("局务会纪要.pdf"), "X-Source-Kind": "minutes"}).json
    child = client.get(f"{API}/items/{code}-1", headers=as_["liaison_a"]).json
    assert [f["filename"] for f in child["source_files"]] == ["局务会纪要.pdf"]
    resp = client.get(f"{API}/items/{code}-1/source_files/{row['id']}", headers=as_["liaison_a"])
    assert resp.status_code == 200 and resp.data == PDF
    resp.close()
    page = login(app.test_client(), liaison_a).get(f"/items/{code}-1").get_data(as_text=True)
    assert "局务会纪要.pdf" in page and f"上级事项 {code}" in page
    assert client.get(f"{API}/items/{code}/source_files/{row['id']}",
                      headers=as_["liaison_a"]).status_code == 404  # the parent stays hidden


def test_the_closing_report_lists_them_and_archive_verify_rehashes_them(
        app, client, runner, make_item, as_):
    code = make_item("under_review")
    assert client.post(f"{API}/items/{code}/attach_source", headers={
        **as_["office"], "X-Filename": quote("局长批示.pdf")}, data=PDF).status_code == 201
    assert client.post(f"{API}/items/{code}/accept", headers=as_["office"], json={}
                       ).json["state"] == "closed"
    from webapp.documents import data as builders
    from webapp.documents.settings import load_settings

    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        report = builders.closing_report_data(item, load_settings(), today=item.closed_on)
        sha = item.source_files[0].sha256
    assert report["attachments"][0] == "局长批示（批示件）"
    ok = runner.invoke(args=["archive-verify"])
    assert ok.exit_code == 0, ok.output
    path = blob_path_in(app, sha)
    os.chmod(path, 0o640)
    path.write_bytes(PDF + b"% changed\n")
    bad = runner.invoke(args=["archive-verify"])
    assert bad.exit_code == 1
    assert f"{code} 批示件 局长批示.pdf" in bad.output


def blob_path_in(app, sha: str):
    with app.app_context():
        return blob_path(sha)
