"""Two accounts on one phone (one browser profile): records belong to the account that made
them; the next account neither sees nor sends them, and the server keeps the author."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.pwa.conftest import log_in, log_out, stored, wait_for_service_worker
from tests.pwa.test_outbox import add_finding, entry, fill_inspection, picture

pytestmark = pytest.mark.browser


def test_records_belong_to_the_account_that_made_them(app, phone, live_url, inspector, office,
                                                      checklist):
    log_in(phone, live_url, inspector)
    wait_for_service_worker(phone)
    draft = fill_inspection(phone, checklist["dress"], picture())
    phone.get_by_role("link", name="‹ 返回列表").click()
    expect(phone.locator(f"a[href='#/i/{draft}']")).to_be_visible()
    phone.context.set_offline(True)  # the second record waits in the outbox
    queued = fill_inspection(phone, checklist["desk"], picture(colour=(10, 150, 10)))
    add_finding(phone)
    phone.get_by_role("button", name="提交检查").click()
    expect(entry(phone, queued)).to_have_attribute("data-state", "waiting")
    phone.goto("about:blank")
    phone.context.set_offline(False)
    log_out(phone, live_url)

    # The office logs in on the same phone.
    requests = []
    phone.context.on("request", lambda r: requests.append((r.method, r.url)))
    log_in(phone, live_url, office)
    phone.wait_for_selector("body[data-ready='1']")
    expect(phone.locator("#net")).to_contain_text("王督办")
    expect(phone.locator("#others")).to_have_text(
        "另有 1 条其他账号的记录待发送，另有 1 份其他账号的草稿（该账号登录后才能查看和发送）。")
    expect(phone.get_by_text("没有未提交的草稿。")).to_be_visible()
    expect(phone.get_by_text("没有等待发送的记录。")).to_be_visible()
    phone.get_by_role("button", name="立即发送").click()
    expect(phone.locator("#send-note")).to_have_text("没有等待发送的记录。")
    # Not even by its address.
    phone.goto(f"{live_url}/m/#/i/{draft}")
    phone.wait_for_selector("body[data-view='home']")
    phone.wait_for_timeout(1500)  # a sync run of the app's start has had its chance
    html = phone.content()
    for secret in (draft, queued, "城关派出所户籍窗口", "张三、李四", "窗口无人值守"):
        assert secret not in html
    sent = [(m, u) for m, u in requests if "/api/v1/inspections" in u]
    assert sent == []
    assert _server_records(app) == []
    # Kept on the phone for their owner.
    assert {r["uuid"]: r["owner"] for r in stored(phone, "inspections")} == {
        draft: "inspector", queued: "inspector"}

    # The inspector again: the record goes, under the inspector's name.
    log_out(phone, live_url)
    log_in(phone, live_url, inspector)
    expect(entry(phone, queued)).to_have_attribute("data-state", "sent")
    expect(phone.locator(f"a[href='#/i/{draft}']")).to_be_visible()
    expect(phone.locator("#others")).to_have_count(0)
    records = _server_records(app)
    assert [(uuid, state, who) for uuid, state, who, _, _ in records] == [
        (queued, "submitted", inspector.id)]
    _, _, _, actors, added = records[0]
    assert actors == {("inspector", inspector.id)}
    assert added and all(added)  # each photo's time on the phone came with the record


def _server_records(app):
    from webapp.audit.models import AuditEvent
    from webapp.extensions import db
    from webapp.inspections.models import Inspection

    with app.app_context():
        out = []
        for row in db.session.scalars(select(Inspection)):
            events = db.session.scalars(select(AuditEvent).where(
                AuditEvent.object_type == "inspection", AuditEvent.object_id == row.uuid)).all()
            out.append((row.uuid, str(row.state), row.inspector_id,
                        {(e.actor_name, e.actor_id) for e in events},
                        [p.added_at is not None for p in row.photos]))
        return out


def test_a_record_another_account_made_is_refused_by_the_server(app, phone, live_url, inspector,
                                                                office, checklist):
    """Should a phone send it anyway (an old app version): 403, nothing created."""
    log_in(phone, live_url, office)
    phone.wait_for_selector("body[data-ready='1']")
    answer = phone.evaluate("""async (unit) => {
        const token = (await (await fetch('/api/v1/csrf')).json()).csrf_token;
        const resp = await fetch('/api/v1/inspections/' + crypto.randomUUID(), {
            method: 'PUT', headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
            body: JSON.stringify({author: 'inspector', target_unit_id: unit, mode: 'open',
                                  started_at: new Date().toISOString()})});
        return [resp.status, await resp.json()];
    }""", _unit_a(app))
    assert answer[0] == 403
    assert answer[1]["error"]["code"] == "not_author"
    assert _server_records(app) == []


def _unit_a(app) -> int:
    from webapp.extensions import db
    from webapp.org.models import Unit

    with app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.code == "PCS-A"))
