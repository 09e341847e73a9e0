"""分解: one instruction to several units. Sub-items through the API and the pages, each with
its own life cycle and visibility; the parent's progress and closing (automatic, early with a
reason, all cancelled); a refused sub-item named by its place; a double split raced for real."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from tests.helpers import login
from tests.supervision.test_one_gate import together
from webapp.audit.models import AuditEvent
from webapp.database import local_today
from webapp.extensions import db
from webapp.supervision.models import SupervisionItem

API = "/api/v1"


def _day(app, days: int) -> str:
    with app.app_context():
        return (local_today() + timedelta(days=days)).isoformat()


def _children(app, units, *codes_and_days) -> dict:
    return {"children": [
        {"lead_unit_id": units[u].id, "due_date": _day(app, d), "first_responsible": "张所长",
         "direct_responsible": "李副所长"} for u, d in codes_and_days]}


def _state(app, code: str) -> str:
    with app.app_context():
        return str(db.session.scalar(select(SupervisionItem.state).where(
            SupervisionItem.code == code)))


def test_split_through_the_api_answers_the_codes_and_links_both_ways(
        app, client, make_item, units, as_):
    code = make_item("registered")
    body = _children(app, units, ("A", 10), ("B", 20))
    body["children"][1]["title"] = "交警大队负责路面整治"
    resp = client.post(f"{API}/items/{code}/split", headers=as_("office"), json=body)
    assert resp.status_code == 200, resp.json
    assert resp.json["children"] == [f"{code}-1", f"{code}-2"]
    parent = resp.json["item"]
    assert parent["state"] == "split" and parent["state_label"] == "分解办理中"
    assert parent["due_date"] == _day(app, 20)  # the latest of its sub-items
    assert [(c["code"], c["state"], c["lead_unit"]["name"]) for c in parent["children"]] == [
        (f"{code}-1", "assigned", "城关派出所"), (f"{code}-2", "assigned", "交警大队")]
    assert parent["progress"] == {"total": 2, "closed": 0, "cancelled": 0, "open": 2}
    assert parent["lead_unit"] is None and parent["light"] == "none"

    child = client.get(f"{API}/items/{code}-2", headers=as_("office")).json
    assert child["parent"] == {"code": code, "title": parent["title"], "state": "split",
                               "state_label": "分解办理中"}
    assert child["title"] == "交警大队负责路面整治"
    assert child["content"] == parent["content"] and child["source"] == parent["source"]
    assert child["due_date"] == _day(app, 20) and child["light"] == "green"
    assert child["children"] == []

    # each unit sees its own sub-item, not the parent nor the other unit's
    seen = {name: [i["code"] for i in client.get(f"{API}/items", headers=as_(name)
                                                  ).json["items"]]
            for name in ("liaison_a", "liaison_b", "office")}
    assert seen == {"liaison_a": [f"{code}-1"], "liaison_b": [f"{code}-2"],
                    "office": [f"{code}-2", f"{code}-1", code]}
    assert client.get(f"{API}/items/{code}", headers=as_("liaison_a")).status_code == 404
    assert client.get(f"{API}/items/{code}-2", headers=as_("liaison_a")).status_code == 404
    mine = client.get(f"{API}/items/{code}-1", headers=as_("liaison_a")).json
    assert mine["parent"]["code"] == code
    assert set(mine["allowed_actions"]) == {"acknowledge", "request_hand_back",
                                            "request_extension"}


def test_who_may_split_and_when(app, client, make_item, units, as_):
    body = _children(app, units, ("A", 10))
    code = make_item("registered")
    for name, status in (("leader", 403), ("liaison_a", 404), ("inspector", 404)):
        assert client.post(f"{API}/items/{code}/split", headers=as_(name), json=body
                           ).status_code == status, name
    assigned = make_item("assigned")
    resp = client.post(f"{API}/items/{assigned}/split", headers=as_("office"), json=body)
    assert (resp.status_code, resp.json["error"]["code"]) == (409, "invalid_state")
    assert client.post(f"{API}/items/{code}/split", headers=as_("office"), json=body
                       ).status_code == 200
    again = client.post(f"{API}/items/{code}/split", headers=as_("office"), json=body)
    assert again.status_code == 409  # split once; the parent is 分解办理中 now
    assert "分解办理中" in again.json["error"]["message"]


def test_a_refused_sub_item_is_named_and_nothing_is_made(app, client, make_item, units, as_):
    code = make_item("registered")
    body = _children(app, units, ("A", 10), ("B", -1))
    resp = client.post(f"{API}/items/{code}/split", headers=as_("office"), json=body)
    assert resp.status_code == 422
    assert resp.json["error"]["field"] == "children[1].due_date"
    assert resp.json["error"]["message"] == "第 2 个子事项：办理时限不能早于今天"
    body = _children(app, units, ("A", 10), ("B", 10))
    body["children"][0]["lead_unit_id"] = 99999
    resp = client.post(f"{API}/items/{code}/split", headers=as_("office"), json=body)
    assert (resp.status_code, resp.json["error"]["field"]) == (422, "children[0].lead_unit_id")
    empty = client.post(f"{API}/items/{code}/split", headers=as_("office"), json={"children": []})
    assert empty.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(SupervisionItem.id))) == 1
    assert _state(app, code) == "registered"


def _finish(app, code: str, liaison, office) -> None:
    """The unit takes the sub-item through to 办结 through the services."""
    from webapp.auth.models import User
    from webapp.supervision import services
    from webapp.supervision.models import FeedbackKind

    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        unit = db.session.get(User, liaison.id)
        services.acknowledge_item(item, actor=unit)
        services.submit_feedback(item, actor=unit, kind=FeedbackKind.FINAL,
                                 actions_taken="已整改", result="整改到位")
        db.session.commit()


def test_the_parent_closes_when_its_last_sub_item_ends(app, client, make_item, units, as_,
                                                       liaison_a, office):
    code = make_item("registered")
    client.post(f"{API}/items/{code}/split", headers=as_("office"),
                json=_children(app, units, ("A", 10), ("B", 10)))
    _finish(app, f"{code}-1", liaison_a, office)
    accepted = client.post(f"{API}/items/{code}-1/accept", headers=as_("office"),
                           json={"opinion": "同意"})
    assert accepted.json["state"] == "closed"
    parent = client.get(f"{API}/items/{code}", headers=as_("office")).json
    assert parent["state"] == "split"
    assert parent["progress"] == {"total": 2, "closed": 1, "cancelled": 0, "open": 1}
    client.post(f"{API}/items/{code}-2/cancel", headers=as_("office"),
                json={"reason": "交警大队已另行部署"})
    parent = client.get(f"{API}/items/{code}", headers=as_("office")).json
    assert parent["state"] == "closed" and parent["closed_on"] == _day(app, 0)
    last = parent["timeline"][-1]
    assert (last["action"], last["details"]["automatic"], last["details"]["child"]) == (
        "close", True, f"{code}-2")


def test_all_sub_items_cancelled_cancel_the_parent(app, client, make_item, units, as_):
    code = make_item("registered")
    client.post(f"{API}/items/{code}/split", headers=as_("office"),
                json=_children(app, units, ("A", 10), ("B", 10)))
    for n in (1, 2):
        client.post(f"{API}/items/{code}-{n}/cancel", headers=as_("office"),
                    json={"reason": "上级已撤回"})
    parent = client.get(f"{API}/items/{code}", headers=as_("office")).json
    assert parent["state"] == "cancelled"
    assert parent["cancel_reason"] == "全部子事项均已撤销"


def test_the_office_closes_early_only_with_a_reason(app, client, make_item, units, as_):
    code = make_item("registered")
    client.post(f"{API}/items/{code}/split", headers=as_("office"),
                json=_children(app, units, ("A", 10), ("B", 10)))
    no_reason = client.post(f"{API}/items/{code}/close", headers=as_("office"), json={})
    assert (no_reason.status_code, no_reason.json["error"]["field"]) == (422, "reason")
    assert client.post(f"{API}/items/{code}/close", headers=as_("leader"),
                       json={"reason": "x"}).status_code == 403
    assert client.post(f"{API}/items/{code}-1/close", headers=as_("office"),
                       json={"reason": "x"}).status_code == 409  # a sub-item is not split
    resp = client.post(f"{API}/items/{code}/close", headers=as_("office"),
                       json={"reason": "主要任务已完成，余下由交警大队常态化推进"})
    assert resp.json["state"] == "closed"
    assert resp.json["timeline"][-1]["details"]["open_children"] == [f"{code}-1", f"{code}-2"]
    # the sub-items go on in their own life cycles
    assert [c["state"] for c in resp.json["children"]] == ["assigned", "assigned"]


def test_split_through_the_pages(app, make_item, units, office, liaison_a):
    code = make_item("registered")
    desk = login(app.test_client(), office)
    page = desk.get(f"/items/{code}").get_data(as_text=True)
    assert "分解交办" in page and 'name="lead_unit-5"' in page
    form = {"lead_unit-0": units["A"].id, "due_date-0": _day(app, 7),
            "first_responsible-0": "张所长", "direct_responsible-0": "李副所长",
            "evidence-0": "photo",
            "lead_unit-2": units["W"].id, "due_date-2": _day(app, 9),
            "first_responsible-2": "周主任", "direct_responsible-2": "吴科员",
            "title-2": "窗口服务整改"}
    resp = desk.post(f"/items/{code}/split", data=form, follow_redirects=True)
    text = resp.get_data(as_text=True)
    assert f"已分解为 2 个子事项：{code}-1、{code}-2" in text
    assert "子事项（已办结 0 / 共 2）" in text
    with app.app_context():
        first = db.session.scalar(select(SupervisionItem).where(
            SupervisionItem.code == f"{code}-1"))
        assert first.evidence_required == ["photo"] and first.lead_unit_id == units["A"].id
    unit = login(app.test_client(), liaison_a)
    child_page = unit.get(f"/items/{code}-1").get_data(as_text=True)
    assert f"本事项是{code}《" in child_page and "签收" in child_page
    assert unit.get(f"/items/{code}").status_code == 404
    # a bad row comes back with the message and what was typed
    other = make_item("registered")
    bad = desk.post(f"/items/{other}/split", data={**form, "due_date-2": "2020-01-01"})
    assert bad.status_code == 422
    assert "第 2 个子事项：办理时限不能早于今天" in bad.get_data(as_text=True)
    assert _state(app, other) == "registered"


def test_sub_items_are_chased_not_the_parent(app, client, make_item, units, as_):
    from webapp.escalation.services import tick
    from webapp.supervision.models import Reminder

    code = make_item("registered")
    client.post(f"{API}/items/{code}/split", headers=as_("office"),
                json=_children(app, units, ("A", 10), ("B", 10)))
    with app.app_context():
        child = db.session.scalar(select(SupervisionItem).where(
            SupervisionItem.code == f"{code}-1"))
        child.due_date = local_today() - timedelta(days=9)  # long overdue
        db.session.commit()
        tick(local_today())
        db.session.commit()
        reminded = set(db.session.scalars(select(SupervisionItem.code).join(
            Reminder, Reminder.item_id == SupervisionItem.id)))
    assert reminded == {f"{code}-1"}
    lights = {c["code"]: c["light"] for c in client.get(
        f"{API}/items/{code}", headers=as_("office")).json["children"]}
    assert lights == {f"{code}-1": "red", f"{code}-2": "green"}


def test_eight_sessions_splitting_at_once_split_once(app, make_item, units, office):
    code = make_item("registered")
    form = {"lead_unit-0": units["A"].id, "due_date-0": _day(app, 7),
            "first_responsible-0": "张所长", "direct_responsible-0": "李副所长",
            "lead_unit-1": units["B"].id, "due_date-1": _day(app, 8),
            "first_responsible-1": "王队长", "direct_responsible-1": "赵中队长"}
    clients = [login(app.test_client(), office) for _ in range(8)]
    statuses = together([lambda c=c: c.post(f"/items/{code}/split", data=form).status_code
                         for c in clients])
    assert Counter(statuses) == {302: 1, 409: 7}
    with app.app_context():
        assert db.session.scalar(select(func.count(SupervisionItem.id)).where(
            SupervisionItem.parent_id.is_not(None))) == 2
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "split")) == 1


def test_statistics_count_sub_items_per_unit_and_the_parent_once_per_source(
        app, client, make_item, units, as_, liaison_a, office):
    from datetime import date

    from webapp.supervision.stats import unit_statistics

    code = make_item("registered", source="meeting")
    client.post(f"{API}/items/{code}/split", headers=as_("office"),
                json=_children(app, units, ("A", 10), ("B", 10), ("A", 10)))
    _finish(app, f"{code}-1", liaison_a, office)
    client.post(f"{API}/items/{code}-1/accept", headers=as_("office"), json={})
    with app.app_context():
        day = date(2025, 3, 20)
        for item in db.session.scalars(select(SupervisionItem)):
            item.due_date = day  # all due in March 2025 (the parent with them)
        db.session.commit()
        by = {g: {r.label: (r.due, r.closed, r.overdue_now)
                  for r in unit_statistics(date(2025, 3, 1), date(2025, 3, 31), g).rows}
              for g in ("unit", "source", "first_responsible")}
    # each unit's sub-items for that unit; the overdue ones are the open sub-items
    assert by["unit"] == {"城关派出所": (2, 1, 1), "交警大队": (1, 0, 1)}
    # the office's view: the instruction once (open while a sub-item is open, not overdue
    # itself: its sub-items are)
    assert by["source"] == {"会议议定": (1, 0, 0)}
    # per person: the sub-items' people, never the parent's empty names
    assert by["first_responsible"] == {"张所长": (3, 1, 2)}
