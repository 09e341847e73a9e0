"""Office pages: list with photo progress, detail with evidence, publish and item forms (CSRF),
the checklist editor; session PUTs from the phone need the CSRF header."""

from __future__ import annotations

import re

import pytest

from tests.helpers import login
from tests.inspections.conftest import (
    csrf_login,
    finding,
    jpeg,
    new_uuid,
    photo_ref,
    record_body,
)


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_list_marks_incomplete_inspections(app, as_user, inspector, office, units):
    api = as_user(inspector)
    data = [jpeg(40), jpeg(41)]
    refs = [photo_ref(d) for d in data]
    uuid = new_uuid()
    api.put(uuid, record_body(units["A"].id, findings=[finding(*refs)]))
    api.upload(uuid, refs[0], data[0])
    page = app.test_client()
    login(page, office)
    html = page.get("/inspections/").get_data(as_text=True)
    assert "1/2 张照片已收到" in html
    assert "赵督查" in html
    assert page.get(f"/inspections/{uuid}").status_code == 200


def test_detail_shows_when_the_phone_added_a_photo(app, as_user, inspector, office, units):
    api = as_user(inspector)
    data = jpeg(42)  # no EXIF: no capture time
    ref = {**photo_ref(data), "added_at": "2026-11-20T09:41:00+08:00"}
    uuid = new_uuid()
    api.put(uuid, record_body(units["A"].id, findings=[finding(ref)]))
    api.upload(uuid, ref, data)
    page = app.test_client()
    login(page, office)
    html = re.sub(r"\s+", "", page.get(f"/inspections/{uuid}").get_data(as_text=True))
    assert "<dt>拍摄时间</dt><dd>（无）</dd><dt>手机添加时间</dt><dd>2026-11-2009:41</dd>" in html


def test_detail_shows_evidence_and_publishes_with_csrf(app, submitted, office, csrf_on):
    facts = submitted()  # Bearer calls: no CSRF needed
    page = app.test_client()
    csrf_login(page, office)
    html = page.get(f"/inspections/{facts['uuid']}").get_data(as_text=True)
    ref = facts["refs"][0]
    assert ref["sha256"] in html
    assert f"/inspections/photos/{ref['uuid']}/original" in html
    assert f"/inspections/photos/{ref['uuid']}/thumb" in html
    assert "30.100000, 120.200000" in html
    assert "2026-11-20 09:30" in html
    assert "发布检查结果" in html
    url = f"/inspections/{facts['uuid']}/publish"
    assert page.post(url, data={"result_summary": "合格"}).status_code == 400  # no token
    resp = page.post(url, data={"result_summary": "总体合格", "csrf_token": _token(html)})
    assert resp.status_code == 302
    html = page.get(f"/inspections/{facts['uuid']}").get_data(as_text=True)
    assert "已发布" in html
    assert "总体合格" in html


def test_finding_item_forms(app, published, office, units):
    facts = published(n_findings=2)
    page = app.test_client()
    login(page, office)
    base = f"/inspections/{facts['uuid']}/findings"
    resp = page.post(f"{base}/{facts['findings'][0]['uuid']}/item", data={
        "due_date": "2099-12-31", "first_responsible": "张所长", "direct_responsible": "李警官",
        "urgency": "normal"})
    assert resp.status_code == 302
    html = page.get(f"/inspections/{facts['uuid']}").get_data(as_text=True)
    code = re.search(r"已登记督办事项 (\d{4}-\d{3})", html).group(1)
    assert "待签收" in html  # the item's state beside the finding
    resp = page.post(f"{base}/{facts['findings'][1]['uuid']}/link", data={"item_code": "nope"})
    html = page.get(resp.headers["Location"]).get_data(as_text=True)
    assert "找不到该编号的督办事项" in html
    page.post(f"{base}/{facts['findings'][1]['uuid']}/link", data={"item_code": code})
    html = page.get(f"/inspections/{facts['uuid']}").get_data(as_text=True)
    assert html.count(f">{code}<") == 2


