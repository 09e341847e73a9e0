"""节点: the office sets dated milestones, the lead unit reports each one reached; open milestones
are reminded like deadlines by the day's tick (before and after their date, on working days,
once), and wait in the unit's to-do."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import login
from webapp.database import local_today
from webapp.escalation.models import EscalationStep
from webapp.escalation.services import tick
from webapp.extensions import db
from webapp.notify.models import Channel, Notification
from webapp.supervision.models import Milestone, Reminder, SupervisionItem

API = "/api/v1"
WEDNESDAY = date(2026, 12, 9)  # a working week: Mon 7 … Fri 11 December 2026


@pytest.fixture
def as_(api_headers, office, leader, liaison_a, liaison_b):
    personas = {"office": office, "leader": leader, "liaison_a": liaison_a,
                "liaison_b": liaison_b}
    return {name: api_headers(p) for name, p in personas.items()}


def _day(app, days: int) -> str:
    with app.app_context():
        return (local_today() + timedelta(days=days)).isoformat()


def test_milestones_set_and_reached(app, client, make_item, as_, office, liaison_a):
    code = make_item("in_progress")  # due in 10 days
    body = {"title": "完成窗口排队数据统计", "due_date": _day(app, 3)}
    for name, status in (("leader", 403), ("liaison_a", 403), ("liaison_b", 404)):
        assert client.post(f"{API}/items/{code}/add_milestone", headers=as_[name], json=body
                           ).status_code == status, name
    late = client.post(f"{API}/items/{code}/add_milestone", headers=as_["office"],
                       json={**body, "due_date": _day(app, 11)})
    assert (late.status_code, late.json["error"]["message"]) == (422, "节点日期不能晚于办理时限")
    past = client.post(f"{API}/items/{code}/add_milestone", headers=as_["office"],
                       json={**body, "due_date": _day(app, -1)})
    assert past.status_code == 422
    item = client.post(f"{API}/items/{code}/add_milestone", headers=as_["office"], json=body).json
    assert [(m["title"], m["due_date"], m["reached_at"]) for m in item["milestones"]] == [
        ("完成窗口排队数据统计", _day(app, 3), None)]
    assert "reach_milestone" in client.get(f"{API}/items/{code}", headers=as_["liaison_a"]
                                           ).json["allowed_actions"]

    desk = login(app.test_client(), office)
    assert desk.post(f"/items/{code}/milestones", data={"title": "提出整改方案",
                                                         "due_date": _day(app, 6)}
                     ).status_code == 302
    unit = login(app.test_client(), liaison_a)
    page = unit.get(f"/items/{code}").get_data(as_text=True)
    assert "报告节点完成" in page and "办理节点" in page
    first = item["milestones"][0]["id"]
    assert unit.post(f"/items/{code}/milestones/reach", data={
        "milestone_id": first, "note": "已统计近一月取号数据"}).status_code == 302
    again = unit.post(f"/items/{code}/milestones/reach", data={"milestone_id": first})
    assert again.status_code == 422 and "请选择未完成的节点" in again.get_data(as_text=True)
    done = client.get(f"{API}/items/{code}", headers=as_["office"]).json
    assert [(m["title"], m["note"], bool(m["reached_at"])) for m in done["milestones"]] == [
        ("完成窗口排队数据统计", "已统计近一月取号数据", True), ("提出整改方案", None, False)]
    assert [e["label"] for e in done["timeline"]][-3:] == ["设置节点", "设置节点", "节点完成"]


def _milestone_on(app, code: str, day: date) -> None:
    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        item.due_date = day + timedelta(days=20)
        db.session.add(Milestone(item=item, title="完成摸底排查", due_date=day,
                                 created_by_id=item.registered_by_id))
        db.session.commit()


def _reminders(app, code: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Reminder.note).join(SupervisionItem).where(
            SupervisionItem.code == code).order_by(Reminder.id)))


def _tick(app, day: date) -> dict:
    with app.app_context():
        report = tick(day)
        db.session.commit()
        return dict(report.applied)


def test_open_milestones_are_reminded_like_deadlines(app, make_item, liaison_a):
    code = make_item("in_progress")
    _milestone_on(app, code, WEDNESDAY)
    assert _tick(app, WEDNESDAY - timedelta(days=5)) == {}  # Friday: 3 working days before
    assert _tick(app, WEDNESDAY - timedelta(days=2)) == {"milestone_soon": 1}  # Monday
    assert _tick(app, WEDNESDAY - timedelta(days=1)) == {}  # once per milestone date
    assert _tick(app, WEDNESDAY) == {}
    assert _tick(app, WEDNESDAY + timedelta(days=1)) == {"milestone_overdue": 1}
    assert _tick(app, WEDNESDAY + timedelta(days=1)) == {}  # the same day again: nothing
    assert _reminders(app, code) == [
        "节点“完成摸底排查”将于 2026-12-09 到期",
        "节点“完成摸底排查”已逾期 1 个工作日（节点日期 2026-12-09）"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Notification.id)).where(
            Notification.channel == Channel.INAPP, Notification.title.contains("节点提醒"))) == 2
        assert db.session.scalar(select(func.count(EscalationStep.id)).where(
            EscalationStep.rule.like("milestone_%"))) == 2


def test_a_reached_milestone_is_not_reminded(app, make_item):
    code = make_item("in_progress")
    _milestone_on(app, code, WEDNESDAY)
    with app.app_context():
        row = db.session.scalar(select(Milestone))
        row.reached_at = row.created_at
        db.session.commit()
    assert _tick(app, WEDNESDAY + timedelta(days=1)) == {}
    assert _reminders(app, code) == []


def test_the_office_can_switch_milestone_reminders_off(app, make_item, office):
    code = make_item("in_progress")
    _milestone_on(app, code, WEDNESDAY)
    desk = login(app.test_client(), office)
    page = desk.get("/escalation/rules").get_data(as_text=True)
    assert "节点到期前系统提醒" in page and "节点逾期首个工作日催办" in page
    assert desk.post("/escalation/rules", data={"key": "milestone_soon", "working_days": "-2",
                                                "active": "0"}).status_code == 302
    assert _tick(app, WEDNESDAY - timedelta(days=2)) == {}
    assert _tick(app, WEDNESDAY + timedelta(days=1)) == {"milestone_overdue": 1}


def test_the_units_to_do_lists_milestones_due(app, client, make_item, as_):
    code = make_item("in_progress")
    client.post(f"{API}/items/{code}/add_milestone", headers=as_["office"],
                json={"title": "完成摸底排查", "due_date": _day(app, 1)})
    todo = client.get(f"{API}/todo", headers=as_["liaison_a"]).json
    assert [(e["ref"], e["note"]) for e in todo["entries"] if e["kind"] == "milestone_due"] == [
        (code, "完成摸底排查")]
    assert todo["counts"]["milestone_due"] == 1
    assert client.get(f"{API}/todo", headers=as_["liaison_b"]).json["counts"][
        "milestone_due"] == 0
