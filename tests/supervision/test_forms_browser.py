"""Nothing typed is lost, in a real browser: the idle timeout is told before it ends and can be
put off; a form sent after it ended comes back with its text after a new login; a file over
the limit is refused before it is sent, uploads show progress, refusals stay on the page."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser import log_in
from tests.media import office_files as of
from webapp.extensions import db
from webapp.supervision.models import SupervisionItem

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(page, live_url, csrf_on):
    """A browser page with CSRF checks on, as in production; CSP violations are collected."""
    page.set_default_timeout(15_000)
    page.csp_errors = []
    page.on("console", lambda m: "Content Security Policy" in m.text and
            page.csp_errors.append(m.text))
    return page


def _feedback(app, code) -> list[tuple[str, str | None, list[str]]]:
    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        return [(f.actions_taken, f.result, [a.filename for a in f.attachments])
                for f in item.feedback]


def _expire_session(app, page, live_url, minutes: int = 31) -> None:
    """Move the signed session cookie's idle clock back, as if the user had been away."""
    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = next(c for c in page.context.cookies(live_url) if c["name"] == name)
    data = serializer.loads(cookie["value"])
    data["seen_at"] -= minutes * 60
    page.context.add_cookies([{**cookie, "value": serializer.dumps(data)}])


def _drafts(page) -> list[str]:
    return page.evaluate("() => Object.keys(sessionStorage).filter(k => k.startsWith('duban.'))")


def _open_feedback(page):
    page.locator("#act-feedback summary").click()
    return page.locator("#act-feedback form")


def test_feedback_typed_before_the_timeout_is_back_after_a_new_login(app, desk, live_url,
                                                                     make_item, liaison_a):
    code = make_item("in_progress")
    log_in(desk, live_url, liaison_a, f"/items/{code}")
    form = _open_feedback(desk)
    form.get_by_label("办结反馈（提交审核）").check()
    form.get_by_label("主要做法").fill("一、增开两个窗口；\n二、实行网上预约。")
    form.get_by_label("办理结果（办结反馈必填）").fill("排队时间降至二十分钟以内。")
    _expire_session(app, desk, live_url)
    form.get_by_role("button", name="提交反馈").click()
    desk.wait_for_url(f"{live_url}/login?next=%2Fitems%2F{code}")
    expect(desk.locator(".flash-warning")).to_contain_text("登录已超时")
    assert _feedback(app, code) == []  # nothing was saved …
    desk.get_by_label("用户名").fill(liaison_a.username)
    desk.get_by_label("密码").fill(liaison_a.password)
    desk.get_by_role("button", name="登录").click()

    desk.wait_for_url(f"{live_url}/items/{code}")  # … the form's page, not the POST URL
    form = desk.locator("#act-feedback form")
    expect(form).to_be_visible()  # its box is opened again
    expect(form.locator(".draft-note")).to_contain_text("已恢复您未提交的内容")
    expect(form.get_by_label("主要做法")).to_have_value("一、增开两个窗口；\n二、实行网上预约。")
    expect(form.get_by_label("办理结果（办结反馈必填）")).to_have_value("排队时间降至二十分钟以内。")
    expect(form.get_by_label("办结反馈（提交审核）")).to_be_checked()
    form.get_by_role("button", name="提交反馈").click()

    expect(desk.locator(".flash-success")).to_have_text("反馈已提交")
    assert _feedback(app, code) == [("一、增开两个窗口；\n二、实行网上预约。",
                                     "排队时间降至二十分钟以内。", [])]
    assert _drafts(desk) == []  # accepted: the draft is gone
    assert desk.csp_errors == []


def test_a_plain_form_sent_after_the_timeout_comes_back_too(app, desk, live_url, make_item,
                                                            liaison_a):
    code = make_item("in_progress")
    log_in(desk, live_url, liaison_a, f"/items/{code}")
    desk.locator("#act-extension summary").click()
    box = desk.locator("#act-extension form")
    later = (date.today() + timedelta(days=40)).isoformat()
    box.get_by_label("申请延至").fill(later)
    box.get_by_label("延期理由").fill("需协调户政窗口数据，另需两周。")
    _expire_session(app, desk, live_url)
    box.get_by_role("button", name="提交延期申请").click()  # an ordinary form POST
    desk.wait_for_url(f"{live_url}/login?next=%2Fitems%2F{code}")
    log_in(desk, live_url, liaison_a, f"/items/{code}")  # a fresh login page, same `next`
    box = desk.locator("#act-extension form")
    expect(box.get_by_label("延期理由")).to_have_value("需协调户政窗口数据，另需两周。")
    expect(box.get_by_label("申请延至")).to_have_value(later)
    box.locator(".draft-note").get_by_role("button", name="放弃这些内容").click()
    expect(box.get_by_label("延期理由")).to_have_value("")
    assert _drafts(desk) == []


