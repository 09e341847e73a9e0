"""督办单: an item on one A4 page without the menus — checked in the HTML, and printed to PDF
by a real Chromium."""

from __future__ import annotations

from io import BytesIO

import pdfplumber
import pytest
from sqlalchemy import select

from tests.browser import log_in
from tests.helpers import login
from webapp.extensions import db
from webapp.supervision.models import SupervisionItem


def _long_item(app, make_item) -> str:
    code = make_item("under_review", title="整改户籍窗口群众排队时间过长问题" * 3,
                     requirements="一、查明原因；二、限期整改；三、书面反馈。" * 12,
                     content="群众反映户籍窗口排队超过一小时，请查明原因。" * 40)
    return code


def test_print_page_has_the_facts_and_no_menu(app, client, make_item, office, liaison_b):
    code = make_item("closed", source="leader_instruction", instruction="请抓紧整改，按期反馈。")
    login(client, office)
    page = client.get(f"/items/{code}/print")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<nav" not in html and "主菜单" not in html and "topbar" not in html
    for text in ("督 办 单", code, "城关派出所", "张所长", "李副所长", "办理时限",
                 "请抓紧整改，按期反馈。", "李局长", "增开两个窗口，实行预约办理。", "办结反馈"):
        assert text in html, text
    with client.get("/items/ledger-static/print.css") as css:
        assert "size: A4" in css.get_data(as_text=True)
    login(client, liaison_b)
    assert client.get(f"/items/{code}/print").status_code == 404  # not their unit's
    with app.app_context():
        assert db.session.scalar(select(SupervisionItem.code)) == code


@pytest.mark.browser
def test_print_is_one_a4_page_in_chromium(app, page, live_url, make_item, office):
    page.set_default_timeout(15_000)
    code = _long_item(app, make_item)
    log_in(page, live_url, office, f"/items/{code}/print")
    assert page.locator("nav").count() == 0
    with pdfplumber.open(BytesIO(page.pdf(format="A4", prefer_css_page_size=True))) as pdf:
        assert len(pdf.pages) == 1
        sheet = pdf.pages[0]
        assert (round(sheet.width), round(sheet.height)) == (595, 842)  # A4 in points
        assert code in sheet.extract_text()
    # the item's own page, printed the same way, runs over several pages with the menu
    page.goto(f"{live_url}/items/{code}")
    with pdfplumber.open(BytesIO(page.pdf(format="A4"))) as pdf:
        assert len(pdf.pages) > 1


def test_the_item_page_links_its_print_layout(client, make_item, office):
    code = make_item("in_progress")
    login(client, office)
    page = client.get(f"/items/{code}").get_data(as_text=True)
    assert f'href="/items/{code}/print"' in page and "打印督办单" in page
