"""One gate for every write: real concurrent requests through the pages and the API.

Each test sends its requests from several threads at once, each with its own client and
session (its own database connection), released together by a barrier. On PostgreSQL (CI's
second run) they truly race; SQLite serializes writers, where the same assertions hold.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import login
from webapp.audit.models import AuditEvent
from webapp.database import local_today
from webapp.documents.models import Document, DocumentKind
from webapp.extensions import db
from webapp.supervision.models import Feedback, FeedbackKind, Reminder, SupervisionItem

N = 8


def together(calls) -> list:
    """Run the calls at the same moment, one thread each; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _clients(app, persona, n=N):
    return [login(app.test_client(), persona) for _ in range(n)]


def _events(app, code: str, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.object_id == code, AuditEvent.action == action))


def _item(app, code: str) -> SupervisionItem:
    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        db.session.expunge(item)
        return item


def test_eight_sessions_acknowledge_once(app, make_item, liaison_a):
    code = make_item("assigned")
    statuses = together([lambda c=c: c.post(f"/items/{code}/acknowledge").status_code
                         for c in _clients(app, liaison_a)])
    assert Counter(statuses) == {302: 1, 409: N - 1}
    assert _events(app, code, "acknowledge") == 1
    assert _item(app, code).state == "in_progress"


def test_eight_final_feedback_forms_make_one_row(app, make_item, liaison_a):
    code = make_item("in_progress")
    form = {"kind": "final", "actions_taken": "增开窗口", "result": "排队缩短", "completed": "yes"}
    statuses = together([lambda c=c: c.post(f"/items/{code}/feedback", data=form).status_code
                         for c in _clients(app, liaison_a)])
    assert Counter(statuses) == {302: 1, 409: N - 1}
    with app.app_context():
        rows = db.session.scalar(select(func.count(Feedback.id)).join(SupervisionItem).where(
            SupervisionItem.code == code, Feedback.kind == FeedbackKind.FINAL))
    assert rows == 1


def test_accept_and_return_racing_leave_one_decision(app, make_item, office):
    code = make_item("under_review")
    clients = _clients(app, office)
    calls = [lambda c=c: ("accept", c.post(f"/items/{code}/accept",
                                           data={"opinion": "同意"}).status_code)
             for c in clients[:4]]
    calls += [lambda c=c: ("return", c.post(f"/items/{code}/return",
                                            data={"reason": "证据不足",
                                                  "category": "insufficient_evidence"}).status_code)
              for c in clients[4:]]
    results = together(calls)
    winners = [action for action, status in results if status == 302]
    assert len(winners) == 1
    assert Counter(status for _, status in results)[409] == N - 1
    assert _events(app, code, "accept") + _events(app, code, "return") == 1
    assert _item(app, code).state == ("closed" if winners == ["accept"] else "in_progress")


def test_api_and_page_share_the_gate(app, make_item, liaison_a, api_headers):
    code = make_item("assigned")
    headers = api_headers(liaison_a)
    pages = _clients(app, liaison_a, 4)
    calls = [lambda c=c: c.post(f"/items/{code}/acknowledge").status_code for c in pages]
    calls += [lambda: app.test_client().post(f"/api/v1/items/{code}/acknowledge",
                                             headers=headers).status_code for _ in range(4)]
    statuses = together(calls)
    assert sum(s in (200, 302) for s in statuses) == 1
    assert statuses.count(409) == N - 1
    assert _events(app, code, "acknowledge") == 1


def test_eight_circular_drafts_for_one_period_make_one(app, in_app, office, units):
    """A 通报 is drafted before a leader signs it (webapp/documents/signoff.py)."""
    from webapp.documents.models import DocumentDraft

    today = in_app(local_today)
    start = today.replace(day=1)
    form = {"action": "draft", "start": start.isoformat(), "end": today.isoformat()}
    clients = _clients(app, office)
    responses = together([lambda c=c: c.post("/documents/circular", data=form)
                          for c in clients])
    assert Counter(r.status_code for r in responses) == {302: 1, 409: N - 1}
    with app.app_context():
        drafts = db.session.scalars(select(DocumentDraft).where(
            DocumentDraft.kind == DocumentKind.CIRCULAR)).all()
        assert len(drafts) == 1
        ref = drafts[0].ref
    refused = next(r for r in responses if r.status_code == 409).get_data(as_text=True)
    assert ref in refused  # the refusal names the draft already made