def test_logout_and_another_account_leave_no_drafts(app, desk, live_url, make_item, liaison_a,
                                                    office):
    code = make_item("in_progress")
    log_in(desk, live_url, liaison_a, f"/items/{code}")
    _open_feedback(desk).get_by_label("主要做法").fill("联络员的草稿")
    desk.wait_for_function("() => Object.keys(sessionStorage).length > 0")
    _expire_session(app, desk, live_url)
    log_in(desk, live_url, office, f"/items/{code}")  # someone else signs in in this tab
    assert _drafts(desk) == []
    assert "联络员的草稿" not in desk.content()
    desk.get_by_role("button", name="退出").click()
    desk.wait_for_url(f"{live_url}/login")
    log_in(desk, live_url, liaison_a, f"/items/{code}")
    _open_feedback(desk).get_by_label("主要做法").fill("第二份草稿")
    desk.wait_for_function("() => Object.keys(sessionStorage).length > 0")
    desk.get_by_role("button", name="退出").click()
    desk.wait_for_url(f"{live_url}/login")
    assert _drafts(desk) == []


def test_the_idle_timeout_is_told_before_it_ends_and_can_be_put_off(app, desk, live_url,
                                                                   make_item, liaison_a,
                                                                   monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_TIMEOUT", timedelta(seconds=10))
    code = make_item("in_progress")
    started = time.monotonic()
    log_in(desk, live_url, liaison_a, f"/items/{code}")
    banner = desk.locator(".session-banner")
    expect(banner).to_contain_text("登录将在", timeout=10_000)  # warned before the end …
    assert time.monotonic() - started < 10
    banner.get_by_role("button", name="继续使用").click()  # … and the user stays
    expect(banner).to_be_hidden()
    desk.wait_for_timeout(max(0, (started + 11 - time.monotonic()) * 1000))
    assert desk.evaluate("async () => (await fetch('/session')).json()")["authenticated"]
    # Nobody answers this time: the banner says the session ended and how to come back.
    expect(banner).to_contain_text("登录已超时", timeout=20_000)
    link = banner.get_by_role("link", name="重新登录")
    assert link.get_attribute("href") == f"/login?next=%2Fitems%2F{code}"
    assert desk.csp_errors == []


def test_typing_keeps_the_session_alive_without_asking(app, desk, live_url, make_item,
                                                       liaison_a, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_TIMEOUT", timedelta(seconds=10))
    code = make_item("in_progress")
    started = time.monotonic()
    log_in(desk, live_url, liaison_a, f"/items/{code}")
    with desk.expect_request("**/session/keep-alive", timeout=10_000):
        _open_feedback(desk).get_by_label("主要做法").type("正在填写")
    assert not desk.locator(".session-banner").is_visible()
    desk.wait_for_timeout(max(0, (started + 11 - time.monotonic()) * 1000))
    assert desk.evaluate("async () => (await fetch('/session')).json()")["authenticated"]


def test_a_file_over_the_limit_is_refused_before_sending(app, desk, live_url, make_item,
                                                         liaison_a, tmp_path):
    code = make_item("in_progress")
    big = tmp_path / "现场录像.pdf"
    with big.open("wb") as f:
        f.truncate(70 * 1024 * 1024)
    log_in(desk, live_url, liaison_a, f"/items/{code}")
    form = _open_feedback(desk)
    expect(form.locator("#evidence-hint")).to_contain_text("每个不超过 30 MB")
    form.get_by_label("主要做法").fill("已整改")
    posts = []
    desk.on("request", lambda r: r.method == "POST" and posts.append(r.url))
    form.locator("input[type=file]").set_input_files(big)
    status = form.locator(".upload-status")
    expect(status).to_contain_text("“现场录像.pdf”有 70 MB，超过每个文件 30 MB 的上限")
    form.get_by_role("button", name="提交反馈").click()
    expect(status).to_have_attribute("role", "alert")
    desk.wait_for_timeout(300)
    assert posts == []  # nothing was sent …
    assert desk.url == f"{live_url}/items/{code}"  # … the page and the text stay
    expect(form.get_by_label("主要做法")).to_have_value("已整改")
    report = tmp_path / "报告.exe"
    report.write_bytes(b"MZ")
    form.locator("input[type=file]").set_input_files(report)
    expect(status).to_contain_text("“报告.exe”不是可上传的文件类型")


def test_a_request_the_server_finds_too_large_is_told_on_the_page(app, desk, live_url,
                                                                 make_item, liaison_a,
                                                                 tmp_path):
    """Should the page's limits be missing or stale, the server's 413 still leaves the page."""
    code = make_item("in_progress")
    big = tmp_path / "现场录像.pdf"
    with big.open("wb") as f:
        f.truncate(70 * 1024 * 1024)
    log_in(desk, live_url, liaison_a, f"/items/{code}")
    form = _open_feedback(desk)
    form.get_by_label("主要做法").fill("已整改")
    desk.evaluate("""() => {
        const input = document.querySelector('#act-feedback input[type=file]');
        delete input.dataset.maxFileBytes; delete input.dataset.maxTotalBytes; }""")
    form.locator("input[type=file]").set_input_files(big)
    form.get_by_role("button", name="提交反馈").click()
    expect(form.locator(".upload-status")).to_contain_text("上传的文件太大", timeout=30_000)
    assert desk.url == f"{live_url}/items/{code}"
    expect(form.get_by_label("主要做法")).to_have_value("已整改")
    assert _feedback(app, code) == []


def test_upload_shows_progress_and_lands(app, desk, live_url, make_item, liaison_a, tmp_path):
    code = make_item("in_progress")
    sheet = tmp_path / "出警记录.xlsx"
    sheet.write_bytes(of.xlsx_bytes(rows=40_000))  # about a megabyte
    log_in(desk, live_url, liaison_a, f"/items/{code}")
    form = _open_feedback(desk)
    form.get_by_label("主要做法").fill("补充出警记录")
    form.locator("input[type=file]").set_input_files(sheet)
    cdp = desk.context.new_cdp_session(desk)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 20, "downloadThroughput": -1,
        "uploadThroughput": 256 * 1024})
    form.get_by_role("button", name="提交反馈").click()
    bar = form.locator(".upload-status progress")
    desk.wait_for_function(
        "() => { const b = document.querySelector('.upload-status progress');"
        " return b && b.value > 0 && b.value < 100; }")
    expect(form.locator(".upload-status")).to_contain_text("正在上传")
    expect(form.get_by_role("button", name="提交反馈")).to_be_disabled()  # no double submit
    assert bar.count() == 1
    expect(desk.locator(".flash-success")).to_have_text("反馈已提交", timeout=30_000)
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    assert _feedback(app, code) == [("补充出警记录", None, ["出警记录.xlsx"])]


