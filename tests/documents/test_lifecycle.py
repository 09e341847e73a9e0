"""The document life cycle through the pages: issue notice, reminder, closing report and
circular; downloads with their names and hashes; render failure and retry; visibility;
issuer settings; the command-line draft."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from tests.documents.lifecycle import (
    docx_text,
    in_order,
    issue,
    load,
    pdf_text,
    signed,
    squash,
)
from tests.helpers import login
from webapp.audit.models import AuditEvent
from webapp.database import local_today
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.numbering import current_number
from webapp.supervision.models import Reminder, ReminderChannel
from webapp.supervision.services import item_by_code


def _today(app) -> date:
    with app.app_context():
        return local_today()


def _get(client, url):
    with client.get(url) as resp:
        return resp.status_code, resp.headers, resp.data


def test_office_issues_a_notice_and_downloads_both_formats(app, client, office, make_item):
    code = make_item("assigned", title="整改户籍窗口排队问题",
                     content="群众反映 A & B < C 与 {{ 7*7 }} 原样保留。")
    login(client, office)
    resp = client.post(f"/documents/items/{code}/issue/notice")
    assert resp.status_code == 302
    with app.app_context():
        doc = db.session.scalar(select(Document))
        doc_id, number = doc.id, doc.doc_number
        data = json.loads(doc.data_json)
        events = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "document")).all()
    year = _today(app).year
    assert number == f"某公督〔{year}〕1号"
    assert data["item"]["code"] == code
    assert data["recipients"] == ["城关派出所"]
    assert events == ["document_issue", "document_rendered"]
    facts = load(app, doc_id)
    name = f"{number} 关于整改户籍窗口排队问题的督办通知"

    status, headers, pdf = _get(client, f"/documents/{doc_id}/file.pdf")
    assert status == 200
    assert headers["Content-Type"] == "application/pdf"
    cd = headers["Content-Disposition"]
    assert cd.startswith("attachment; filename=\"")
    assert f"filename*=UTF-8''{quote(name + '.pdf', safe='')}" in cd
    assert cd.encode("latin-1")  # the header itself is ASCII-safe
    assert hashlib.sha256(pdf).hexdigest() == facts["pdf_sha256"]

    status, headers, docx = _get(client, f"/documents/{doc_id}/file.docx")
    assert status == 200
    assert headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert f"filename*=UTF-8''{quote(name + '.docx', safe='')}" in headers["Content-Disposition"]
    assert hashlib.sha256(docx).hexdigest() == facts["docx_sha256"]

    # Both stored files carry the same text in the same order, user text exactly as typed.
    markers = [number, "关于整改户籍窗口排队问题的督办通知", "城关派出所",
               "群众反映 A & B < C 与 {{ 7*7 }} 原样保留。"]
    assert in_order(pdf_text(pdf), markers)
    assert in_order(docx_text(docx), markers)
    # Downloads never re-render: the same bytes come back.
    assert _get(client, f"/documents/{doc_id}/file.pdf")[2] == pdf
    # The item page lists it.
    page = client.get(f"/items/{code}").get_data(as_text=True)
    assert number in page


def test_reminder_for_an_overdue_item_records_a_document_reminder(app, client, office,
                                                                   make_item):
    today = _today(app)
    code = make_item("in_progress", due_date=today - timedelta(days=4))
    login(client, office)
    new_due = (today + timedelta(days=7)).isoformat()
    resp = client.post(f"/documents/items/{code}/issue/reminder", data={"new_due_date": new_due})
    assert resp.status_code == 302
    with app.app_context():
        doc = db.session.scalar(select(Document))
        data = json.loads(doc.data_json)
        reminders = db.session.scalars(select(Reminder)).all()
        assert doc.rendered
        assert data["days_overdue"] == 4
        assert data["new_due_date"] == new_due
        assert [r.channel for r in reminders] == [ReminderChannel.DOCUMENT]
        assert doc.doc_number in reminders[0].note
    # A second one the same day (a double submit) is refused and uses no number.
    resp = client.post(f"/documents/items/{code}/issue/reminder")
    assert resp.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count(Reminder.id))) == 1
        assert current_number("doc:某公督", today.year) == 1


def test_reminder_refused_for_an_item_not_overdue(app, client, office, make_item):
    code = make_item("in_progress")
    login(client, office)
    assert client.post(f"/documents/items/{code}/issue/reminder").status_code == 409
    assert client.get(f"/documents/items/{code}/preview/reminder").status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 0


def test_closing_report_after_closing_is_pdfa(app, client, office, make_item):
    code = make_item("closed")
    login(client, office)
    assert client.post(f"/documents/items/{code}/issue/closing_report").status_code == 302
    with app.app_context():
        doc = db.session.scalar(select(Document))
        data = json.loads(doc.data_json)
        doc_id = doc.id
    assert data["feedback"]["actions_taken"] == "增开两个窗口，实行预约办理。"
    assert data["review_opinion"] == "整改到位，同意办结。"
    assert any("交办" in step["text"] for step in data["timeline"])
    _, _, pdf = _get(client, f"/documents/{doc_id}/file.pdf")
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as p:
        meta = p.open_metadata()
        assert meta.get("pdfaid:part") is not None
    assert "增开两个窗口" in squash(pdf_text(pdf))


def test_notice_refused_before_assignment(app, client, office, make_item):
    code = make_item("registered")
    login(client, office)
    assert client.post(f"/documents/items/{code}/issue/notice").status_code == 409
    assert client.post(f"/documents/items/{code}/issue/closing_report").status_code == 409


def test_only_the_office_issues(app, client, leader, liaison_a, make_item):
    code = make_item("assigned")
    login(client, leader)
    assert client.post(f"/documents/items/{code}/issue/notice").status_code == 403
    assert client.get(f"/documents/items/{code}/preview/notice").status_code == 200
    client.post("/logout")
    login(client, liaison_a)
    assert client.post(f"/documents/items/{code}/issue/notice").status_code == 403
    assert client.get(f"/documents/items/{code}/preview/notice").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 0


def test_circular_with_praised_and_criticised_units(app, client, office, leader, units,
                                                    make_item):
    make_item("closed")
    today = _today(app)
    start, end = today.replace(day=1), today + timedelta(days=40)
    form = {"start": start.isoformat(), "end": end.isoformat(),
            "summary": "本月督办工作总体平稳。",
            "praised_unit": [str(units["A"].id), ""], "praised_reason": ["整改迅速，群众满意", ""],
            "criticised_unit": [str(units["B"].id)], "criticised_reason": ["反馈敷衍，多次催办"],
            "requirements": "各单位要按期办结。"}
    login(client, office)
    preview = client.post("/documents/circular", data=form | {"action": "preview"})
    assert preview.status_code == 200
    assert preview.mimetype == "application/pdf"
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 0
    # A 通报 needs a leader's 签发: issuing it directly is refused; drafted, checked, signed.
    assert client.post("/documents/circular", data=form | {"action": "issue"}).status_code == 409
    signed(app, client, leader, client.post("/documents/circular", data=form | {"action": "draft"}))
    with app.app_context():
        doc = db.session.scalar(select(Document))
        data = json.loads(doc.data_json)
        doc_id = doc.id
        assert (doc.period_start, doc.period_end) == (start, end)
    assert data["praised"] == [{"unit": "城关派出所", "reason": "整改迅速，群众满意"}]
    assert data["criticised"] == [{"unit": "交警大队", "reason": "反馈敷衍，多次催办"}]
    assert data["table"]["rows"][0][0] == "城关派出所"
    assert data["table"]["rows"][-1][0] == "合计"
    _, _, pdf = _get(client, f"/documents/{doc_id}/file.pdf")
    _, _, docx = _get(client, f"/documents/{doc_id}/file.docx")
    markers = ["本月督办工作总体平稳。", "整改迅速，群众满意", "反馈敷衍，多次催办"]
    assert in_order(pdf_text(pdf), markers)
    assert in_order(docx_text(docx), markers)
    # The same period again is refused (double submit); the same unit praised and criticised too.
    assert client.post("/documents/circular", data=form | {"action": "draft"}).status_code == 409
    bad = form | {"criticised_unit": [str(units["A"].id)], "action": "preview"}
    assert client.post("/documents/circular", data=bad).status_code == 422


def test_statistics_page_shows_the_circular_panel(app, client, office):
    login(client, office)
    from flask import url_for

    with app.test_request_context():
        url = url_for("stats.statistics")
    page = client.get(url).get_data(as_text=True)
    assert "拟稿（送核稿、领导签发）" in page and 'value="draft"' in page  # 通报 needs 签发
    assert 'name="praised_unit"' in page


def _break_template(app, kind: str) -> Path:
    """An office override in instance/doc_templates that fails (the sandbox refuses it)."""
    folder = Path(app.instance_path) / "doc_templates"
    folder.mkdir(exist_ok=True)
    path = folder / f"{kind}.j2"
    # Added while the app runs, after earlier tests rendered the repository's copy: it must
    # be used from the next render on, with no restart.
    path.write_text("@title {{ item.__class__ }}\n", encoding="utf-8")
    return path


def test_render_failure_keeps_the_issued_record_and_retry_succeeds(app, client, office,
                                                                     make_item):
    code = make_item("assigned")
    broken = _break_template(app, "notice")
    try:
        login(client, office)
        resp = client.post(f"/documents/items/{code}/issue/notice")
        assert resp.status_code == 302
        with app.app_context():
            doc = db.session.scalar(select(Document))
            doc_id, number = doc.id, doc.doc_number
        facts = load(app, doc_id)
        assert facts["state"] == "issued"
        assert facts["render_error"]
        assert facts["pdf_sha256"] is None
        assert _get(client, f"/documents/{doc_id}/file.pdf")[0] == 404
        page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
        assert "重新生成" in page
        # Still broken: retry fails again, the record stays.
        client.post(f"/documents/{doc_id}/render")
        assert load(app, doc_id)["render_error"]
    finally:
        broken.unlink()
    resp = client.post(f"/documents/{doc_id}/render")
    assert resp.status_code == 302
    facts = load(app, doc_id)
    assert facts["render_error"] is None
    assert facts["doc_number"] == number
    status, _, pdf = _get(client, f"/documents/{doc_id}/file.pdf")
    assert status == 200
    assert hashlib.sha256(pdf).hexdigest() == facts["pdf_sha256"]
    # Rendered files are never rendered again in place.
    assert client.post(f"/documents/{doc_id}/render").status_code == 409


def test_render_pending_command_renders_failed_documents(app, runner, office, make_item,
                                                          monkeypatch):
    code = make_item("assigned")
    limit = app.config["DOCUMENT_RENDER_TIMEOUT"]
    monkeypatch.setitem(app.config, "DOCUMENT_RENDER_TIMEOUT", 0.001)  # every render overruns
    doc = issue(app, office, "notice", code)
    assert doc["render_error"].startswith("RenderTimeout")
    result = runner.invoke(args=["render-pending"])
    assert result.exit_code == 1
    assert "FAIL" in result.output
    monkeypatch.setitem(app.config, "DOCUMENT_RENDER_TIMEOUT", limit)
    result = runner.invoke(args=["render-pending"])
    assert result.exit_code == 0, result.output
    assert f"OK   {doc['doc_number']}" in result.output
    assert load(app, doc["id"])["pdf_sha256"]


def test_oversized_data_is_refused_before_a_number_is_used(app, client, office, make_item,
                                                          monkeypatch):
    code = make_item("assigned")
    login(client, office)
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_DATA_BYTES", 500)
    resp = client.post(f"/documents/items/{code}/issue/notice")
    assert resp.status_code == 413
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 0
        assert current_number("doc:某公督", local_today().year) == 0


@pytest.mark.parametrize("who", ["liaison_b", "inspector"])
def test_other_units_documents_answer_404(app, client, office, liaison_a, liaison_b,
                                          inspector, make_item, who):
    code = make_item("assigned")
    doc = issue(app, office, "notice", code)
    persona = {"liaison_b": liaison_b, "inspector": inspector}[who]
    login(client, persona)
    for url in (f"/documents/{doc['id']}", f"/documents/{doc['id']}/file.pdf",
                f"/documents/{doc['id']}/file.docx", f"/api/v1/documents/{doc['id']}",
                f"/api/v1/documents/{doc['id']}/file.pdf"):
        assert _get(client, url)[0] == 404, url
    listing = client.get("/documents/").get_data(as_text=True)
    assert doc["doc_number"] not in listing
    assert client.get("/api/v1/documents").json["documents"] == []


def test_the_lead_units_liaison_sees_and_downloads_its_documents(app, client, office,
                                                                 liaison_a, make_item):
    code = make_item("assigned")
    doc = issue(app, office, "notice", code)
    login(client, liaison_a)
    assert doc["doc_number"] in client.get("/documents/").get_data(as_text=True)
    status, _, pdf = _get(client, f"/documents/{doc['id']}/file.pdf")
    assert status == 200
    assert hashlib.sha256(pdf).hexdigest() == doc["pdf_sha256"]
    assert [d["doc_number"] for d in client.get("/api/v1/documents").json["documents"]] == [
        doc["doc_number"]]
    # Liaisons cannot void.
    assert client.post(f"/documents/{doc['id']}/void", data={"reason": "x"}).status_code == 403


def test_admin_settings_change_the_issuer_in_the_next_document(app, client, admin, office,
                                                               make_item):
    login(client, admin)
    page = client.get("/documents/settings")
    assert page.status_code == 200
    assert "当前使用的字体" in page.get_data(as_text=True)
    form = {"mark": "测试县公安局督察支队", "code": "测公督", "add_wenjian": "1",
            "letter_kinds": ["reminder"], "signature": "测试县公安局", "contact_name": "王明",
            "contact_phone": "0000-1234567", "cc": "县公安局纪委\n县局政治处",
            "printer": "测试县公安局办公室"}
    assert client.post("/documents/settings", data=form).status_code == 302
    bad = form | {"code": "测公督〔2026〕"}
    assert client.post("/documents/settings", data=bad).status_code == 422
    bad = form | {"font_fangsong": "/no/such/font.ttf"}
    assert client.post("/documents/settings", data=bad).status_code == 422
    doc = issue(app, office, "notice", make_item("assigned"))
    year = _today(app).year
    assert doc["doc_number"] == f"测公督〔{year}〕1号"
    login(client, office)
    _, _, pdf = _get(client, f"/documents/{doc['id']}/file.pdf")
    _, _, docx = _get(client, f"/documents/{doc['id']}/file.docx")
    for text in (pdf_text(pdf), docx_text(docx)):
        assert "测试县公安局督察支队文件" in squash(text)
        assert "县局政治处" in squash(text)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "issuer_settings_update" in actions


def test_settings_are_for_the_admin_only(client, office):
    login(client, office)
    assert client.get("/documents/settings").status_code == 403
    assert client.post("/documents/settings", data={"mark": "x", "code": "y"}).status_code == 403


def test_cli_renders_a_draft(app, runner, office, make_item, tmp_path):
    code = make_item("assigned")
    out = tmp_path / "draft.pdf"
    result = runner.invoke(args=["render", "notice", "--item", code, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert "草稿" in squash(pdf_text(out.read_bytes()))
    out = tmp_path / "draft.docx"
    result = runner.invoke(args=["render", "notice", "--item", code, "--format", "docx",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"PK")
    today = _today(app)
    out = tmp_path / "circular.pdf"
    result = runner.invoke(args=["render", "circular", "--start", today.replace(day=1)
                                 .isoformat(), "--end", today.isoformat(), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    result = runner.invoke(args=["render", "notice", "--item", "2099-999", "-o", str(out)])
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 0
        assert item_by_code(code) is not None


def test_api_issues_and_lists(app, client, office, api_headers, make_item):
    code = make_item("assigned")
    headers = api_headers(office)
    resp = client.post("/api/v1/documents", json={"kind": "notice", "item": code},
                       headers=headers)
    assert resp.status_code == 201, resp.json
    body = resp.json
    assert body["rendered"] is True
    assert body["pdf"]["sha256"]
    again = client.post("/api/v1/documents", json={"kind": "notice", "item": code},
                        headers=headers)
    assert again.status_code == 409
    assert client.get(f"/api/v1/documents/{body['id']}", headers=headers).json[
        "doc_number"] == body["doc_number"]


def test_item_page_offers_the_right_documents(app, client, office, liaison_a, make_item):
    code = make_item("assigned")
    login(client, office)
    page = client.get(f"/items/{code}").get_data(as_text=True)
    assert f"/documents/items/{code}/issue/notice" in page
    assert f"/documents/items/{code}/preview/notice" in page
    assert "/issue/closing_report" not in page  # not closed yet
    assert "/issue/reminder" not in page  # not overdue
    client.post(f"/documents/items/{code}/issue/notice")
    page = client.get(f"/items/{code}").get_data(as_text=True)
    assert "该事项已印发督办通知" in page
    client.post("/logout")
    login(client, liaison_a)
    page = client.get(f"/items/{code}").get_data(as_text=True)
    assert "督办通知" in page
    assert "/issue/" not in page
    assert "/preview/" not in page


def test_forms_need_the_csrf_token(app, client, office, make_item, csrf_on):
    code = make_item("assigned")
    login_resp = client.get("/login")
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', login_resp.get_data(as_text=True))
    client.post("/login", data={"username": office.username, "password": office.password,
                                "csrf_token": token.group(1)})
    assert client.post(f"/documents/items/{code}/issue/notice").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 0


def test_a_failing_draft_is_a_clear_422(app, client, office, make_item):
    code = make_item("assigned")
    broken = _break_template(app, "notice")
    try:
        login(client, office)
        resp = client.get(f"/documents/items/{code}/preview/notice")
    finally:
        broken.unlink()
    assert resp.status_code == 422
    assert "草稿生成失败" in resp.get_data(as_text=True)
