"""The workflow table answers "what may I do now" once: an action is listed (the API's
allowed_actions, the page's forms) exactly when taking it succeeds — for every state, role and
pending request."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.auth.models import Role, User
from webapp.database import local_today, utcnow
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.media.files import FileInfo
from webapp.media.store import save_bytes
from webapp.supervision import (
    adjust,
    approval,
    milestones,
    services,
    sources,
    split,
    workflow,
)
from webapp.supervision.models import (
    Adjustment,
    ExtensionRequest,
    FeedbackKind,
    HandBackRequest,
    ItemState,
    Milestone,
    ReminderChannel,
    SourceKind,
    SupervisionItem,
)

STATES = ["registered", "awaiting_approval", "approval_returned", "assigned", "in_progress",
          "under_review", "awaiting_confirmation", "split", "closed", "cancelled", "archived"]
PENDING = [(), ("hand_back",), ("extension",), ("hand_back", "extension"), ("adjustment",),
           ("milestone",)]
# Where each kind of pending thing can exist: requests while the unit holds the item, an
# adjustment awaiting a leader wherever 调整 is possible, an open milestone before 办结反馈.
PENDING_IN = {"hand_back": {"assigned", "in_progress"}, "extension": {"assigned", "in_progress"},
              "adjustment": {"registered", "approval_returned", "assigned", "in_progress",
                             "under_review", "split"},
              "milestone": {"registered", "approval_returned", "assigned", "in_progress"}}
CASES = [(state, pending) for state, pending in itertools.product(STATES, PENDING)
         if all(state in PENDING_IN[p] for p in pending)]
ROLES = ["admin", "office", "leader", "leader_other", "inspector", "liaison_lead",
         "liaison_assist", "liaison_other"]
PDF = b"%PDF-1.4\n% a scanned instruction\n%%EOF\n"


def _scan() -> FileInfo:
    blob = save_bytes(PDF)
    return FileInfo(blob.sha256, blob.size, "application/pdf")


def _open_milestone(item: SupervisionItem) -> int | None:
    return next((m.id for m in item.milestones if m.reached_at is None), None)


def _take(action: str, item: SupervisionItem, actor: User, unit_a: int) -> None:
    """Take `action` with valid input, as a user filling the form correctly would."""
    due = (item.due_date or local_today()) + timedelta(days=30)
    soon = local_today() + timedelta(days=1)
    kw = {"actor": actor}
    calls = {
        "attach_source": lambda: sources.attach_sources(
            item, kind=SourceKind.INSTRUCTION, files=[("批示件.pdf", _scan())], **kw),
        "submit_approval": lambda: approval.submit_approval(item, **kw),
        "decide_approval": lambda: approval.decide_approval(item, approve=True, **kw),
        "split": lambda: split.split_item(item, children=[split.Child(
            lead_unit=unit_a, due_date=local_today() + timedelta(days=10),
            first_responsible="张所长", direct_responsible="李副所长")], **kw),
        "close": lambda: split.close_split(item, reason="主要任务已完成", **kw),
        "confirm": lambda: approval.confirm_closing(item, approve=True, **kw),
        "adjust": lambda: adjust.adjust_item(item, reason="更正标题", title="更正后的标题",
                                             **kw),
        "decide_adjustment": lambda: adjust.decide_adjustment(item, approve=True, **kw),
        "add_milestone": lambda: milestones.add_milestone(item, title="完成排查摸底",
                                                          due_date=soon, **kw),
        "reach_milestone": lambda: milestones.reach_milestone(
            item, milestone_id=_open_milestone(item), note="已完成", **kw),
        "assign": lambda: services.assign_item(
            item, lead_unit=unit_a, due_date=local_today() + timedelta(days=10),
            first_responsible="张所长", direct_responsible="李副所长", **kw),
        "acknowledge": lambda: services.acknowledge_item(item, **kw),
        "request_hand_back": lambda: services.request_hand_back(item, reason="非本单位职责",
                                                                **kw),
        "decide_hand_back": lambda: services.decide_hand_back(item, approve=False,
                                                              note="职责明确，请继续办理", **kw),
        "request_extension": lambda: services.request_extension(item, new_due_date=due,
                                                                reason="需协调", **kw),
        "decide_extension": lambda: services.decide_extension(item, approve=True, **kw),
        "submit_progress": lambda: services.submit_feedback(
            item, kind=FeedbackKind.PROGRESS, actions_taken="已部署", **kw),
        "submit_final": lambda: services.submit_feedback(
            item, kind=FeedbackKind.FINAL, actions_taken="已整改", result="已完成", **kw),
        "accept": lambda: services.accept_feedback(item, opinion="同意", **kw),
        "return": lambda: services.return_feedback(item, reason="证据不足", **kw),
        "remind": lambda: services.record_reminder(item, channel=ReminderChannel.PHONE, **kw),
        "cancel": lambda: services.cancel_item(item, reason="重复登记", **kw),
        "instruct": lambda: services.add_instruction(item, text="抓紧办理", **kw),
    }
    calls[action]()


@pytest.fixture
def actors(make_user, units, admin, office, leader, inspector, liaison_a, liaison_b):
    assist = make_user("liaison_w", Role.LIAISON, units["W"].id, name="周联络")
    other = make_user("leader2", Role.LEADER, name="王副局长")  # wrote no 批示: no 复核
    return {"admin": admin, "office": office, "leader": leader, "leader_other": other,
            "inspector": inspector, "liaison_lead": liaison_a, "liaison_assist": assist,
            "liaison_other": liaison_b}


def _with_pending(item: SupervisionItem, pending: tuple[str, ...]) -> None:
    liaison = db.session.scalar(select(User).where(User.unit_id == item.lead_unit_id))
    desk = db.session.scalar(select(User).where(User.role == Role.OFFICE))
    if "adjustment" in pending:
        db.session.add(Adjustment(item=item, reason="更正标题", requested_by_id=desk.id,
                                  changes={"title": {"before": item.title, "after": "新标题"}}))
    if "milestone" in pending:
        db.session.add(Milestone(item=item, title="完成排查摸底", created_by_id=desk.id,
                                 due_date=local_today() + timedelta(days=2)))
    if "hand_back" in pending:
        db.session.add(HandBackRequest(item=item, unit_id=item.lead_unit_id, reason="非本单位",
                                       requested_by_id=liaison.id))
    if "extension" in pending:
        db.session.add(ExtensionRequest(item=item, unit_id=item.lead_unit_id,
                                        old_due_date=item.due_date,
                                        requested_due_date=item.due_date + timedelta(days=9),
                                        reason="需协调", requested_by_id=liaison.id))


def _assisted(state: str, units) -> dict:
    """Unit W assists wherever the item went to a unit (lead unit A)."""
    with_unit = {"assigned", "in_progress", "under_review", "awaiting_confirmation", "closed",
                 "archived"}
    return {"assisting_unit_ids": [units["W"].id]} if state in with_unit else {}


def test_an_action_is_listed_exactly_when_it_succeeds(app, make_item, units, actors):
    endpoint_actions = [n for n, a in workflow.ACTIONS.items() if a.endpoint]
    checked, mismatches = 0, []
    for state, pending in CASES:
        code = make_item("closed" if state == "archived" else state, **_assisted(state, units))
        with app.app_context():
            item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
            if state == "archived":
                item.state, item.archived_at = ItemState.ARCHIVED, utcnow()
            _with_pending(item, pending)
            db.session.commit()
            for role in ROLES:
                actor = db.session.get(User, actors[role].id)
                listed = set(workflow.allowed_actions(item, actor))
                for action in endpoint_actions:
                    savepoint = db.session.begin_nested()
                    try:
                        _take(action, item, actor, units["A"].id)
                        db.session.flush()
                        succeeded = True
                    except DomainError:
                        succeeded = False
                    savepoint.rollback()
                    db.session.expire_all()
                    checked += 1
                    if succeeded != (action in listed):
                        mismatches.append((state, pending, role, action, succeeded))
    assert len(CASES) == 27
    assert checked == len(CASES) * len(ROLES) * len(endpoint_actions)
    assert mismatches == []


def test_the_api_lists_what_the_table_allows(app, client, make_item, units, actors,
                                             api_headers):
    headers = {role: api_headers(p) for role, p in actors.items()}
    for state in STATES[:-1]:
        code = make_item(state, **_assisted(state, units))
        for role in ROLES:
            resp = client.get(f"/api/v1/items/{code}", headers=headers[role])
            with app.app_context():
                item = db.session.scalar(
                    select(SupervisionItem).where(SupervisionItem.code == code))
                expected = workflow.allowed_actions(item, db.session.get(User, actors[role].id))
            if resp.status_code == 404:  # a hidden item offers nothing
                assert expected == [], (state, role)
                continue
            assert resp.json["allowed_actions"] == expected, (state, role)
