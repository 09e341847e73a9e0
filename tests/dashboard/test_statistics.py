"""Statistics (统计): every number that counts items opens its list with that many items, for
each grouping; the Excel holds exactly the page's table; a typed date means a custom period."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.helpers import login
from webapp.database import local_today


class _Table(HTMLParser):
    """The cells' text of the statistics table, row by row."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.inside = self.cell = False
        self.caption = False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("class", "stats-table") in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = True
            self.rows[-1].append("")
        elif tag == "caption":
            self.caption = True

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif tag in ("td", "th"):
            self.cell = False
        elif tag == "caption":
            self.caption = False

    def handle_data(self, data):
        if self.inside and self.cell and not self.caption:
            self.rows[-1][-1] += data.strip()


def _period(app) -> str:
    with app.app_context():
        today = local_today()
    return (f"period=custom&start={(today - timedelta(days=365)).isoformat()}"
            f"&end={(today + timedelta(days=40)).isoformat()}")


GROUPS = ["unit", "first_responsible", "direct_responsible", "source"]


@pytest.mark.parametrize("group", GROUPS)
def test_every_number_opens_its_list(app, client, api_headers, office, world, group):
    login(client, office)
    html = client.get(f"/statistics?{_period(app)}&group={group}").get_data(as_text=True)
    links = re.findall(r'<a class="figure" href="([^"]+)" data-api="([^"]+)" '
                       r'data-value="(\d+)">', html)
    assert len(links) >= 8  # four numbers a line, a line or more and the totals
    assert any(int(v) > 0 for _, _, v in links)
    headers = api_headers(office)
    for page, api, value in links:
        resp = client.get(unescape(api) + "&per_page=1", headers=headers)
        assert resp.status_code == 200, resp.json
        assert resp.json["total"] == int(value), (unescape(page), value)
    # the page behind a link says the same
    page, _, value = links[0]
    assert f"共 {value} 项" in client.get(unescape(page)).get_data(as_text=True)


def test_moved_item_counts_for_the_unit_that_had_it(app, client, api_headers, office, world,
                                                     units):
    login(client, office)
    html = client.get(f"/statistics?{_period(app)}&group=unit").get_data(as_text=True)
    key = units["A"].id
    m = re.search(rf'key={key}" data-api="[^"]+" data-value="(\d+)"', html)
    assert m
    # unit A: due in the year: overdue_3, overdue_200, on_time, moved (then at A), soon, later
    due_a = re.search(rf'href="([^"]*figure=due[^"]*key={key})" data-api="([^"]+)" '
                      r'data-value="(\d+)"', html)
    codes = [i["code"] for i in client.get(unescape(due_a[2]) + "&per_page=100",
                                           headers=api_headers(office)).json["items"]]
    assert world["moved"] in codes and len(codes) == int(due_a[3])


@pytest.mark.parametrize("group", GROUPS)
def test_excel_is_the_page_table(app, client, office, world, group):
    login(client, office)
    query = f"{_period(app)}&group={group}"
    parser = _Table()
    parser.feed(client.get(f"/statistics?{query}").get_data(as_text=True))
    page_rows = parser.rows
    ws = load_workbook(BytesIO(client.get(f"/statistics/export.xlsx?{query}").data)).active

    def shown(cell):
        if cell.value is None:
            return "—"
        if cell.number_format == "0.0%":
            return f"{cell.value * 100:.1f}%"
        if cell.number_format == "0.0":
            return f"{cell.value:.1f}"
        return str(cell.value)

    excel_rows = [[shown(c) for c in row] for row in ws.iter_rows(min_row=2)]
    assert len(page_rows) >= 3
    assert excel_rows == page_rows


def test_a_typed_date_means_a_custom_period(app, client, office):
    login(client, office)
    html = client.get("/statistics?period=month&start=2025-01-01&end=2025-02-28") \
        .get_data(as_text=True)
    assert "<strong>2025-01-01</strong> 至 <strong>2025-02-28</strong>" in html
    assert '<option value="custom" selected>' in html
    xlsx = client.get("/statistics/export.xlsx?period=month&start=2025-01-01&end=2025-02-28")
    assert "2025-01-01-2025-02-28" in xlsx.headers["Content-Disposition"]
    # the period's own bounds, as the form sends them, keep the chosen period
    with app.app_context():
        year = local_today().year
    html = client.get(f"/statistics?period=year&start={year}-01-01&end={year}-12-31") \
        .get_data(as_text=True)
    assert '<option value="year" selected>' in html
