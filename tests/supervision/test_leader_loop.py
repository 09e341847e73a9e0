"""The leader's loop: the admin's policy; 立项 before 交办 (approve, or return with a comment
that the office answers with 调整 and a new request); 复核 of a 批示 item by the leader who
wrote it, named in the closing report; a leader's 我批示的 and 我分管的; a double approval
raced for real."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from tests.helpers import login
from tests.supervision.test_one_gate import together
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.database import local_today
from webapp.extensions import db
from webapp.notify.models import Channel, Notification
from webapp.people.services import person_for_user
from webapp.supervision.models import SupervisionItem

API = "/api/v1"
SUPERIOR = {"title": "上级督办：提高110接警响应速度", "content": "市局督办单要求提速。",
            "source": "superior", "source_ref": "市局督办单〔2026〕52号"}


@pytest.fixture
def leader2(make_user):
    return make_user("leader2", Role.LEADER, name="王副局长")


def _today(app) -> str:
    with app.app_context():
        return local_today().isoformat()


def _policy(client, as_, **values) -> dict:
    body = {"approval_sources": [], "confirm_instructions": False,
            "adjust_needs_approval": False, **values}
    resp = client.put(f"{API}/workflow/policy", headers=as_("admin"), json=body)
    assert resp.status_code == 200, resp.json
    return resp.json


def _todo(client, headers, kind: str) -> list[str]:
    return [e["ref"] for e in client.get(f"{API}/todo", headers=headers).json["entries"]
            if e["kind"] == kind]


def _inapp(app, persona, title_part: str) -> int:
    with app.app_context():
        from webapp.auth.models import User

        person = person_for_user(db.session.get(User, persona.id))
        return db.session.scalar(select(func.count(Notification.id)).where(
            Notification.person_id == person.id, Notification.channel == Channel.INAPP,
            Notification.title.contains(title_part)))


def test_only_the_admin_sets_the_policy(app, client, as_):
    body = {"approval_sources": ["superior"], "confirm_instructions": True,
            "adjust_needs_approval": True}
    for name in ("office", "leader", "liaison_a"):
        assert client.put(f"{API}/workflow/policy", headers=as_(name), json=body
                          ).status_code == 403
    assert client.get(f"{API}/workflow/policy", headers=as_("office")).json == {
        "approval_sources": [], "confirm_instructions": False, "adjust_needs_approval": False}
    assert _policy(client, as_, **body) == body
    bad = client.put(f"{API}/workflow/policy", headers=as_("admin"),
                     json={**body, "approval_sources": ["nonsense"]})
    assert (bad.status_code, bad.json["error"]["field"]) == (422, "approval_sources[0]")


def test_the_policy_page(app, admin, office):
    page = login(app.test_client(), admin)
    assert "审批规则" in page.get("/admin/workflow/").get_data(as_text=True)
    resp = page.post("/admin/workflow/", data={"approval_sources": ["superior", "meeting"],
                                                "confirm_instructions": "1"})
    assert resp.status_code == 302
    with app.app_context():
        from webapp.supervision import policy

        now = policy.current()
        assert now.approval_list == ["meeting", "superior"]
        assert now.confirm_instructions and not now.adjust_needs_approval
    assert login(app.test_client(), office).get("/admin/workflow/").status_code == 403


def test_approval_before_assignment(app, client, units, as_, leader, office):
    _policy(client, as_, approval_sources=["superior"])
    assign = {"lead_unit_id": units["A"].id, "due_date": _today(app),
              "first_responsible": "张所长", "direct_responsible": "李副所长"}
    with app.app_context():
        before = db.session.scalar(select(func.count(SupervisionItem.id)))
    refused = client.post(f"{API}/items", headers=as_("office"), json={**SUPERIOR,
                                                                       "assign": assign})
    assert refused.status_code == 409  # registered and assigned at once: not without 立项
    with app.app_context():
        assert db.session.scalar(select(func.count(SupervisionItem.id))) == before

    item = client.post(f"{API}/items", headers=as_("office"), json=SUPERIOR).json
    code = item["code"]
    assert (item["state"], item["state_label"], item["approval_required"]) == (
        "awaiting_approval", "待立项审批", True)
    assert set(item["allowed_actions"]) == {"attach_source", "cancel"}
    assert _inapp(app, leader, "待立项审批") == 1
    assert _todo(client, as_("leader"), "approval_pending") == [code]
    assert client.post(f"{API}/items/{code}/assign", headers=as_("office"), json=assign
                       ).status_code == 409
    for name, status in (("office", 403), ("liaison_a", 404), ("inspector", 404)):
        assert client.post(f"{API}/items/{code}/decide_approval", headers=as_(name),
                           json={"approve": True}).status_code == status, name

    # returned with a comment (a comment is required to return)
    no_note = client.post(f"{API}/items/{code}/decide_approval", headers=as_("leader"),
                          json={"approve": False})
    assert (no_note.status_code, no_note.json["error"]["field"]) == (422, "note")
    returned = client.post(f"{API}/items/{code}/decide_approval", headers=as_("leader"),
                           json={"approve": False, "note": "请附市局督办单原件"}).json
    assert (returned["state"], returned["approval_note"]) == ("registered", "请附市局督办单原件")
    assert _inapp(app, office, "立项审批") == 1
    assert _todo(client, as_("office"), "approval_returned") == [code]
    blocked = client.post(f"{API}/items/{code}/assign", headers=as_("office"), json=assign)
    assert (blocked.status_code, blocked.json["error"]["code"]) == (409, "approval_required")
    assert "须经领导立项审批" in blocked.json["error"]["message"]

    # the office revises it and asks again; the leader approves
    assert client.post(f"{API}/items/{code}/adjust", headers=as_("office"), json={
        "reason": "按领导意见补充", "requirements": "附市局督办单原件，三日内反馈"}
    ).status_code == 200
    assert client.post(f"{API}/items/{code}/submit_approval", headers=as_("office"),
                       json={}).json["state"] == "awaiting_approval"
    approved = client.post(f"{API}/items/{code}/decide_approval", headers=as_("leader"),
                           json={"approve": True}).json
    assert approved["state"] == "registered" and approved["approved_at"]
    assert client.post(f"{API}/items/{code}/submit_approval", headers=as_("office"),
                       json={}).status_code == 409  # approved: nothing to ask
    assert client.post(f"{API}/items/{code}/assign", headers=as_("office"), json=assign
                       ).json["state"] == "assigned"
    labels = [e["label"] for e in approved["timeline"]]
    assert labels == ["登记", "退回立项", "调整", "提请立项", "同意立项"]


def test_a_leader_decides_the_approval_on_a_phone_page(app, client, as_, leader):
    _policy(client, as_, approval_sources=["superior"])
    code = client.post(f"{API}/items", headers=as_("office"), json=SUPERIOR).json["code"]
    phone = login(app.test_client(), leader)
    page = phone.get(f"/items/{code}").get_data(as_text=True)
    assert "立项审批" in page and "本事项须经局领导立项审批后才能交办" in page
    bad = phone.post(f"/items/{code}/approval", data={"decision": "refuse"})
    assert bad.status_code == 422 and "请填写审批意见" in bad.get_data(as_text=True)
    ok = phone.post(f"/items/{code}/approval", data={"decision": "approve", "note": "同意"},
                    follow_redirects=True)
    assert "已同意立项" in ok.get_data(as_text=True)
    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        assert item.state == "registered" and item.approval_note == "同意"


def test_eight_leaders_approving_at_once_approve_once(app, client, as_, leader):
    _policy(client, as_, approval_sources=["superior"])
    code = client.post(f"{API}/items", headers=as_("office"), json=SUPERIOR).json["code"]
    headers = as_("leader")
    statuses = together([lambda: app.test_client().post(
        f"{API}/items/{code}/decide_approval", headers=headers, json={"approve": True}
    ).status_code for _ in range(8)])
    assert Counter(statuses) == {200: 1, 409: 7}
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "approval_granted")) == 1


def test_the_instruction_leader_confirms_the_closing(app, client, make_item, as_, leader,
                                                     leader2):
    code = make_item("awaiting_confirmation")  # 李局长's 批示, the policy asks his 复核
    item = client.get(f"{API}/items/{code}", headers=as_("office")).json
    assert (item["state"], item["state_label"]) == ("awaiting_confirmation", "待领导复核")
    assert item["closed_on"] is None and item["light"] in ("green", "yellow")
    assert _todo(client, as_("leader"), "confirm_pending") == [code]
    assert _todo(client, as_("leader2"), "confirm_pending") == []
    assert _inapp(app, leader, "待复核") == 1
    other = client.post(f"{API}/items/{code}/confirm", headers=as_("leader2"),
                        json={"approve": True})
    assert other.status_code == 403 and "作出批示的领导" in other.json["error"]["message"]
    for name in ("office", "liaison_a"):
        assert client.post(f"{API}/items/{code}/confirm", headers=as_(name),
                           json={"approve": True}).status_code == 403, name

    back = client.post(f"{API}/items/{code}/confirm", headers=as_("leader"),
                       json={"approve": False, "note": "请补充群众回访情况"}).json
    assert back["state"] == "under_review" and back["confirmation_note"] == "请补充群众回访情况"
    assert back["feedback"][-1]["review_state"] == "pending"
    assert "accept" in client.get(f"{API}/items/{code}", headers=as_("office")
                                  ).json["allowed_actions"]
    again = client.post(f"{API}/items/{code}/accept", headers=as_("office"),
                        json={"opinion": "已补充回访"})
    assert again.json["state"] == "awaiting_confirmation"

    leader_page = login(app.test_client(), leader)
    page = leader_page.get(f"/items/{code}").get_data(as_text=True)
    assert "待李局长复核后办结" in page and "领导复核" in page
    done = leader_page.post(f"/items/{code}/confirm", data={"decision": "approve",
                                                             "note": "同意办结"})
    assert done.status_code == 302
    closed = client.get(f"{API}/items/{code}", headers=as_("office")).json
    assert closed["state"] == "closed" and closed["confirmed_at"]
    assert closed["closed_on"] == _today(app)
    assert [e["label"] for e in closed["timeline"]][-4:] == [
        "审核通过", "复核未同意", "审核通过", "复核同意，办结"]

    from webapp.documents import data as builders
    from webapp.documents.settings import load_settings

    with app.app_context():
        row = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        report = builders.closing_report_data(row, load_settings(), today=row.closed_on)
    assert report["confirmation"]["leader"] == "李局长"
    assert report["confirmation"]["note"] == "同意办结"
    steps = "".join(t["text"] for t in report["timeline"])
    assert "报请领导复核" in steps and "领导复核同意，事项按期办结" in steps
    from tests.documents.test_render_wording import texts

    assert any("复核：李局长于" in line for line in texts("closing_report", report))


def test_without_the_policy_acceptance_closes(app, client, make_item, as_):
    code = make_item("under_review", source="leader_instruction")
    resp = client.post(f"{API}/items/{code}/accept", headers=as_("office"), json={})
    assert resp.json["state"] == "closed"


def test_leaders_see_what_they_wrote_a_batch_on_and_what_they_supervise(
        app, client, make_item, as_, leader, leader2):
    mine = make_item("in_progress", source="leader_instruction", instruction_leader="赵政委")
    theirs = make_item("assigned")
    with app.app_context():
        from webapp.auth.models import User
        from webapp.supervision import services

        for code, who in ((mine, leader), (theirs, leader2)):
            item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
            services.add_instruction(item, actor=db.session.get(User, who.id), text="抓紧办理")
        db.session.commit()
    listed = client.get(f"{API}/items", headers=as_("leader"), query_string={"instructed": "1"})
    assert [(i["code"], i["state"]) for i in listed.json["items"]] == [(mine, "in_progress")]
    page = login(app.test_client(), leader2).get("/items/?instructed=1").get_data(as_text=True)
    assert "我批示的督办事项" in page and theirs in page and mine not in page
    nav = login(app.test_client(), leader).get("/todo/").get_data(as_text=True)
    assert "我批示的" in nav and "我分管的" in nav
