"""The item pages in a real Chromium at phone size: no sideways scrolling, and a unit's final
feedback with an evidence file submitted and accepted through the forms, CSRF on."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser import log_in
from webapp.extensions import db
from webapp.supervision.models import SupervisionItem

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _state(app, code) -> tuple[str, int]:
    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        return str(item.state), sum(len(f.attachments) for f in item.feedback)


@pytest.mark.usefixtures("csrf_on")
def test_feedback_and_review_on_a_phone(app, browser, browser_context_args, live_url,
                                        make_item, office, liaison_a):
    code = make_item("in_progress", title="户籍窗口排队时间过长问题整改（手机测试用长标题）")
    make_item("assigned")
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_url, liaison_a, path="/items/")
    assert _fits(page)
    page.get_by_role("link", name=code).click()
    assert _fits(page)
    page.locator("summary", has_text="提交反馈").click()
    page.get_by_role("radio", name="办结反馈").check()
    page.get_by_label("主要做法").fill("增开两个窗口，推行网上预约。")
    page.get_by_label("办理结果").fill("排队时间降至二十分钟以内。")
    page.get_by_label("证明材料").set_input_files(
        [{"name": "整改报告.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    assert _fits(page)
    page.get_by_role("button", name="提交反馈").click()
    page.get_by_text("反馈已提交").wait_for()
    assert _state(app, code) == ("under_review", 1)
    assert page.get_by_role("link", name="整改报告.pdf").is_visible()
    context.close()

    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    log_in(page, live_url, office, path="/items/")
    page.goto(f"{live_url}/items/{code}")
    page.locator("summary", has_text="审核：通过并办结").click()
    page.get_by_label("审核意见").fill("整改到位，同意办结。")
    page.get_by_role("button", name="审核通过").click()
    page.get_by_text("事项已办结").wait_for()
    assert _fits(page)
    assert _state(app, code)[0] == "closed"
    context.close()
