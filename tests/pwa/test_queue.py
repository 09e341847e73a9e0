"""What the send queue says, in each state it can be in: one reason, never a contradiction."""

from __future__ import annotations

import hashlib
import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from tests.pwa.conftest import log_in, stored, wait_for_service_worker, wait_until
from tests.pwa.test_outbox import entry, fill_inspection, picture, server_inspections

pytestmark = pytest.mark.browser


def submit(page) -> None:
    page.get_by_role("button", name="提交检查").click()
    page.wait_for_selector("body[data-view='home']")


def test_server_down_while_online_says_the_server_cannot_be_reached(app, phone, live_url,
                                                                    inspector, checklist):
    log_in(phone, live_url, inspector)
    uuid = fill_inspection(phone, checklist["dress"], picture())
    phone.context.route("**/api/v1/**", lambda route: route.abort("connectionrefused"))
    submit(phone)
    expect(entry(phone, uuid)).to_have_attribute("data-state", "waiting")
    expect(entry(phone, uuid)).to_contain_text("等待发送：连不上服务器，稍后自动重试")
    expect(phone.locator("#net")).to_have_text(
        "已联网，但连不上服务器：记录保存在本机，稍后自动重试 · 赵督查")
    expect(phone.locator("body")).not_to_contain_text("网络不可用")
    phone.get_by_role("button", name="立即发送").click()
    expect(phone.locator("#send-note")).to_have_text(
        "连不上服务器：记录仍保存在本机，稍后自动重试。")

    phone.context.unroute("**/api/v1/**")  # the server is back: the next retry sends it
    expect(entry(phone, uuid)).to_have_attribute("data-state", "sent", timeout=20_000)
    expect(phone.locator("#net")).to_have_text("在线 · 赵督查")
    assert [(u, s) for u, s, _ in server_inspections(app)] == [(uuid, "submitted")]


def test_an_app_closed_mid_upload_reopens_offline_with_the_record_waiting(app, phone, live_url,
                                                                          inspector, checklist):
    log_in(phone, live_url, inspector)
    wait_for_service_worker(phone)
    uuid = fill_inspection(phone, checklist["dress"], picture())
    held = []
    phone.context.route("**/api/v1/inspections/*/photos/*",
                        lambda route: held.append(route))  # never answered
    submit(phone)
    expect(entry(phone, uuid)).to_have_attribute("data-state", "sending")
    expect(entry(phone, uuid)).to_contain_text("正在发送…")
    wait_until(phone, lambda: len(held) == 1)

    phone.goto("about:blank")  # the app is closed mid-upload
    phone.context.set_offline(True)
    phone.goto(f"{live_url}/m/")  # and opened again with no network, from the cache
    phone.wait_for_selector("body[data-ready='1']")
    expect(entry(phone, uuid)).to_have_attribute("data-state", "waiting")
    expect(entry(phone, uuid)).to_contain_text("等待发送：本机离线，联网后自动发送")
    expect(phone.locator("body")).not_to_contain_text("正在发送")
    phone.get_by_role("button", name="立即发送").click()  # offline: it says so
    expect(phone.locator("#send-note")).to_have_text("本机离线，无法发送：联网后会自动发送。")

    phone.context.unroute("**/api/v1/inspections/*/photos/*")
    phone.context.set_offline(False)
    expect(entry(phone, uuid)).to_have_attribute("data-state", "sent")
    phone.get_by_role("button", name="立即发送").click()
    expect(phone.locator("#send-note")).to_have_text("没有等待发送的记录。")
    assert [(u, s) for u, s, _ in server_inspections(app)] == [(uuid, "submitted")]


