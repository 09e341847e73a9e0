"""Bad input gets a 4xx with a message, never a 500, and nothing odd is stored: nested JSON,
digits that are no digits, numbers beyond a column, NUL, invisible and direction characters,
dates that are no calendar dates."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.helpers import login
from webapp.extensions import db
from webapp.supervision.models import SupervisionItem

API = "/api/v1"
NESTED = b"[" * 100_000
HUGE = str(2**70)


def _json_operations(client) -> list[tuple[str, str]]:
    doc = client.get(f"{API}/openapi.json").json
    out = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                out.append((method.upper(), path.replace("{code}", "2026-001")
                            .replace("{uuid}", "00000000-0000-4000-8000-000000000000")
                            .replace("{finding_uuid}", "00000000-0000-4000-8000-000000000001")
                            .replace("{doc_id}", "1")))
    return out


def test_deeply_nested_json_is_a_400_on_every_json_endpoint(client, office, api_headers):
    headers = {**api_headers(office), "Content-Type": "application/json"}
    operations = _json_operations(client)
    assert len(operations) > 15
    for method, path in operations:
        resp = client.open(f"{API}{path}", method=method, data=NESTED, headers=headers)
        assert 400 <= resp.status_code < 500, (method, path, resp.status_code)
        assert resp.is_json
    # The one endpoint anyone may call.
    resp = client.post(f"{API}/auth/token", data=NESTED,
                       headers={"Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.json["error"]["code"] == "bad_request"


@pytest.mark.parametrize("value", ["²", "١", HUGE, "-1", "1e3"])
def test_numbers_that_are_no_ids(app, client, office, admin, units, make_item, api_headers,
                                 value):
    code = make_item("registered")
    c = login(app.test_client(), office)
    resp = c.post(f"/items/{code}/assign", data={
        "lead_unit": value, "due_date": "2099-01-01", "first_responsible": "张所长",
        "direct_responsible": "李副所长"})
    assert resp.status_code == 422 and "承办单位不存在" in resp.get_data(as_text=True)
    resp = c.post(f"/items/{code}/assign", data={
        "lead_unit": str(units["A"].id), "assisting_units": value, "due_date": "2099-01-01",
        "first_responsible": "张所长", "direct_responsible": "李副所长"})
    assert resp.status_code == 422
    resp = c.post("/documents/circular", data={
        "action": "preview", "start": "2026-01-01", "end": "2026-01-31",
        "praised_unit": value, "praised_reason": "表现突出"})
    assert resp.status_code == 422
    assert c.get(f"/inspections/?unit={value}").status_code == 200  # no such filter
    assert c.get(f"/items/?unit={value}").status_code in (200, 422)
    resp = client.get(f"{API}/inspections?unit_id={value}", headers=api_headers(office))
    assert resp.status_code == 422
    a = login(app.test_client(), admin)
    resp = a.post("/admin/users/", data={"username": "zhang", "name": "张三",
                                          "role": "liaison", "unit_id": value,
                                          "password": "correct-horse-battery-staple"})
    assert resp.status_code == 422


@pytest.mark.parametrize("path", [
    f"/documents/{HUGE}", f"/documents/{HUGE}/file.pdf", f"/archive/{HUGE}/file",
    f"/items/2026-001/attachments/{HUGE}", f"{API}/documents/{HUGE}",
    f"{API}/items/2026-001/attachments/{HUGE}",
])
def test_ids_beyond_the_column_in_routes_are_404(app, office, api_headers, path):
    c = login(app.test_client(), office)
    resp = c.get(path, headers=api_headers(office) if path.startswith(API) else {})
    assert resp.status_code == 404


def test_nul_in_searches_is_refused(app, office, api_headers):
    c = login(app.test_client(), office)
    headers = api_headers(office)
    assert c.get("/items/?q=a%00b").status_code == 422
    assert c.get("/inspections/?q=a%00b").status_code == 422
    assert c.get(f"{API}/items?q=a%00b", headers=headers).status_code == 422
    assert c.get(f"{API}/inspections?q=a%00b", headers=headers).status_code == 422


@pytest.mark.parametrize("name", ["off\x00ice", "\u202eoffice", "office%ED%A0%80"])
def test_odd_login_names_are_no_500(client, office, name):
    resp = client.post("/login", data=f"username={name}&password=wrong-password-123",
                       content_type="application/x-www-form-urlencoded")
    assert resp.status_code in (401, 429)


def test_a_lone_surrogate_login_name_is_a_400(client, office):
    resp = client.post(f"{API}/auth/token", content_type="application/json",
                       data='{"username": "office\\ud800", "password": "wrong-password"}')
    assert resp.status_code == 400 and resp.json["error"]["field"] == "username"


def test_invisible_and_direction_characters(app, client, office, api_headers):
    headers = api_headers(office)
    body = {"title": "\u200b\u200b\u200b", "content": "内容", "source": "meeting"}
    resp = client.post(f"{API}/items", json=body, headers=headers)
    assert resp.status_code == 422 and resp.json["error"]["field"] == "title"
    body["title"] = "关于\u202egpj.exe的整改"
    resp = client.post(f"{API}/items", json=body, headers=headers)
    assert resp.status_code == 201
    assert resp.json["title"] == "关于gpj.exe的整改"  # no character reverses what follows


@pytest.mark.parametrize("day", ["9999-12-31", "20301231", "2026-W01-1", "2026-02-30",
                                 "0001-01-01"])
def test_dates_that_are_no_calendar_dates(app, client, office, make_item, units, api_headers,
                                          day):
    code = make_item("registered")
    headers = api_headers(office)
    resp = client.post(f"{API}/items/{code}/assign", headers=headers, json={
        "lead_unit_id": units["A"].id, "due_date": day, "first_responsible": "张所长",
        "direct_responsible": "李副所长"})
    assert resp.status_code == 422 and resp.json["error"]["field"] == "due_date", day
    c = login(app.test_client(), office)
    resp = c.post(f"/items/{code}/assign", data={
        "lead_unit": str(units["A"].id), "due_date": day, "first_responsible": "张所长",
        "direct_responsible": "李副所长"})
    assert resp.status_code == 422, day
    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        assert item.due_date is None
        assert db.session.scalar(select(func.count(SupervisionItem.id))) == 1