def test_a_refused_file_is_told_on_the_page(app, desk, live_url, make_item, liaison_a,
                                            tmp_path):
    code = make_item("in_progress")
    macro = tmp_path / "情况说明.doc"
    macro.write_bytes(of.doc_bytes(macros=True))
    log_in(desk, live_url, liaison_a, f"/items/{code}")
    form = _open_feedback(desk)
    form.get_by_label("主要做法").fill("已整改，附情况说明")
    form.locator("input[type=file]").set_input_files(macro)
    form.get_by_role("button", name="提交反馈").click()
    status = form.locator(".upload-status")
    expect(status).to_contain_text("文件含有宏")
    expect(status).to_contain_text("填写的内容仍在本页")
    assert desk.url == f"{live_url}/items/{code}"
    expect(form.get_by_label("主要做法")).to_have_value("已整改，附情况说明")
    expect(form.get_by_role("button", name="提交反馈")).to_be_enabled()
    assert _feedback(app, code) == []


def test_after_a_return_the_form_starts_from_the_returned_feedback(app, desk, live_url,
                                                                   make_item, liaison_a,
                                                                   office, tmp_path):
    from webapp.auth.models import User
    from webapp.supervision import services

    code = make_item("in_progress")
    log_in(desk, live_url, liaison_a, f"/items/{code}")
    form = _open_feedback(desk)
    form.get_by_label("办结反馈（提交审核）").check()
    form.get_by_label("主要做法").fill("增开两个窗口。")
    form.get_by_label("办理结果（办结反馈必填）").fill("排队缩短。")
    report, photo = tmp_path / "整改报告.docx", tmp_path / "现场.docx"
    report.write_bytes(of.docx_bytes())
    photo.write_bytes(of.docx_bytes("现场"))
    form.locator("input[type=file]").set_input_files([report, photo])
    form.get_by_role("button", name="提交反馈").click()
    expect(desk.locator(".flash-success")).to_have_text("反馈已提交")
    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        services.return_feedback(item, actor=db.session.get(User, office.id),
                                 reason="缺少出警记录统计")
        db.session.commit()

    desk.goto(f"{live_url}/items/{code}")
    form = _open_feedback(desk)
    expect(form.get_by_label("主要做法")).to_have_value("增开两个窗口。")
    expect(desk.locator("#act-feedback .pending")).to_contain_text("缺少出警记录统计")
    form.get_by_label("现场.docx").uncheck()  # dropped; the report is kept without uploading
    form.get_by_label("主要做法").fill("增开两个窗口；补充出警记录统计。")
    sheet = tmp_path / "出警记录统计.xlsx"
    sheet.write_bytes(of.xlsx_bytes())
    form.locator("input[type=file]").set_input_files(sheet)
    form.get_by_role("button", name="提交反馈").click()
    expect(desk.locator(".flash-success")).to_have_text("反馈已提交")
    first, second = _feedback(app, code)
    assert first[2] == ["整改报告.docx", "现场.docx"]
    assert second == ("增开两个窗口；补充出警记录统计。", "排队缩短。",
                      ["整改报告.docx", "出警记录统计.xlsx"])