def test_a_refused_photo_is_named_and_can_be_replaced(app, phone, live_url, inspector,
                                                      checklist):
    """A truncated HEIC (90 % of the file) arrives at the server, which refuses it (422)."""
    from tests.media.imaging import phone_heic

    log_in(phone, live_url, inspector)
    uuid = fill_inspection(phone, checklist["dress"], picture())
    heic = phone_heic()
    phone.get_by_role("button", name="添加问题").click()
    card = phone.locator("[data-finding]").last
    card.get_by_label("问题类别").select_option("service")
    card.get_by_label("严重程度").select_option("moderate")
    card.get_by_label("问题描述").fill("窗口无人值守超过十分钟")
    card.locator("input[type=file]:not([capture])").set_input_files(files=[{
        "name": "IMG_0042.HEIC", "mimeType": "image/heic", "buffer": heic[: len(heic) * 9 // 10]}])
    expect(card.locator("[data-photo][data-stored='1']")).to_have_count(1)
    submit(phone)
    expect(entry(phone, uuid)).to_have_attribute("data-state", "failed")
    expect(entry(phone, uuid)).to_contain_text(
        "发送失败：问题 1 的照片“IMG_0042.HEIC”：服务器答复 422："
        "图片文件已损坏或不完整，请重新上传。请点“改回草稿修改”，删除这张照片后重新添加，再提交")
    expect(entry(phone, uuid)).not_to_contain_text("重试")

    phone.get_by_role("button", name="改回草稿修改").click()
    phone.wait_for_selector("body[data-view='form']")
    phone.once("dialog", lambda d: d.accept())
    card.get_by_role("button", name="删除照片 IMG_0042.HEIC").click()
    expect(card.locator("[data-photo]")).to_have_count(0)
    submit(phone)
    expect(entry(phone, uuid)).to_have_attribute("data-state", "sent")
    assert [(u, s, len(p)) for u, s, p in server_inspections(app)] == [(uuid, "submitted", 1)]


def test_a_submitted_record_sent_again_after_an_upgrade_counts_as_sent(app, phone, live_url,
                                                                       inspector, checklist):
    """The phone never heard the server's answer, and the server's hash of the record was made
    by an older version: sending it again is a success, not a 409."""
    from webapp.extensions import db
    from webapp.inspections.models import Inspection
    from webapp.inspections.services import stored_record

    log_in(phone, live_url, inspector)
    uuid = fill_inspection(phone, checklist["dress"], picture())
    submit(phone)
    expect(entry(phone, uuid)).to_have_attribute("data-state", "sent")
    with app.app_context():
        row = db.session.scalar(select(Inspection))
        older = json.dumps(stored_record(row), sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))  # null members included
        db.session.execute(update(Inspection).values(
            body_hash=hashlib.sha256(older.encode()).hexdigest()))
        db.session.commit()
    phone.evaluate("""(uuid) => new Promise((resolve, reject) => {
        const open = indexedDB.open('duban-pwa');
        open.onsuccess = () => {
            const t = open.result.transaction('outbox', 'readwrite');
            const box = t.objectStore('outbox');
            box.get(uuid).onsuccess = (e) => box.put({ ...e.target.result, state: 'waiting',
                                                       sent_at: null, retry: true });
            t.oncomplete = () => { open.result.close(); resolve(); };
            t.onerror = () => reject(t.error);
        };
    })""", uuid)
    answers = []
    phone.context.on("response", lambda r: answers.append((r.request.method, r.status))
                     if f"/inspections/{uuid}" in r.url else None)
    phone.reload()
    expect(entry(phone, uuid)).to_have_attribute("data-state", "sent")
    wait_until(phone, lambda: [e["state"] for e in stored(phone, "outbox")] == ["sent"])
    assert answers == [("PUT", 200)]  # the same record, already submitted: nothing more to do


def test_a_refused_record_names_the_photo_its_error_is_about(phone, live_url, inspector,
                                                             checklist):
    log_in(phone, live_url, inspector)
    uuid = fill_inspection(phone, checklist["desk"], picture())

    def refuse(route):
        if route.request.method != "PUT":
            route.continue_()
            return
        route.fulfill(status=422, json={"error": {
            "code": "invalid_input", "message": "照片大小应在 1 到 31457280 字节之间",
            "field": "checklist[0].photos[0].size"}})

    phone.context.route(f"**/api/v1/inspections/{uuid}", refuse)
    submit(phone)
    expect(entry(phone, uuid)).to_contain_text(
        "发送失败：第2项的照片“IMG_001.jpg”：服务器答复 422：照片大小应在 1 到 31457280 字节之间。"
        "请点“改回草稿修改”，删除这张照片后重新添加，再提交")