def test_user_text_is_escaped(app, as_user, inspector, office, units):
    uuid = new_uuid()
    evil = '<script>alert(1)</script> {{ 7*7 }} A & B'
    as_user(inspector).put(uuid, record_body(units["A"].id, place=evil,
                                             findings=[finding(description=evil)]))
    page = app.test_client()
    login(page, office)
    html = page.get(f"/inspections/{uuid}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} A &amp; B" in html


def test_session_puts_need_the_csrf_header(app, inspector, units, csrf_on):
    page = app.test_client()
    csrf_login(page, inspector)
    uuid = new_uuid()
    body = record_body(units["A"].id)
    assert page.put(f"/api/v1/inspections/{uuid}", json=body).status_code == 400
    token = page.get("/api/v1/csrf").json["csrf_token"]
    resp = page.put(f"/api/v1/inspections/{uuid}", json=body, headers={"X-CSRFToken": token})
    assert resp.status_code == 201
    data = jpeg(50)
    ref = photo_ref(data)
    body = record_body(units["A"].id, findings=[finding(ref)])
    page.put(f"/api/v1/inspections/{uuid}", json=body, headers={"X-CSRFToken": token})
    photo_url = f"/api/v1/inspections/{uuid}/photos/{ref['uuid']}"
    headers = {"X-Content-SHA256": ref["sha256"], "Content-Type": "image/jpeg"}
    assert page.put(photo_url, data=data, headers=headers).status_code == 400
    resp = page.put(photo_url, data=data, headers={**headers, "X-CSRFToken": token})
    assert resp.status_code == 201
    submit = f"/api/v1/inspections/{uuid}/submit"
    assert page.post(submit).status_code == 400
    assert page.post(submit, headers={"X-CSRFToken": token}).status_code == 200


def test_checklist_editor(app, office, as_user, inspector, checklist_ids):
    page = app.test_client()
    login(page, office)
    html = page.get("/inspections/checklists").get_data(as_text=True)
    assert "着装规范" in html
    assert "值班备勤" in html
    resp = page.post("/inspections/checklists", data={
        "unit_kind": "window", "category": "自助设备", "text": "自助终端运行正常，有专人引导"})
    assert resp.status_code == 302
    window = as_user(inspector).get("/checklists").json["checklists"]["window"]
    added = next(i for i in window if i["category"] == "自助设备")
    assert window[-1] == added
    page.post(f"/inspections/checklists/{added['id']}", data={
        "unit_kind": "window", "category": "自助设备", "text": "自助终端运行正常", "position": "1",
        "action": "save"})
    window = as_user(inspector).get("/checklists").json["checklists"]["window"]
    assert window[0] == {"id": added["id"], "text": "自助终端运行正常", "category": "自助设备"}
    page.post(f"/inspections/checklists/{added['id']}", data={"action": "deactivate"})
    window = as_user(inspector).get("/checklists").json["checklists"]["window"]
    assert added["id"] not in [i["id"] for i in window]
    assert "已停用" in page.get("/inspections/checklists").get_data(as_text=True)
    resp = page.post("/inspections/checklists", data={"unit_kind": "window", "category": "x",
                                                      "text": "bad\x01"})
    html = page.get(resp.headers["Location"]).get_data(as_text=True)
    assert "控制字符" in html
    assert page.post("/inspections/checklists/999999", data={"action": "save"}).status_code == 404
    assert page.post(f"/inspections/checklists/{2**70}", data={"action": "save"}).status_code == 404


@pytest.mark.parametrize("persona", ["inspector", "liaison_a", "leader"])
def test_checklist_editor_is_for_the_office(request, app, persona):
    page = app.test_client()
    login(page, request.getfixturevalue(persona))
    assert page.get("/inspections/checklists").status_code == 403
    assert page.post("/inspections/checklists", data={}).status_code == 403


def test_publish_form_is_for_the_office(app, submitted, leader):
    facts = submitted()
    page = app.test_client()
    login(page, leader)
    html = page.get(f"/inspections/{facts['uuid']}").get_data(as_text=True)
    assert "发布检查结果" not in html
    resp = page.post(f"/inspections/{facts['uuid']}/publish", data={"result_summary": "x"})
    assert resp.status_code == 403
