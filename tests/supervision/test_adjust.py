"""调整: an assigned item changes only through an audited adjustment with a reason — before and
after on the timeline, the unit told, a move to another unit acknowledged anew and counted for
the new unit from that day, a leader's approval where the policy asks it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from tests.helpers import login
from webapp.auth.models import User
from webapp.database import local_today
from webapp.extensions import db
from webapp.notify.models import Channel, Notification
from webapp.people.services import person_for_user
from webapp.supervision.models import ItemUnitChange, SupervisionItem
from webapp.supervision.stats import unit_statistics

API = "/api/v1"


def _messages(app, persona, part: str) -> list[str]:
    with app.app_context():
        person = person_for_user(db.session.get(User, persona.id))
        return list(db.session.scalars(select(Notification.body).where(
            Notification.person_id == person.id, Notification.channel == Channel.INAPP,
            Notification.title.contains(part))))


def test_an_adjustment_through_the_page_shows_before_and_after(app, make_item, office,
                                                              liaison_a):
    code = make_item("in_progress")
    desk = login(app.test_client(), office)
    page = desk.get(f"/items/{code}").get_data(as_text=True)
    assert "调整事项" in page
    form = {"title": "整改户籍窗口排队问题（补充夜间窗口）",
            "content": "群众反映户籍窗口排队超过一小时，请查明原因。",
            "requirements": "增设夜间窗口",
            "units": "1", "assisting_units": [], "reason": "局领导要求增加夜间窗口"}
    resp = desk.post(f"/items/{code}/adjust", data=form, follow_redirects=True)
    text = resp.get_data(as_text=True)
    assert "事项已调整" in text
    assert "标题：整改户籍窗口群众排队时间过长问题 → 整改户籍窗口排队问题（补充夜间窗口）" in text
    assert "办理要求：无 → 增设夜间窗口" in text and "理由：局领导要求增加夜间窗口" in text
    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        assert (item.title, item.requirements, item.state) == (
            form["title"], "增设夜间窗口", "in_progress")
    told = _messages(app, liaison_a, "事项调整")
    assert len(told) == 1 and "已调整（标题、办理要求）" in told[0]
    # nothing changed, or no reason: refused, nothing recorded
    same = desk.post(f"/items/{code}/adjust", data={**form, "reason": "再调整"})
    assert same.status_code == 422 and "没有需要调整的内容" in same.get_data(as_text=True)
    no_reason = desk.post(f"/items/{code}/adjust", data={**form, "title": "新标题",
                                                         "reason": ""})
    assert no_reason.status_code == 422


def test_who_may_adjust(app, client, make_item, as_):
    code = make_item("in_progress")
    body = {"reason": "更正", "title": "新标题"}
    for name, status in (("leader", 403), ("liaison_a", 403), ("liaison_b", 404),
                         ("admin", 403)):
        assert client.post(f"{API}/items/{code}/adjust", headers=as_(name), json=body
                           ).status_code == status, name
    closed = make_item("closed")
    assert client.post(f"{API}/items/{closed}/adjust", headers=as_("office"), json=body
                       ).status_code == 409


def test_a_move_to_another_unit(app, client, make_item, units, as_, liaison_a, liaison_b):
    code = make_item("in_progress")
    body = {"reason": "属交警大队职责", "lead_unit_id": units["B"].id}
    missing = client.post(f"{API}/items/{code}/adjust", headers=as_("office"), json=body)
    assert (missing.status_code, missing.json["error"]["field"]) == (422, "first_responsible")
    body.update(first_responsible="王队长", direct_responsible="赵中队长")
    moved = client.post(f"{API}/items/{code}/adjust", headers=as_("office"), json=body).json
    assert moved["state"] == "assigned" and moved["lead_unit"]["name"] == "交警大队"
    assert moved["first_responsible"] == "王队长" and moved["acknowledged_at"] is None
    assert moved["adjustments"][0]["changes"]["承办单位"] == ["城关派出所", "交警大队"]
    assert client.get(f"{API}/items/{code}", headers=as_("liaison_a")).status_code == 404
    assert "acknowledge" in client.get(f"{API}/items/{code}", headers=as_("liaison_b")
                                       ).json["allowed_actions"]
    assert len(_messages(app, liaison_b, "事项调整")) == 1  # the new unit: 签收
    assert len(_messages(app, liaison_a, "事项调整")) == 1  # the old unit: it is gone
    with app.app_context():
        change = db.session.scalar(select(ItemUnitChange))
        assert (change.from_unit_id, change.to_unit_id, change.changed_on) == (
            units["A"].id, units["B"].id, local_today())


def test_a_move_is_refused_where_it_cannot_be(app, client, make_item, units, as_):
    body = {"reason": "转交警大队", "lead_unit_id": units["B"].id,
            "first_responsible": "王队长", "direct_responsible": "赵中队长"}
    review = make_item("under_review")
    resp = client.post(f"{API}/items/{review}/adjust", headers=as_("office"), json=body)
    assert (resp.status_code, resp.json["error"]["code"]) == (409, "invalid_state")
    pending = make_item("in_progress")
    client.post(f"{API}/items/{pending}/request_hand_back", headers=as_("liaison_a"),
                json={"reason": "非本单位职责"})
    resp = client.post(f"{API}/items/{pending}/adjust", headers=as_("office"), json=body)
    assert (resp.status_code, resp.json["error"]["code"]) == (409, "hand_back_pending")
    registered = make_item("registered")
    resp = client.post(f"{API}/items/{registered}/adjust", headers=as_("office"), json=body)
    assert (resp.status_code, resp.json["error"]["field"]) == (422, "lead_unit_id")


def test_a_leader_approves_adjustments_where_the_policy_asks(app, client, make_item, as_,
                                                             leader):
    client.put(f"{API}/workflow/policy", headers=as_("admin"), json={
        "approval_sources": [], "confirm_instructions": False, "adjust_needs_approval": True})
    code = make_item("in_progress")
    asked = client.post(f"{API}/items/{code}/adjust", headers=as_("office"),
                        json={"reason": "标题不准确", "title": "户籍窗口排队整改"}).json
    assert asked["title"] == "整改户籍窗口群众排队时间过长问题"  # not yet
    assert asked["adjustments"][0]["state"] == "pending"
    assert len(_messages(app, leader, "调整待审批")) == 1
    again = client.post(f"{API}/items/{code}/adjust", headers=as_("office"),
                        json={"reason": "再改", "content": "新内容"})
    assert (again.status_code, again.json["error"]["code"]) == (409, "adjustment_pending")
    assert client.post(f"{API}/items/{code}/decide_adjustment", headers=as_("office"),
                       json={"approve": True}).status_code == 403
    refused = client.post(f"{API}/items/{code}/decide_adjustment", headers=as_("leader"),
                          json={"approve": False, "note": "标题不必改"}).json
    assert refused["title"] == "整改户籍窗口群众排队时间过长问题"
    assert refused["adjustments"][0]["state"] == "refused"
    client.post(f"{API}/items/{code}/adjust", headers=as_("office"),
                json={"reason": "标题不准确", "title": "户籍窗口排队整改"})
    phone = login(app.test_client(), leader)
    assert "审批调整" in phone.get(f"/items/{code}").get_data(as_text=True)
    assert phone.post(f"/items/{code}/adjustment/decide", data={"decision": "approve"}
                      ).status_code == 302
    done = client.get(f"{API}/items/{code}", headers=as_("office")).json
    assert done["title"] == "户籍窗口排队整改"
    assert [e["label"] for e in done["timeline"]][-4:] == [
        "调整（待领导审批）", "不同意调整", "调整（待领导审批）", "同意调整"]
    assert done["timeline"][-1]["details"]["changes"] == {
        "标题": ["整改户籍窗口群众排队时间过长问题", "户籍窗口排队整改"]}
    # before assignment no leader is asked (the office revises a returned 立项 itself)
    registered = make_item("registered")
    direct = client.post(f"{API}/items/{registered}/adjust", headers=as_("office"),
                         json={"reason": "补充", "requirements": "三日内反馈"}).json
    assert direct["requirements"] == "三日内反馈"


def test_statistics_count_a_moved_item_for_the_new_unit_from_that_day(app, make_item, units):
    """Moved before its due date: the new unit's. Moved after it fell due: the old unit's for
    that period, the new unit's overdue now."""
    with app.app_context():
        today = local_today()
    start, end = date(2025, 3, 1), date(2025, 3, 31)
    early = make_item("in_progress", due_date=date(2025, 3, 20))
    late = make_item("closed", due_date=date(2025, 3, 10), closed_on=date(2025, 3, 9))
    overdue = make_item("in_progress", due_date=date(2025, 3, 12))
    with app.app_context():
        rows = {c: db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == c))
                for c in (early, late, overdue)}
        for code, moved_on in ((early, date(2025, 3, 5)), (late, date(2025, 3, 9)),
                               (overdue, date(2025, 3, 15))):
            item = rows[code]
            db.session.add(ItemUnitChange(item_id=item.id, from_unit_id=units["A"].id,
                                          to_unit_id=units["B"].id, changed_on=moved_on))
            item.lead_unit_id = units["B"].id
        db.session.commit()
        stats = unit_statistics(start, end)
        by_unit = {r.label: (r.due, r.closed, r.on_time, r.overdue_now) for r in stats.rows}
        # A: `overdue` fell due on 03-12 while A had it; B: `early` and `late` (moved on or
        # before their due dates), and `overdue` is B's now
        assert by_unit == {"城关派出所": (1, 0, 0, 0), "交警大队": (2, 1, 1, 2)}
        assert (stats.totals.due, stats.totals.closed) == (3, 1)
        later = unit_statistics(today - timedelta(days=1), today + timedelta(days=1))
        assert all(r.due == 0 for r in later.rows)
        assert {r.label: r.overdue_now for r in later.rows} == {"交警大队": 2}
        assert db.session.scalar(select(func.count(ItemUnitChange.id))) == 3
