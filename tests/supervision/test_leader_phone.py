"""The leader's phone, in a real Chromium at phone size: the 批示件, the timeline and the unit's
feedback on the item page, 立项 approved and 办结 confirmed through the forms, no sideways
scrolling, CSRF on."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser import log_in
from webapp.auth.models import User
from webapp.extensions import db
from webapp.media.files import FileInfo
from webapp.media.store import save_bytes
from webapp.supervision import sources
from webapp.supervision.models import SourceKind, SupervisionItem

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _with_scan(app, code: str, office) -> None:
    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        blob = save_bytes(PDF)
        sources.attach_sources(item, actor=db.session.get(User, office.id),
                               kind=SourceKind.INSTRUCTION,
                               files=[("李局长批示.pdf", FileInfo(blob.sha256, blob.size,
                                                                "application/pdf"))])
        db.session.commit()


def _state(app, code: str) -> str:
    with app.app_context():
        return str(db.session.scalar(select(SupervisionItem.state).where(
            SupervisionItem.code == code)))


@pytest.mark.usefixtures("csrf_on")
def test_a_leader_approves_and_confirms_on_a_phone(app, browser, browser_context_args,
                                                   live_url, make_item, office, leader):
    waiting = make_item("awaiting_approval", title="上级督办：校园周边治安整治（手机审批用长标题）")
    done = make_item("awaiting_confirmation")
    _with_scan(app, waiting, office)
    _with_scan(app, done, office)
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_url, leader, path="/todo/")
    assert _fits(page)
    assert page.locator("tr", has_text=done).get_by_text("待复核").is_visible()
    page.locator("tr", has_text=waiting).get_by_role("button", name="办理").click()
    page.get_by_role("heading", name="批示件及来文").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="李局长批示.pdf").click()
    assert download.value.suggested_filename == "李局长批示.pdf"
    assert page.get_by_role("heading", name="时间线").is_visible()
    assert _fits(page)
    page.locator("summary", has_text="立项审批").click()
    page.get_by_role("radio", name="同意立项").check()
    page.get_by_label("意见说明").fill("同意，请办公室尽快交办。")
    page.get_by_role("button", name="提交审批意见").click()
    page.get_by_text("已同意立项").wait_for()
    assert _state(app, waiting) == "registered"

    page.goto(f"{live_url}/items/{done}")
    assert page.get_by_text("待李局长复核后办结").is_visible()
    assert page.get_by_role("heading", name="办理反馈").is_visible()
    assert page.get_by_text("排队时间降至二十分钟以内。").is_visible()  # the unit's result
    assert page.get_by_role("link", name="李局长批示.pdf").is_visible()
    assert _fits(page)
    page.locator("summary", has_text="领导复核").click()
    page.get_by_role("radio", name="同意办结").check()
    page.get_by_role("button", name="提交复核意见").click()
    page.get_by_text("复核同意，事项已办结").wait_for()
    assert _fits(page)
    assert _state(app, done) == "closed"
    context.close()
