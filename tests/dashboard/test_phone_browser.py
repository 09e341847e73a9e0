"""At a 360 px phone's width, in a real Chromium: the dashboard and the statistics fit — no
sideways scrolling of the page (a wide table scrolls inside its own box), unit names are not
one character a line, and the charts' bars are links."""

from __future__ import annotations

import pytest

from tests.browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def narrow(page, live_url):
    page.set_default_timeout(15_000)
    page.set_viewport_size({"width": 360, "height": 740})
    return page


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    inner = page.evaluate("() => window.innerWidth")
    assert inner == 360
    assert width <= inner, f"page is {width} px wide at {inner} px"


@pytest.mark.parametrize("persona", ["leader", "office"])
def test_dashboard_fits_a_phone(narrow, live_url, world, request, persona):
    log_in(narrow, live_url, request.getfixturevalue(persona), "/dashboard")
    assert narrow.locator("svg.chart").count() >= 6
    _no_sideways_scroll(narrow)
    # every chart is as wide as the screen allows, and its bars open lists
    for box in narrow.locator("svg.chart").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().right)"):
        assert box <= 360
    bar = narrow.locator("svg.chart a.chart-bar").first
    href = bar.get_attribute("href")
    assert href.startswith(("/items", "/inspections"))
    narrow.goto(live_url + href)
    assert "统计数字" in narrow.locator("#figure-note").inner_text()


@pytest.mark.parametrize("group", ["unit", "first_responsible", "source"])
def test_statistics_fit_a_phone(narrow, live_url, world, office, group):
    log_in(narrow, live_url, office, "/statistics")
    narrow.goto(f"{live_url}/statistics?group={group}&period=year")
    _no_sideways_scroll(narrow)
    # the row names: several characters a line, not one
    widths = narrow.locator(".stats-table tbody th[scope=row]").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().width)")
    assert widths and min(widths) >= 80
    # the explanation is all in view, not cut off at the table's edge
    note = narrow.locator("#stats-note").bounding_box()
    assert note["x"] >= 0 and note["x"] + note["width"] <= 360
