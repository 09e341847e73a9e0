"""Role × action access matrix through the JSON API, with the exact status expected.

The expectations come from the tables below, written here on purpose (not read from
webapp.supervision.workflow), so a wrong workflow table fails this test.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.auth.models import Role, User
from webapp.database import local_today, utcnow
from webapp.extensions import db
from webapp.media.store import save_bytes
from webapp.supervision.models import (
    Adjustment,
    ExtensionRequest,
    Feedback,
    FeedbackAttachment,
    FeedbackKind,
    HandBackRequest,
    ItemState,
    Milestone,
    SupervisionItem,
)

API = "/api/v1"
PDF = b"%PDF-1.4\n% matrix evidence\n%%EOF\n"

PERSONAS = ("admin", "office", "leader", "inspector", "liaison_lead", "liaison_other",
            "liaison_assist")
STATES = ("registered", "awaiting_approval", "approval_returned", "assigned", "in_progress",
          "under_review", "awaiting_confirmation", "split", "closed", "archived", "cancelled")
OPEN = {"registered", "awaiting_approval", "approval_returned", "assigned", "in_progress",
        "under_review", "awaiting_confirmation"}
WITH_UNIT = {"assigned", "in_progress"}
NO_UNIT = {"registered", "awaiting_approval", "approval_returned", "split", "cancelled"}
ADJUSTABLE = {"registered", "approval_returned", "assigned", "in_progress", "under_review",
              "split"}

# action -> (roles that may take it, states it may be taken in), from the item's life cycle.
RULES = {
    "assign": ({"office"}, {"registered"}),
    "acknowledge": ({"liaison"}, {"assigned"}),
    "request_hand_back": ({"liaison"}, WITH_UNIT),
    "decide_hand_back": ({"office"}, WITH_UNIT),
    "request_extension": ({"liaison"}, WITH_UNIT),
    "decide_extension": ({"office", "leader"}, OPEN),
    "submit_progress": ({"liaison"}, {"in_progress"}),
    "submit_final": ({"liaison"}, {"in_progress"}),
    "accept": ({"office"}, {"under_review"}),
    "return": ({"office"}, {"under_review"}),
    "remind": ({"office"}, {"assigned", "in_progress", "under_review"}),
    "cancel": ({"office"}, OPEN),
    "instruct": ({"leader"}, OPEN | {"closed", "split"}),
    "attachments": ({"liaison"}, {"in_progress"}),  # uploading feedback evidence
    # the bureau's workflow around an item (issue 11)
    "attach_source": ({"office"}, OPEN | {"split"}),  # a scanned 批示件 as the raw body
    "submit_approval": ({"office"}, {"approval_returned"}),
    "decide_approval": ({"leader"}, {"awaiting_approval"}),
    "split": ({"office"}, {"registered"}),
    "close": ({"office"}, {"split"}),
    "confirm": ({"leader"}, {"awaiting_confirmation"}),
    "adjust": ({"office"}, ADJUSTABLE),
    "decide_adjustment": ({"leader"}, ADJUSTABLE),
    "add_milestone": ({"office"}, {"registered", "approval_returned", "assigned", "in_progress"}),
    "reach_milestone": ({"liaison"}, {"in_progress"}),
}
PENDING = {"decide_hand_back", "decide_extension", "decide_adjustment", "reach_milestone"}
UPLOADS = {"attachments", "attach_source"}
ROLE = {"admin": "admin", "office": "office", "leader": "leader", "inspector": "inspector",
        "liaison_lead": "liaison", "liaison_other": "liaison", "liaison_assist": "liaison"}


def sees(persona: str, state: str) -> bool:
    """Office, leaders and admins see every item; a liaison the items their unit leads or
    assists (a registered item, or one cancelled before assignment, has no unit yet)."""
    if persona in ("admin", "office", "leader"):
        return True
    if persona in ("liaison_lead", "liaison_assist"):
        return state not in NO_UNIT  # a split item's units see their sub-items, not it
    return False


def expected(persona: str, action: str, state: str) -> int:
    if not sees(persona, state):
        return 404
    roles, states = RULES[action]
    if ROLE[persona] not in roles or persona == "liaison_assist":  # assisting units never act
        return 403
    if state not in states:
        return 409
    if action == "decide_extension" and state in NO_UNIT:
        return 409  # no unit, no deadline: nothing can be pending
    return 201 if action in UPLOADS else 200


def _bodies(today) -> dict[str, dict]:
    later = (today + timedelta(days=60)).isoformat()
    return {
        "assign": {"lead_unit_id": None, "assisting_unit_ids": [], "due_date": later,
                   "first_responsible": "张所长", "direct_responsible": "李副所长"},
        "acknowledge": {},
        "request_hand_back": {"reason": "不属于本单位职责"},
        "decide_hand_back": {"approve": False, "note": "请继续办理"},
        "request_extension": {"new_due_date": later, "reason": "需协调其他部门"},
        "decide_extension": {"approve": True},
        "submit_progress": {"actions_taken": "已召开专题会议"},
        "submit_final": {"actions_taken": "已整改", "result": "问题已解决"},
        "accept": {"opinion": "同意办结"},
        "return": {"reason": "请补充证据"},
        "remind": {"channel": "phone", "note": "电话催办"},
        "cancel": {"reason": "重复登记"},
        "instruct": {"text": "抓紧办理"},
        "submit_approval": {},
        "decide_approval": {"approve": True},
        "split": {"children": [{"lead_unit_id": None, "due_date": later,
                                "first_responsible": "张所长", "direct_responsible": "李副所长"}]},
        "close": {"reason": "主要任务已完成"},
        "confirm": {"approve": True},
        "adjust": {"reason": "更正标题", "title": "更正后的标题"},
        "decide_adjustment": {"approve": True},
        "add_milestone": {"title": "完成排查摸底", "due_date": (today + timedelta(days=1)
                                                           ).isoformat()},
        "reach_milestone": {"milestone_id": None, "note": "已完成"},
    }


@pytest.fixture
def people(make_user, units, admin, office, leader, inspector, liaison_a, liaison_b,
           api_headers):
    """persona name -> Bearer headers; the lead unit is A, the assisting unit W."""
    assist = make_user("liaison_w", Role.LIAISON, units["W"].id, name="周联络")
    personas = {"admin": admin, "office": office, "leader": leader, "inspector": inspector,
                "liaison_lead": liaison_a, "liaison_other": liaison_b, "liaison_assist": assist}
    return {name: api_headers(p) for name, p in personas.items()}


@pytest.fixture
def item_in(app, make_item, units):
    """item_in(state, pending=False) -> code; lead unit A, assisting unit W; with `pending`,
    a pending hand-back and extension request are added wherever the item has a unit."""

    def make(state: str, *, pending: bool = False, evidence: bool = False) -> str:
        extra = {} if state in NO_UNIT else {"assisting_unit_ids": [units["W"].id]}
        code = make_item("closed" if state == "archived" else state, **extra)
        with app.app_context():
            item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
            if state == "archived":  # as the archive domain leaves it
                item.state, item.archived_at = ItemState.ARCHIVED, utcnow()
            if pending and item.lead_unit_id:
                _pending_requests(item)
            if pending:
                _pending_flow(item)
            if evidence:
                _evidence(item)
            db.session.commit()
        return code

    return make


def _pending_requests(item: SupervisionItem) -> None:
    liaison = db.session.scalar(select(User).where(User.unit_id == item.lead_unit_id))
    db.session.add(HandBackRequest(item=item, unit_id=item.lead_unit_id, reason="非本单位职责",
                                   requested_by_id=liaison.id))
    db.session.add(ExtensionRequest(item=item, unit_id=item.lead_unit_id,
                                    old_due_date=item.due_date,
                                    requested_due_date=item.due_date + timedelta(days=30),
                                    reason="需协调", requested_by_id=liaison.id))


def _pending_flow(item: SupervisionItem) -> None:
    """An adjustment awaiting a leader and an open milestone."""
    desk = db.session.scalar(select(User).where(User.role == Role.OFFICE))
    db.session.add(Adjustment(item=item, reason="更正标题", requested_by_id=desk.id,
                              changes={"title": {"before": item.title, "after": "新标题"}}))
    db.session.add(Milestone(item=item, title="完成排查摸底", created_by_id=desk.id,
                             due_date=local_today() + timedelta(days=2)))


def _evidence(item: SupervisionItem) -> None:
    blob = save_bytes(PDF)
    fb = item.feedback[0] if item.feedback else None
    if fb is None:
        liaison = db.session.scalar(select(User).where(User.unit_id == item.lead_unit_id))
        fb = Feedback(item=item, unit_id=item.lead_unit_id, kind=FeedbackKind.PROGRESS,
                      actions_taken="已部署", submitted_by_id=liaison.id)
        db.session.add(fb)
    fb.attachments.append(FeedbackAttachment(filename="证据.pdf", content_type="application/pdf",
                                             size=blob.size, sha256=blob.sha256))


def _call(client, headers, code, action, body):
    if action in UPLOADS:
        return client.post(f"{API}/items/{code}/{action}", data=PDF,
                           headers={**headers, "X-Filename": "evidence.pdf"})
    return client.post(f"{API}/items/{code}/{action}", headers=headers, json=body)


def _milestone_of(app, code: str) -> int | None:
    with app.app_context():
        return db.session.scalar(select(Milestone.id).join(SupervisionItem).where(
            SupervisionItem.code == code, Milestone.reached_at.is_(None)))


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(RULES))
def test_action_matrix(app, client, people, item_in, units, action, state):
    with app.app_context():
        body = _bodies(local_today()).get(action, {})
    if action == "assign":
        body["lead_unit_id"] = units["A"].id
    if action == "split":
        body["children"][0]["lead_unit_id"] = units["A"].id
    pending = action in PENDING
    code = item_in(state, pending=pending)
    actual, wanted = {}, {}
    for persona in PERSONAS:
        if action == "reach_milestone":
            body["milestone_id"] = _milestone_of(app, code)
        resp = _call(client, people[persona], code, action, body)
        actual[persona], wanted[persona] = resp.status_code, expected(persona, action, state)
        assert resp.is_json and ("error" in resp.json) == (resp.status_code >= 400)
        if resp.status_code < 300:
            code = item_in(state, pending=pending)  # the action changed it: start afresh
    assert actual == wanted


@pytest.mark.parametrize("state", [s for s in STATES if s != "split"])  # see test_split.py
def test_read_matrix(app, client, people, item_in, state):
    """Detail, list, count, search and attachment download: 200 or 404, and a hidden item
    is absent from lists and counts."""
    code = item_in(state, evidence=state not in NO_UNIT | {"assigned"})
    with app.app_context():
        att = db.session.scalar(select(FeedbackAttachment.id))
    for persona in PERSONAS:
        h, visible = people[persona], sees(persona, state)
        status = 200 if visible else 404
        assert client.get(f"{API}/items/{code}", headers=h).status_code == status, persona
        page = client.get(f"{API}/items", headers=h)
        assert page.status_code == 200
        assert [i["code"] for i in page.json["items"]] == ([code] if visible else []), persona
        assert page.json["total"] == int(visible)
        count = client.get(f"{API}/items/count", headers=h)
        assert (count.status_code, count.json) == (200, {"total": int(visible)}), persona
        search = client.get(f"{API}/items", query_string={"q": code}, headers=h)
        assert search.json["total"] == int(visible), persona
        if att is not None:
            dl = client.get(f"{API}/items/{code}/attachments/{att}", headers=h)
            assert dl.status_code == status, persona
            assert (dl.data == PDF) == visible
            dl.close()


@pytest.mark.parametrize("persona", PERSONAS)
def test_register_matrix(app, client, people, units, persona):
    body = {"title": "整治违停", "content": "主干道违停严重", "source": "complaint"}
    resp = client.post(f"{API}/items", headers=people[persona], json=body)
    assert resp.status_code == (201 if persona == "office" else 403)


def test_allowed_actions_follow_the_lead_unit_rule(client, people, item_in):
    code = item_in("in_progress")
    allowed = {p: client.get(f"{API}/items/{code}", headers=people[p]).json["allowed_actions"]
               for p in ("office", "leader", "liaison_lead", "liaison_assist")}
    assert set(allowed["liaison_lead"]) == {"request_hand_back", "request_extension",
                                            "submit_progress", "submit_final"}
    assert allowed["liaison_assist"] == []
    # Nothing is pending: no decision is offered (issue 12 named listing them a defect).
    assert set(allowed["office"]) == {"remind", "cancel", "attach_source", "adjust",
                                      "add_milestone"}
    assert set(allowed["leader"]) == {"instruct"}


def test_hidden_items_change_no_list_or_count(app, client, people, make_item, units):
    """What unit B's liaison sees is the same whether or not unit A has items."""
    other = people["liaison_other"]
    make_item("in_progress", lead_unit_id=units["B"].id)

    def seen():
        urls = ["/items", "/items/count", "/items?state=in_progress", "/items?light=green",
                "/items?q=户籍", "/items/count?state=registered"]
        return {u: client.get(f"{API}{u}", headers=other).json for u in urls}

    before = seen()
    assert before["/items"]["total"] == 1
    for state in ("registered", "in_progress", "under_review", "closed"):
        make_item(state)  # unit A's
    make_item("assigned", lead_unit_id=units["W"].id)
    assert seen() == before
