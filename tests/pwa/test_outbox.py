"""Offline inspections on a phone: nothing typed is lost, every record arrives exactly once."""

from __future__ import annotations

import hashlib
import io

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.pwa.conftest import log_in, stored, wait_for_service_worker, wait_until

pytestmark = pytest.mark.browser


def picture(fmt: str = "JPEG", colour=(200, 30, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, fmt)
    return out.getvalue()


def fill_inspection(page, item_id: int, photo: bytes) -> str:
    """Start an inspection of unit A, answer one item with a photo; return its uuid."""
    page.get_by_role("link", name="新建检查").click()
    page.wait_for_selector("body[data-view='form']")
    page.get_by_label("搜索单位").fill("城关")
    page.get_by_label("城关派出所").check()
    page.get_by_label("明察").check()
    page.get_by_label("检查地点").fill("城关派出所户籍窗口")
    page.get_by_label("同行人员").fill("张三、李四")
    item = page.locator(f"[data-item='{item_id}']")
    item.get_by_label("不符合").check()
    item.get_by_label("说明").fill("值班民警未着装")
    item.locator("input[capture]").set_input_files(
        files=[{"name": "IMG_001.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    expect(item.locator("[data-photo][data-stored='1'] img")).to_have_count(1)
    uuid = page.url.rsplit("/", 1)[1]
    wait_until(page, lambda: any(r["uuid"] == uuid and r["companions"] == "张三、李四"
                                 and r["checklist"][str(item_id)]["note"] == "值班民警未着装"
                                 for r in stored(page, "inspections")))
    return uuid


def add_finding(page, photo: bytes | None = None) -> None:
    page.get_by_role("button", name="添加问题").click()
    card = page.locator("[data-finding]").last
    card.get_by_label("问题类别").select_option("service")
    card.get_by_label("严重程度").select_option("moderate")
    card.get_by_label("问题描述").fill("窗口无人值守超过十分钟")
    if photo:
        card.locator("input[type=file]:not([capture])").set_input_files(
            files=[{"name": "screen.png", "mimeType": "image/png", "buffer": photo}])
        expect(card.locator("[data-photo][data-stored='1']")).to_have_count(1)


def entry(page, uuid: str):
    return page.locator(f"li[data-uuid='{uuid}']")


def server_inspections(app):
    from webapp.extensions import db
    from webapp.inspections.models import Inspection

    with app.app_context():
        rows = db.session.scalars(select(Inspection)).all()
        return [(r.uuid, str(r.state), sorted((p.sha256, p.received_at is not None)
                                              for p in r.photos)) for r in rows]


def test_offline_inspection_arrives_once(app, phone, live_url, inspector, checklist):
    log_in(phone, live_url, inspector)
    wait_for_service_worker(phone)
    jpeg, png = picture(), picture("PNG", (30, 30, 200))
    uuid = fill_inspection(phone, checklist["dress"], jpeg)
    phone.context.grant_permissions(["geolocation"], origin=live_url)
    phone.context.set_geolocation({"latitude": 30.1234567, "longitude": 120.7654321,
                                   "accuracy": 12})
    phone.get_by_role("button", name="获取位置").click()
    expect(phone.locator("#gps-text")).to_contain_text("精度约 12 米")
    wait_until(phone, lambda: stored(phone, "inspections")[0]["gps"] is not None)

    phone.context.set_offline(True)
    phone.reload()  # from the service worker's cache; the draft comes back from IndexedDB
    phone.wait_for_selector("body[data-view='form']")
    expect(phone.get_by_label("检查地点")).to_have_value("城关派出所户籍窗口")
    expect(phone.locator(f"[data-item='{checklist['dress']}']").get_by_label("不符合")).to_be_checked()
    expect(phone.locator("[data-photo] img")).to_have_count(1)
    add_finding(phone, png)
    phone.get_by_role("button", name="提交检查").click()

    expect(entry(phone, uuid)).to_have_attribute("data-state", "waiting")
    expect(entry(phone, uuid)).to_contain_text("等待发送")
    assert server_inspections(app) == []

    phone.context.set_offline(False)  # the `online` event starts the upload
    expect(entry(phone, uuid)).to_have_attribute("data-state", "sent")
    expect(phone.locator("#sent")).to_contain_text("已提交")
    photos = sorted([(hashlib.sha256(jpeg).hexdigest(), True),
                     (hashlib.sha256(png).hexdigest(), True)])
    assert server_inspections(app) == [(uuid, "submitted", photos)]
    from webapp.extensions import db
    from webapp.inspections.models import Inspection

    with app.app_context():
        row = db.session.scalar(select(Inspection))
        assert (row.place, row.companions, str(row.mode)) == (
            "城关派出所户籍窗口", "张三、李四", "open")
        assert (round(row.gps_lat, 6), round(row.gps_lon, 6), row.gps_accuracy) == (
            30.123457, 120.765432, 12.0)
        assert [(r.result, r.note) for r in row.checklist_results] == [("fail", "值班民警未着装")]
        assert [(str(f.category), str(f.severity)) for f in row.findings] == [
            ("service", "moderate")]
    # Sent: the local Blobs are freed, the record is kept as 已提交.
    assert stored(phone, "photos") == []
    assert [e["state"] for e in stored(phone, "outbox")] == ["sent"]


def test_server_errors_keep_the_record_until_it_arrives(app, phone, live_url, inspector,
                                                         checklist):
    log_in(phone, live_url, inspector)
    jpeg = picture()
    uuid = fill_inspection(phone, checklist["dress"], jpeg)
    seen = {"record": 0, "photo": 0, "submit": 0}
    failures = {"record": 1, "submit": 1}  # the first record PUT and the first submit fail

    def server(route):
        url, method = route.request.url, route.request.method
        kind = "photo" if "/photos/" in url else "submit" if url.endswith("/submit") else "record"
        if method in ("PUT", "POST"):
            seen[kind] += 1
        if method in ("PUT", "POST") and failures.get(kind, 0) > 0:
            failures[kind] -= 1
            route.fulfill(status=500, json={"error": {"code": "internal",
                                                      "message": "服务器暂时不可用"}})
        else:
            route.continue_()

    phone.context.route("**/api/v1/inspections/**", server)
    phone.get_by_role("button", name="提交检查").click()
    expect(entry(phone, uuid)).to_have_attribute("data-state", "failed")
    expect(entry(phone, uuid)).to_contain_text("500")
    expect(entry(phone, uuid)).to_contain_text("服务器暂时不可用")
    # Retried on its own, with backoff: the record, its photo once, then the submit again.
    expect(entry(phone, uuid)).to_have_attribute("data-state", "sent", timeout=20_000)
    assert seen == {"record": 3, "photo": 1, "submit": 2}
    assert server_inspections(app) == [
        (uuid, "submitted", [(hashlib.sha256(jpeg).hexdigest(), True)])]


def test_expired_login_keeps_the_record_until_logged_in_again(app, phone, live_url, inspector,
                                                              checklist):
    log_in(phone, live_url, inspector)
    wait_for_service_worker(phone)
    uuid = fill_inspection(phone, checklist["desk"], picture())
    add_finding(phone)
    phone.context.clear_cookies()  # the session is gone (expired, or logged out elsewhere)
    phone.get_by_role("button", name="提交检查").click()

    # Waiting for a login, and saying so: not "failed", not "稍后自动重试" (no retry helps).
    expect(entry(phone, uuid)).to_have_attribute("data-state", "waiting")
    expect(entry(phone, uuid)).to_contain_text("登录已过期：请重新登录，登录后自动发送")
    expect(entry(phone, uuid)).not_to_contain_text("重试")
    expect(phone.locator("#net")).not_to_contain_text("重试")
    relogin = phone.get_by_role("link", name="请重新登录")
    expect(relogin).to_be_visible()
    assert server_inspections(app) == []

    relogin.click()
    phone.get_by_label("用户名").fill(inspector.username)
    phone.get_by_label("密码").fill(inspector.password)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(f"{live_url}/m/")
    expect(entry(phone, uuid)).to_have_attribute("data-state", "sent")
    expect(phone.get_by_role("link", name="请重新登录")).to_be_hidden()
    assert [(u, s, len(p)) for u, s, p in server_inspections(app)] == [(uuid, "submitted", 1)]
    from webapp.extensions import db
    from webapp.inspections.models import Finding

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Finding)) == 1


def test_a_refused_record_stays_and_can_be_corrected(app, phone, live_url, inspector,
                                                     checklist):
    log_in(phone, live_url, inspector)
    uuid = fill_inspection(phone, checklist["dress"], picture())

    refused = []

    def refuse(route):
        if route.request.method == "PUT":
            refused.append(route.request.url)
            route.fulfill(status=422, json={"error": {"code": "invalid_input",
                                                      "message": "检查地点过长", "field": "place"}})
        else:
            route.continue_()

    phone.context.route(f"**/api/v1/inspections/{uuid}", refuse)
    phone.get_by_role("button", name="提交检查").click()
    expect(entry(phone, uuid)).to_have_attribute("data-state", "failed")
    expect(entry(phone, uuid)).to_contain_text("422：检查地点过长")
    assert [e["retry"] for e in stored(phone, "outbox")] == [False]  # waits for the user
    phone.get_by_role("button", name="立即发送").click()  # tries again, at once
    wait_until(phone, lambda: len(refused) == 2)
    expect(entry(phone, uuid)).to_have_attribute("data-state", "failed")
    expect(entry(phone, uuid)).to_contain_text("422：检查地点过长")

    phone.context.unroute(f"**/api/v1/inspections/{uuid}")
    phone.get_by_role("button", name="改回草稿修改").click()
    phone.wait_for_selector("body[data-view='form']")
    phone.get_by_label("检查地点").fill("户籍窗口")
    phone.get_by_role("button", name="提交检查").click()
    expect(entry(phone, uuid)).to_have_attribute("data-state", "sent")
    assert [(u, s) for u, s, _ in server_inspections(app)] == [(uuid, "submitted")]


def test_photo_inputs_take_heic_and_refuse_other_files(phone, live_url, inspector, checklist):
    log_in(phone, live_url, inspector)
    fill_inspection(phone, checklist["guide"], picture())
    add_finding(phone)
    card = phone.locator("[data-finding]").last
    gallery = card.locator("input[type=file]:not([capture])")
    assert gallery.get_attribute("accept").startswith("image/*")
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)
    gallery.set_input_files(files=[{"name": "IMG_0002.HEIC", "mimeType": "", "buffer": heic}])
    expect(card.locator("[data-photo][data-stored='1']")).to_have_count(1)
    expect(card.locator(".noprev")).to_have_text("照片（此浏览器无法预览）")  # Chromium: no HEIC
    gallery.set_input_files(files=[{"name": "anim.gif", "mimeType": "image/gif",
                                    "buffer": b"GIF89a" + bytes(32)}])
    expect(card.get_by_role("alert")).to_contain_text("不支持的图片格式：anim.gif")
    kept = sorted((p["content_type"], p["size"], p["filename"]) for p in stored(phone, "photos"))
    assert kept == sorted([("image/jpeg", len(picture()), "IMG_001.jpg"),
                           ("image/heic", len(heic), "IMG_0002.HEIC")])
