"""Evidence that fits the item: the office marks what a 办结反馈 must carry (photos, a document,
a number) and a final feedback without it is refused naming what is missing; the office's
returns carry a category, counted per category in the statistics (page, Excel, API)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from tests.helpers import login
from webapp.database import local_today
from webapp.extensions import db
from webapp.supervision.models import Feedback, ReturnReason, SupervisionItem
from webapp.supervision.stats import unit_statistics
from webapp.supervision.stats_views import HEADERS

API = "/api/v1"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 120, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def as_(api_headers, office, leader, liaison_a):
    personas = {"office": office, "leader": leader, "liaison_a": liaison_a}
    return {name: api_headers(p) for name, p in personas.items()}


def _assigned_asking(app, client, units, as_, evidence, figure=None) -> str:
    code = client.post(f"{API}/items", headers=as_["office"], json={
        "title": "辖区出租房屋消防隐患整改", "content": "排查并整改出租房屋消防隐患。",
        "source": "meeting"}).json["code"]
    with app.app_context():
        due = local_today().isoformat()
    resp = client.post(f"{API}/items/{code}/assign", headers=as_["office"], json={
        "lead_unit_id": units["A"].id, "due_date": due, "first_responsible": "张所长",
        "direct_responsible": "李副所长", "evidence": evidence, "evidence_figure": figure})
    assert resp.status_code == 200, resp.json
    client.post(f"{API}/items/{code}/acknowledge", headers=as_["liaison_a"])
    return code


def _upload(client, as_, code, data: bytes, name: str) -> dict:
    resp = client.post(f"{API}/items/{code}/attachments", data=data,
                       headers={**as_["liaison_a"], "X-Filename": quote(name)})
    assert resp.status_code == 201, resp.json
    return {"sha256": resp.json["sha256"]}


def test_a_final_feedback_without_the_evidence_asked_is_refused(app, client, units, as_):
    code = _assigned_asking(app, client, units, as_, ["photo", "document", "figure"],
                            "整改隐患数（处）")
    item = client.get(f"{API}/items/{code}", headers=as_["liaison_a"]).json
    assert item["evidence_required"] == ["photo", "document", "figure"]
    assert item["evidence_figure"] == "整改隐患数（处）"
    final = {"actions_taken": "逐户排查", "result": "隐患已整改"}
    bare = client.post(f"{API}/items/{code}/submit_final", headers=as_["liaison_a"], json=final)
    assert (bare.status_code, bare.json["error"]["code"]) == (422, "evidence_missing")
    assert bare.json["error"]["message"] == (
        "本事项的办结反馈须附现场照片（至少一张）、书面材料（PDF、Word、Excel、WPS 或 OFD 文件）、"
        "量化数据“整改隐患数（处）”，请补充后再提交")
    photo = _upload(client, as_, code, _png(), "现场.png")
    some = client.post(f"{API}/items/{code}/submit_final", headers=as_["liaison_a"],
                       json={**final, "attachments": [photo], "figure": "12"})
    assert some.status_code == 422 and "书面材料" in some.json["error"]["message"]
    assert "现场照片" not in some.json["error"]["message"]
    report = _upload(client, as_, code, PDF, "整改报告.pdf")
    nan = client.post(f"{API}/items/{code}/submit_final", headers=as_["liaison_a"],
                      json={**final, "attachments": [photo, report], "figure": "十二"})
    assert (nan.status_code, nan.json["error"]["field"]) == (422, "figure")
    ok = client.post(f"{API}/items/{code}/submit_final", headers=as_["liaison_a"],
                     json={**final, "attachments": [photo, report], "figure": "12"})
    assert ok.status_code == 200, ok.json
    assert ok.json["feedback"][-1]["figure"] == "12"
    # a progress report need not carry it
    other = _assigned_asking(app, client, units, as_, ["photo"])
    assert client.post(f"{API}/items/{other}/submit_progress", headers=as_["liaison_a"],
                       json={"actions_taken": "已部署"}).status_code == 200


def test_the_office_marks_the_evidence_and_the_unit_is_told(app, make_item, units, office,
                                                            liaison_a):
    code = make_item("registered")
    with app.app_context():
        due = local_today().isoformat()
    desk = login(app.test_client(), office)
    form = {"lead_unit": units["A"].id, "due_date": due, "first_responsible": "张所长",
            "direct_responsible": "李副所长", "evidence": ["figure"]}
    no_name = desk.post(f"/items/{code}/assign", data=form)
    assert no_name.status_code == 422 and "请填写数据名称" in no_name.get_data(as_text=True)
    assert desk.post(f"/items/{code}/assign", data={**form, "evidence_figure": "检查场所数（家）"}
                     ).status_code == 302
    unit = login(app.test_client(), liaison_a)
    unit.post(f"/items/{code}/acknowledge")
    page = unit.get(f"/items/{code}").get_data(as_text=True)
    assert "本事项的办结反馈须附：量化数据（检查场所数（家））。" in page
    assert 'name="figure"' in page
    refused = unit.post(f"/items/{code}/feedback", data={
        "kind": "final", "actions_taken": "检查完毕", "result": "无隐患", "completed": "yes"})
    assert refused.status_code == 422
    assert "须附量化数据“检查场所数（家）”" in refused.get_data(as_text=True)
    assert unit.post(f"/items/{code}/feedback", data={
        "kind": "final", "actions_taken": "检查完毕", "result": "无隐患", "completed": "yes",
        "figure": "46"}).status_code == 302
    shown = login(app.test_client(), office).get(f"/items/{code}").get_data(as_text=True)
    assert "检查场所数（家）</dt><dd>46" in shown


def test_returns_carry_a_category(app, client, make_item, as_, office):
    code = make_item("under_review")
    desk = login(app.test_client(), office)
    page = desk.get(f"/items/{code}").get_data(as_text=True)
    assert all(label in page for label in ("证据不足", "未按要求整改", "内容过于简略", "其他"))
    uncategorised = desk.post(f"/items/{code}/return", data={"reason": "缺少照片"})
    assert uncategorised.status_code == 422
    assert "请选择退回原因类别" in uncategorised.get_data(as_text=True)
    assert desk.post(f"/items/{code}/return", data={"reason": "缺少照片",
                                                     "category": "insufficient_evidence"}
                     ).status_code == 302
    item = client.get(f"{API}/items/{code}", headers=as_["office"]).json
    assert item["feedback"][-1]["return_category"] == "insufficient_evidence"
    assert "证据不足" in desk.get(f"/items/{code}").get_data(as_text=True)
    other = make_item("under_review")
    bad = client.post(f"{API}/items/{other}/return", headers=as_["office"],
                      json={"reason": "太简单", "category": "sloppy"})
    assert (bad.status_code, bad.json["error"]["field"]) == (422, "category")
    client.post(f"{API}/items/{other}/return", headers=as_["office"],
                json={"reason": "太简单", "category": "too_brief"})
    plain = make_item("under_review")
    client.post(f"{API}/items/{plain}/return", headers=as_["office"], json={"reason": "其他原因"})
    with app.app_context():
        assert [str(c) for c in db.session.scalars(select(Feedback.return_category).where(
            Feedback.return_category.is_not(None)).order_by(Feedback.id))] == [
            "insufficient_evidence", "too_brief", "other"]


def test_statistics_count_returns_per_category(app, client, make_item, units, as_, office):
    codes = [make_item("in_progress", due_date=date(2025, 3, 20)),
             make_item("in_progress", due_date=date(2025, 3, 22)),
             make_item("in_progress", due_date=date(2025, 3, 25),
                       lead_unit_id=units["B"].id, first_responsible="王队长",
                       direct_responsible="赵中队长")]
    with app.app_context():
        rows = db.session.scalars(select(SupervisionItem).where(
            SupervisionItem.code.in_(codes)).order_by(SupervisionItem.id)).all()
        for item, categories in zip(rows, (("insufficient_evidence", "too_brief"),
                                           ("insufficient_evidence",), (None,)), strict=True):
            for n, category in enumerate(categories):
                db.session.add(Feedback(
                    item=item, unit_id=item.lead_unit_id, kind="final", actions_taken="x",
                    submitted_by_id=office.id, review_state="returned",
                    return_category=category, review_note="退回",
                    reviewed_at=datetime(2025, 3, 10 + n, 3, tzinfo=UTC)))
        db.session.commit()
        stats = unit_statistics(date(2025, 3, 1), date(2025, 3, 31))
        by_unit = {r.label: (r.returns, r.returns_insufficient_evidence, r.returns_too_brief,
                             r.returns_other) for r in stats.rows}
        assert by_unit == {"城关派出所": (3, 2, 1, 0), "交警大队": (1, 0, 0, 1)}
        assert (stats.totals.returns, stats.totals.returns_insufficient_evidence) == (4, 2)
    api = client.get(f"{API}/statistics?start=2025-03-01&end=2025-03-31",
                     headers=as_["leader"]).json
    assert api["totals"]["returns_too_brief"] == 1 and api["totals"]["returns_other"] == 1
    desk = login(app.test_client(), office)
    page = desk.get("/statistics?period=custom&start=2025-03-01&end=2025-03-31"
                    ).get_data(as_text=True)
    row = re.search(r'<tr><th scope="row">城关派出所</th>(.*?)</tr>', page, re.S).group(1)
    cells = dict(zip(HEADERS, (re.sub(r"<[^>]+>", "", c).strip()
                               for c in re.findall(r"<td>(.*?)</td>", row, re.S)), strict=True))
    assert [cells[f"退回：{r.label}"] for r in ReturnReason] == ["2", "0", "1", "0"]
    sheet = load_workbook(io.BytesIO(desk.get(
        "/statistics/export.xlsx?period=custom&start=2025-03-01&end=2025-03-31").data)).active
    header = [c.value for c in sheet[2]]
    total = dict(zip(header, (c.value for c in sheet[sheet.max_row]), strict=True))
    assert [total[f"退回：{r.label}"] for r in ReturnReason] == [2, 0, 1, 1]
