"""批量催办 and 批量交办: each item through its own service and gate, each its own audit event;
refused items are listed with the reason and the others done (savepoints per item)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import login
from webapp.audit.models import AuditEvent
from webapp.database import local_today
from webapp.extensions import db
from webapp.supervision.models import ItemState, Reminder, SupervisionItem


def _events(app, action: str) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(AuditEvent.object_id).where(
            AuditEvent.action == action)))


def test_batch_remind_does_each_and_reports_the_refused(app, client, make_item, office):
    a, b, closed = make_item("in_progress"), make_item("assigned"), make_item("closed")
    login(client, office)
    page = client.get("/items/").get_data(as_text=True)
    assert 'id="batch-form"' in page and f'name="code" value="{a}"' in page
    chosen = client.get(f"/items/batch?code={a}&code={b}&code={closed}").get_data(as_text=True)
    assert "已选 3 项" in chosen and "批量催办" in chosen and "批量交办" in chosen
    resp = client.post("/items/batch", data={"action": "remind", "channel": "phone",
                                             "note": "请加快进度", "code": [a, b, closed]})
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    assert "完成 2 项，未处理 1 项" in text
    assert re.search(rf"{closed}</a></td><td>未处理：事项当前状态为“已办结”", text)
    assert _events(app, "remind") == sorted([a, b])
    with app.app_context():
        assert db.session.scalar(select(func.count(Reminder.id))) == 2


def test_batch_assign_goes_through_the_assign_gate(app, client, api_headers, make_item,
                                                   office, units):
    first, second, busy = make_item("registered"), make_item("registered"), make_item("in_progress")
    with app.app_context():
        due = local_today() + timedelta(days=15)
    resp = client.post("/api/v1/items/batch", headers=api_headers(office), json={
        "action": "assign", "codes": [first, second, busy, "2026-999"],
        "lead_unit_id": units["B"].id, "due_date": due.isoformat(),
        "first_responsible": "王大队长", "direct_responsible": "赵中队长"})
    assert resp.status_code == 200, resp.json
    assert resp.json["done"] == 2 and resp.json["refused"] == 2
    outcome = {i["code"]: i for i in resp.json["items"]}
    assert outcome[first]["done"] and outcome[second]["done"]
    assert "不能执行“交办”" in outcome[busy]["message"]
    assert outcome["2026-999"]["message"] == "找不到该督办事项"
    assert _events(app, "assign") == sorted([first, second, busy])  # busy: by make_item
    with app.app_context():
        rows = db.session.scalars(select(SupervisionItem).where(
            SupervisionItem.code.in_([first, second]))).all()
        assert {(r.state, r.lead_unit_id, r.due_date) for r in rows} == {
            (ItemState.ASSIGNED, units["B"].id, due)}


def test_a_refused_item_leaves_nothing_behind(app, client, make_item, office, units):
    ok, bad = make_item("registered"), make_item("registered")
    login(client, office)
    with app.app_context():
        due = local_today() + timedelta(days=5)
    # one common field the service refuses for every item: each is reported, none is kept
    resp = client.post("/items/batch", data={"action": "assign", "code": [ok, bad],
                                             "lead_unit": units["A"].id,
                                             "due_date": due.isoformat(),
                                             "first_responsible": "", "direct_responsible": ""})
    assert resp.status_code == 200
    assert "完成 0 项，未处理 2 项" in resp.get_data(as_text=True)
    assert _events(app, "assign") == []
    with app.app_context():
        assert set(db.session.scalars(select(SupervisionItem.state))) == {ItemState.REGISTERED}


def test_only_the_office_batches(app, client, api_headers, make_item, liaison_a, leader):
    code = make_item("in_progress")
    login(client, liaison_a)
    assert "batch-form" not in client.get("/items/").get_data(as_text=True)
    assert client.get(f"/items/batch?code={code}").status_code == 403
    assert client.post("/items/batch", data={"action": "remind", "code": code}).status_code == 403
    resp = client.post("/api/v1/items/batch", headers=api_headers(leader),
                       json={"action": "remind", "codes": [code]})
    assert resp.status_code == 403
    assert _events(app, "remind") == []


@pytest.mark.usefixtures("csrf_on")
def test_batch_forms_are_guarded(app, make_item, office):
    code = make_item("in_progress")
    desk = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', desk.get("/login").get_data(
        as_text=True))[1]
    desk.post("/login", data={"username": office.username, "password": office.password,
                              "csrf_token": token})
    page = desk.get(f"/items/batch?code={code}").get_data(as_text=True)
    forms = re.findall(r'<form method="post" action="/items/batch">.*?</form>', page, re.S)
    assert len(forms) == 2
    assert all('name="csrf_token"' in f and 'name="_once"' in f for f in forms)
    data = {"action": "remind", "channel": "phone", "code": code}
    assert desk.post("/items/batch", data=data).status_code == 400
    assert _events(app, "remind") == []
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    assert desk.post("/items/batch", data={**data, "csrf_token": token}).status_code == 200
    assert _events(app, "remind") == [code]
