"""Leader 签发: a 通报 (and any kind the admin chooses) goes 拟稿 → 核稿 → 签发 before it takes a
number — through the pages and the API, by role (404 for who may not see drafts, 403 for the
wrong person, 409 for the wrong state), with the to-do and the notifications of each step, the
signer on the record, in the audit chain and in a 上行文's 版头, and one document however
often the leader clicks."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import func, select

from tests.documents.lifecycle import pdf_text
from tests.helpers import login
from tests.supervision.test_one_gate import together
from webapp.audit.models import AuditEvent
from webapp.auth.models import Role
from webapp.database import local_today
from webapp.documents.models import Document, DocumentDraft
from webapp.extensions import db
from webapp.notify.models import Channel, Notification


def _period(app) -> dict:
    with app.app_context():
        today = local_today()
    return {"start": today.replace(day=1).isoformat(), "end": today.isoformat(),
            "summary": "本月督办工作总体平稳。"}


def _draft_id(resp) -> int:
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _todo(client) -> dict:
    return client.get("/api/v1/todo").json["counts"]


def _told(app, event: str) -> list[tuple[str, str]]:
    """(username, body) of the in-app messages of one event."""
    from webapp.auth.models import User
    from webapp.people.models import Person

    with app.app_context():
        rows = db.session.execute(
            select(User.username, Notification.body)
            .join(Person, Person.id == Notification.person_id)
            .join(User, User.id == Person.user_id)
            .where(Notification.event == event, Notification.channel == Channel.INAPP)).all()
    return [tuple(r) for r in rows]


def _actions(app, draft_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "document_draft", AuditEvent.object_id == str(draft_id))
            .order_by(AuditEvent.id)))


def test_a_circular_drafted_checked_returned_revised_and_signed(app, client, office, leader,
                                                               units, make_item):
    make_item("closed")
    login(client, office)
    form = _period(app)
    # Issuing directly is refused; the page offers 拟稿 instead.
    refused = client.post("/documents/circular", data=form | {"action": "issue"})
    assert refused.status_code == 409 and "须经领导签发" in refused.get_data(as_text=True)
    draft_id = _draft_id(client.post("/documents/circular", data=form | {"action": "draft"}))
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 0  # no number yet
    assert _todo(client)["drafts_to_check"] == 1
    page = client.get(f"/documents/drafts/{draft_id}").get_data(as_text=True)
    assert "待核稿" in page and "送请签发的局领导" in page and "李局长" in page

    # 核稿: sent to the leader, who is told and finds it in the to-do.
    resp = client.post(f"/documents/drafts/{draft_id}/check", data={"signer": str(leader.id)})
    assert resp.status_code == 302
    assert _todo(client)["drafts_to_check"] == 0
    assert [u for u, _ in _told(app, "signoff_requested")] == ["leader"]
    boss = login(app.test_client(), leader)
    assert _todo(boss)["drafts_to_sign"] == 1
    entry = boss.get("/api/v1/todo?kind=drafts_to_sign").json["entries"][0]
    assert entry["href"] == f"/documents/drafts/{draft_id}"

    # The leader reads the draft (草稿, no number) and returns it with a comment.
    with boss.get(f"/documents/drafts/{draft_id}/file.pdf") as got:
        assert got.status_code == 200 and "草稿" in pdf_text(got.data)
        assert "本月督办工作总体平稳。" in pdf_text(got.data)
    assert boss.post(f"/documents/drafts/{draft_id}/return",
                     data={"comment": "请补充表扬单位"}).status_code == 302
    assert _told(app, "draft_returned")[0][1].endswith("被领导退回：请补充表扬单位")
    assert _todo(client)["drafts_to_check"] == 1
    returned = client.get("/api/v1/todo?kind=drafts_to_check").json["entries"][0]
    assert returned["note"] == "请补充表扬单位"

    # Revised and checked again; then signed: issued with a number, the signer on record.
    revised = form | {"praised_unit": str(units["A"].id), "praised_reason": "整改迅速"}
    assert client.post(f"/documents/drafts/{draft_id}/revise", data=revised).status_code == 302
    assert client.post(f"/documents/drafts/{draft_id}/check",
                       data={"signer": str(leader.id)}).status_code == 302
    signed = boss.post(f"/documents/drafts/{draft_id}/sign")
    assert signed.status_code == 302
    with app.app_context():
        draft = db.session.get(DocumentDraft, draft_id)
        doc = draft.document
        assert draft.state == "signed" and doc.signed_by_id == leader.id
        assert doc.signed_at == draft.signed_at and doc.rendered, doc.render_error
        data = json.loads(doc.data_json)
        assert data["praised"] == [{"unit": "城关派出所", "reason": "整改迅速"}]
        assert data["issue_date"] == local_today().isoformat()
        assert "signer" not in data  # a 通报 is no 上行文: GB/T 9704 prints no 签发人
        doc_id, number = doc.id, doc.doc_number
        issue_event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "document_issue"))
        assert issue_event.details["signed_by"] == "李局长"
        assert issue_event.actor_id == leader.id
    assert _actions(app, draft_id) == ["draft_create", "draft_check", "draft_return",
                                       "draft_revise", "draft_check", "draft_sign"]
    assert _told(app, "draft_signed") == [("office", f"《{data['title']}》已由李局长签发，"
                                                    f"文号{number}。")]
    assert _todo(boss)["drafts_to_sign"] == 0
    detail = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "签发</dt><dd>李局长" in detail
    history = client.get(f"/documents/drafts/{draft_id}").get_data(as_text=True)
    assert f"签发，文号 {number}" in history and "退回：请补充表扬单位" in history


@pytest.fixture
def checked(app, client, office, leader):
    """A 通报 draft the office checked and sent to `leader`: (draft id, office client)."""
    login(client, office)
    draft_id = _draft_id(client.post("/documents/circular", data=_period(app) | {
        "action": "draft"}))
    assert client.post(f"/documents/drafts/{draft_id}/check",
                       data={"signer": str(leader.id)}).status_code == 302
    return draft_id, client


def test_who_may_do_what(app, make_user, checked, leader, liaison_a, inspector, admin,
                         api_headers):
    draft_id, office_client = checked
    other = make_user("leader2", Role.LEADER, name="张副局长")
    url = f"/documents/drafts/{draft_id}"
    # Who may not see drafts: 404 everywhere, pages and API alike.
    for persona in (liaison_a, inspector):
        c = login(app.test_client(), persona)
        assert c.get(url).status_code == 404
        assert c.get(f"{url}/file.pdf").status_code == 404
        assert c.post(f"{url}/sign").status_code == 404
        assert c.get("/documents/drafts/").status_code == 404
        assert c.get(f"/api/v1{url}").status_code == 404
        assert c.post(f"/api/v1{url}/sign", headers=api_headers(persona)).status_code == 404
    # The wrong people: 403.
    assert office_client.post(f"{url}/sign").status_code == 403
    assert office_client.post(f"{url}/return", data={"comment": "x"}).status_code == 403
    a = login(app.test_client(), admin)
    assert a.get(url).status_code == 200 and a.post(f"{url}/sign").status_code == 403
    second = login(app.test_client(), other)
    refused = second.post(f"{url}/sign")
    assert refused.status_code == 403 and "送请李局长签发" in refused.get_data(as_text=True)
    assert second.post(f"/api/v1{url}/sign", headers=api_headers(other)).status_code == 403
    boss = login(app.test_client(), leader)
    assert boss.post(f"{url}/check", data={"signer": str(leader.id)}).status_code == 403
    assert boss.post(f"{url}/withdraw", data={"reason": "x"}).status_code == 403
    # The wrong states: 409.
    assert office_client.post(f"{url}/check", data={"signer": str(leader.id)}).status_code == 409
    assert boss.post(f"{url}/sign").status_code == 302
    assert boss.post(f"{url}/sign").status_code == 409
    assert boss.post(f"{url}/return", data={"comment": "晚了"}).status_code == 409
    assert office_client.post(f"{url}/withdraw", data={"reason": "x"}).status_code == 409
    assert office_client.post(f"{url}/revise", data=_period(app)).status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 1
    # A second draft for the period is refused once the 通报 is issued.
    again = office_client.post("/documents/circular", data=_period(app) | {"action": "draft"})
    assert again.status_code == 409


def test_one_open_draft_per_subject(app, checked, office):
    _, office_client = checked
    login(office_client, office)
    make = office_client.post("/documents/circular", data=_period(app) | {"action": "draft"})
    assert make.status_code == 409  # one open draft per period
    assert "已有通报稿件" in make.get_data(as_text=True)


def test_a_double_click_signs_once(app, checked, leader):
    draft_id, _ = checked
    clients = [login(app.test_client(), leader) for _ in range(6)]
    statuses = together([lambda c=c: c.post(f"/documents/drafts/{draft_id}/sign").status_code
                         for c in clients])
    assert Counter(statuses) == {302: 1, 409: 5}
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 1
    assert _actions(app, draft_id).count("draft_sign") == 1


def test_the_api_drafts_checks_and_signs(app, client, office, leader, api_headers):
    form = _period(app)
    office_h, leader_h = api_headers(office), api_headers(leader)
    direct = client.post("/api/v1/documents", headers=office_h,
                         json={"kind": "circular", "start": form["start"], "end": form["end"]})
    assert direct.status_code == 409 and direct.json["error"]["code"] == "signoff_required"
    made = client.post("/api/v1/documents/drafts", headers=office_h,
                       json={"kind": "circular", "start": form["start"], "end": form["end"],
                             "summary": form["summary"]})
    assert made.status_code == 201, made.json
    draft = made.json
    assert draft["state"] == "drafted" and draft["document"] is None
    url = f"/api/v1/documents/drafts/{draft['id']}"
    assert client.post(f"{url}/sign", headers=leader_h).status_code == 409  # not checked yet
    assert client.post(f"{url}/check", headers=office_h,
                       json={"signer": office.id}).status_code == 422  # not a leader
    resp = client.post(f"{url}/check", headers=office_h, json={"signer": leader.id})
    assert resp.status_code == 200 and resp.json["state"] == "checked"
    assert resp.json["signer"] == {"id": leader.id, "name": "李局长"}
    with client.get(f"{url}/file.docx", headers=leader_h) as got:
        assert got.status_code == 200 and got.data[:2] == b"PK"
    assert [d["id"] for d in client.get("/api/v1/documents/drafts",
                                        headers=leader_h).json["drafts"]] == [draft["id"]]
    signed = client.post(f"{url}/sign", headers=leader_h)
    assert signed.status_code == 200 and signed.json["state"] == "signed"
    doc = client.get(f"/api/v1/documents/{signed.json['document']['id']}", headers=office_h)
    assert doc.json["doc_number"] == signed.json["document"]["doc_number"]
    assert client.get("/api/v1/documents/drafts", headers=leader_h).json["drafts"] == []


def test_the_admin_chooses_kinds_and_a_report_prints_its_signer(app, client, admin, office,
                                                               leader, make_item):
    login(client, admin)
    resp = client.post("/documents/settings", data={
        "mark": "某某县公安局", "code": "某公督", "letter_kinds": ["notice", "reminder"],
        "signoff_kinds": ["circular", "closing_report"]})
    assert resp.status_code == 302
    code = make_item("closed")
    c = login(app.test_client(), office)
    page = c.get(f"/items/{code}").get_data(as_text=True)
    assert f"/documents/items/{code}/draft/closing_report" in page
    assert c.post(f"/documents/items/{code}/issue/closing_report").status_code == 409
    draft_id = _draft_id(c.post(f"/documents/items/{code}/draft/closing_report"))
    assert c.post(f"/documents/drafts/{draft_id}/check",
                  data={"signer": str(leader.id)}).status_code == 302
    assert login(app.test_client(), leader).post(
        f"/documents/drafts/{draft_id}/sign").status_code == 302
    with app.app_context():
        doc = db.session.get(DocumentDraft, draft_id).document
        assert json.loads(doc.data_json)["signer"] == "李局长"
        doc_id = doc.id
    with c.get(f"/documents/{doc_id}/file.pdf") as got:
        text = pdf_text(got.data)
    assert "签发人：李局长" in text.replace(" ", "")  # a 办结报告 is a 上行文 (GB/T 9704 7.2.5)
    # Corrected: a draft again; the original stays valid until the correction is signed.
    made = c.post(f"/documents/{doc_id}/correct", data={"reason": "审核意见有误"})
    corr_id = _draft_id(made)
    with app.app_context():
        assert db.session.get(Document, doc_id).state == "issued"
    assert c.post(f"/documents/drafts/{corr_id}/check",
                  data={"signer": str(leader.id)}).status_code == 302
    assert login(app.test_client(), leader).post(
        f"/documents/drafts/{corr_id}/sign").status_code == 302
    with app.app_context():
        old = db.session.get(Document, doc_id)
        new = db.session.get(DocumentDraft, corr_id).document
        assert old.state == "voided" and old.void_reason == "审核意见有误"
        assert new.replaces_id == doc_id and new.signed_by_id == leader.id


@pytest.mark.browser
def test_the_leader_signs_on_a_phone(app, live_url, page, office, leader, checked):
    from tests.browser import log_in

    draft_id, _ = checked
    log_in(page, live_url, leader, "/todo/")
    page.get_by_role("link", name="待签发").first.click()
    page.get_by_role("button", name="办理").first.click()
    page.wait_for_url(f"{live_url}/documents/drafts/{draft_id}")
    assert page.get_by_role("link", name="阅读稿件（PDF）").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]  # one column: nothing to scroll sideways
    page.get_by_role("button", name="签发").click()
    page.wait_for_url(f"{live_url}/documents/drafts/{draft_id}")
    assert "已印发" in page.content()
    with app.app_context():
        draft = db.session.get(DocumentDraft, draft_id)
        assert draft.state == "signed" and draft.document.signed_by_id == leader.id