def test_eight_notices_for_one_item_issue_one(app, make_item, office, api_headers):
    code = make_item("in_progress")
    headers = api_headers(office)
    statuses = together([
        lambda: app.test_client().post("/api/v1/documents", headers=headers,
                                       json={"kind": "notice", "item": code}).status_code
        for _ in range(N)])
    assert Counter(statuses) == {201: 1, 409: N - 1}
    with app.app_context():
        docs = db.session.scalars(select(Document).where(Document.kind == DocumentKind.NOTICE))
        assert [d.sequence for d in docs] == [1]


@pytest.mark.parametrize(("path", "form", "table"), [
    ("remind", {"channel": "phone", "note": "电话催办"}, Reminder),
    ("feedback", {"kind": "progress", "actions_taken": "已部署", "completed": "yes"}, Feedback),
])
def test_a_double_click_does_the_work_once(app, make_item, office, liaison_a, path, form,
                                           table):
    code = make_item("in_progress")
    client = login(app.test_client(), office if path == "remind" else liaison_a)
    page = client.get(f"/items/{code}").get_data(as_text=True)
    key = page.split('name="_once" value="', 1)[1].split('"', 1)[0]
    first = client.post(f"/items/{code}/{path}", data={**form, "_once": key})
    again = client.post(f"/items/{code}/{path}", data={**form, "_once": key})
    assert first.status_code == 302
    assert again.status_code == 303  # back to where the first one led, nothing done again
    assert again.location == first.location
    with app.app_context():
        assert db.session.scalar(select(func.count(table.id))) == 1
    fresh = client.get(f"/items/{code}").get_data(as_text=True)
    assert "该操作已经提交过" in fresh
    # A new form (new key) is a new reminder / feedback, as the user meant.
    other = fresh.split('name="_once" value="', 1)[1].split('"', 1)[0]
    assert other != key
    assert client.post(f"/items/{code}/{path}", data={**form, "_once": other}).status_code == 302


def test_racing_double_click_with_one_key(app, make_item, office):
    code = make_item("in_progress")
    clients = _clients(app, office, 4)
    key = "k" * 22
    statuses = together([lambda c=c: c.post(f"/items/{code}/remind", data={
        "channel": "phone", "_once": key}).status_code for c in clients])
    assert sorted(statuses) == [302, 303, 303, 303]
    with app.app_context():
        assert db.session.scalar(select(func.count(Reminder.id))) == 1


def test_a_refused_submission_can_be_sent_again_with_its_key(app, make_item, office):
    code = make_item("in_progress")
    client = login(app.test_client(), office)
    key = "r" * 22
    bad = client.post(f"/items/{code}/remind", data={"channel": "fax", "_once": key})
    assert bad.status_code == 422
    good = client.post(f"/items/{code}/remind", data={"channel": "phone", "_once": key})
    assert good.status_code == 302


def test_api_idempotency_key(app, make_item, office, api_headers):
    code = make_item("in_progress")
    headers = {**api_headers(office), "Idempotency-Key": "reminder-2026-11-30-0001"}
    client = app.test_client()
    body = {"channel": "phone", "note": "电话催办"}
    assert client.post(f"/api/v1/items/{code}/remind", headers=headers, json=body
                       ).status_code == 200
    again = client.post(f"/api/v1/items/{code}/remind", headers=headers, json=body)
    assert again.status_code == 409
    assert again.json["error"]["code"] == "duplicate_request"
    with app.app_context():
        assert db.session.scalar(select(func.count(Reminder.id))) == 1


def test_four_extension_requests_racing_make_one(app, in_app, make_item, liaison_a,
                                                 api_headers):
    code = make_item("in_progress")
    unit = api_headers(liaison_a)
    later = (in_app(local_today) + timedelta(days=40)).isoformat()
    statuses = together([
        lambda: app.test_client().post(f"/api/v1/items/{code}/request_extension", headers=unit,
                                       json={"new_due_date": later, "reason": "等待鉴定"}
                                       ).status_code for _ in range(4)])
    assert sorted(statuses) == [200, 409, 409, 409]
    assert _events(app, code, "request_extension") == 1
