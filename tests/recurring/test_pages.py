"""The 周期事项 pages: the office sets one up (a refusal shows the form again, as typed, with a
Chinese message), sees it in the list and on its page with its periods, and stops it;
leaders see, liaisons do not."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers import login
from webapp.database import local_today
from webapp.extensions import db
from webapp.recurring.models import Recurrence


def _form(units, start, **extra) -> dict:
    return {"title": "报送季度工作总结", "content": "每季度第一个月 10 日前报送上季度工作总结。",
            "source": "superior", "urgency": "urgent", "lead_unit": str(units["B"].id),
            "assisting_units": [str(units["W"].id)], "first_responsible": "赵大队长",
            "direct_responsible": "钱副大队长", "frequency": "quarterly", "deadline": "day",
            "due_month": "1", "due_day": "10", "start_on": start.isoformat(), **extra}


def test_the_office_sets_one_up_sees_it_and_stops_it(app, client, office, leader, liaison_a,
                                                     units):
    with app.app_context():
        start = local_today() + timedelta(days=400)
    login(client, office)
    assert "周期事项" in client.get("/todo/").get_data(as_text=True)  # in the menu
    refused = client.post("/recurring/new", data=_form(units, start, due_day="32"))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "截止日应为 1 至 31 日" in page
    assert 'name="due_day" aria-invalid="true"' in page and "报送季度工作总结" in page
    resp = client.post("/recurring/new", data=_form(units, start, cadence_days="7"))
    assert resp.status_code == 302
    with app.app_context():
        rec = db.session.query(Recurrence).one()
        rec_id, assisting = rec.id, [u.name for u in rec.assisting_units]
    assert assisting == [units["W"].name]
    listed = client.get("/recurring/").get_data(as_text=True)
    assert "报送季度工作总结" in listed and "每季度第 1 个月 10 日前（遇节假日顺延）" in listed
    detail = client.get(f"/recurring/{rec_id}").get_data(as_text=True)
    assert "还没有生成事项" in detail and "自动生成" in detail and "每 7 天报送" in detail
    assert client.post(f"/recurring/{rec_id}/stop", data={"reason": "工作调整"}
                       ).status_code == 302
    assert "已停止" in client.get(f"/recurring/{rec_id}").get_data(as_text=True)

    seen = login(app.test_client(), leader)
    assert seen.get(f"/recurring/{rec_id}").status_code == 200
    assert seen.get("/recurring/new").status_code == 403
    assert login(app.test_client(), liaison_a).get("/recurring/").status_code == 403


def test_a_period_item_page_names_its_recurrence(app, client, api_headers, office, liaison_a,
                                                 units):
    with app.app_context():
        today = local_today()
    body = {"title": "报送月度工作情况", "content": "每月月底前报送。",
            "lead_unit_id": units["A"].id, "first_responsible": "张所长",
            "direct_responsible": "李副所长",
            "frequency": "monthly", "due_day": 31, "start_on": today.isoformat(),
            "cadence_days": 7}
    made = client.post("/api/v1/recurrences", headers=api_headers(office), json=body).json
    code = made["periods"][0]["item_code"]
    login(client, office)
    page = client.get(f"/items/{code}").get_data(as_text=True)
    assert f"/recurring/{made['id']}" in page and f"{today.year}年{today.month}月一期" in page
    assert "每周报送一次阶段进展，下次应于" in page  # the recurrence's cadence, on each item
    shown = login(app.test_client(), liaison_a).get(f"/items/{code}").get_data(as_text=True)
    assert "《报送月度工作情况》" in shown and f"/recurring/{made['id']}" not in shown
