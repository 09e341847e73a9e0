"""A leader on a phone (real Chromium, Pixel 7 size, CSRF on): from an item's 问责 panel to a
记分 saved through the form, then the person's history and the overview — no sideways
scrolling anywhere."""

from __future__ import annotations

import pytest

from tests.browser import log_in

pytestmark = pytest.mark.browser


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.usefixtures("csrf_on")
def test_a_leader_records_points_on_a_phone(browser, browser_context_args, live_url, leader,
                                            case, record_api, this_year):
    record_api(case, kind="criticism", points=None,
               facts="长文本：" + "该事项多次催办仍未按期反馈，群众反映强烈。" * 8)
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_url, leader, path=f"/items/{case.code}")
    panel = page.locator("section", has=page.get_by_role("heading", name="问责"))
    assert panel.get_by_text("通报批评").is_visible()
    panel.get_by_role("link", name="问责", exact=True).click()
    page.get_by_role("heading", name="记录问责").wait_for()
    assert _fits(page)
    page.get_by_label("记分", exact=True).check()
    page.get_by_label("记分分值").fill("4")
    page.get_by_label("事实与理由").fill("逾期 20 个工作日未办结。")
    page.get_by_role("button", name="保存问责记录").click()
    page.wait_for_url(f"{live_url}/items/{case.code}")
    assert page.get_by_text("已记录：张伟 记分 4 分").is_visible()
    page.locator("section", has=page.get_by_role("heading", name="问责")).get_by_role(
        "link", name="张伟（城关派出所 所长）").click()
    page.get_by_role("heading", name=f"{this_year}年记分：4 分").wait_for()
    assert _fits(page)
    page.goto(f"{live_url}/accountability/?year={this_year}")
    page.get_by_role("heading", name=f"{this_year}年：2 人次，4 分").wait_for()
    assert _fits(page)
    context.close()
