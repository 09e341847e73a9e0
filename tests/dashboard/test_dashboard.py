"""领导驾驶舱: every number and every bar opens the list that produced it, and that list's
total equals the number — on the page and in the API."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.helpers import login


def _api_total(client, headers, href: str) -> int:
    resp = client.get(href + ("&" if "?" in href else "?") + "per_page=1", headers=headers)
    assert resp.status_code == 200, (href, resp.json)
    return resp.json["total"]


def test_every_api_figure_equals_its_list(client, api_headers, leader, world):
    headers = api_headers(leader)
    resp = client.get("/api/v1/dashboard", headers=headers)
    assert resp.status_code == 200, resp.json
    figures = resp.json["figures"]
    by_label = {f["label"]: f["value"] for f in figures}
    # the world shows in every part
    assert by_label["当前逾期"] == 6  # 3, 20, 50, 200 days, the late review, the sub-item
    assert by_label["即将到期"] == 2
    assert by_label["逾期1—7天"] == 2 and by_label["逾期8—30天"] == 2
    assert by_label["逾期31—90天"] == 1 and by_label["逾期90天以上"] == 1
    assert by_label["同一地点再次发现问题"] == 1
    assert by_label["检查次数"] == 6  # the draft does not count
    assert by_label["城关派出所应办结"] >= 3  # the moved item counts for A, which had it
    assert by_label["交警大队当前逾期"] == 2
    assert any(f["section"] == "来源" and f["value"] for f in figures)
    assert any(f["section"] == "问题类别" for f in figures)
    checked = 0
    for f in figures:
        assert f["href"].startswith(("/api/v1/items?", "/api/v1/inspections?")), f
        assert _api_total(client, headers, f["href"]) == f["value"], f
        checked += 1
    assert checked > 40


def _links(html: str) -> list[tuple[str, int | None, str | None]]:
    out = []
    for m in re.finditer(r'<a class="(?:figure|card dash-card)" href="([^"]+)" '
                         r'data-value="(\d+)" data-api="([^"]+)"', html):
        out.append((unescape(m[1]), int(m[2]), unescape(m[3])))
    return out


def test_every_page_number_and_bar_opens_its_list(client, api_headers, office, world):
    login(client, office)
    html = client.get("/dashboard").get_data(as_text=True)
    numbers = _links(html)
    assert len(numbers) >= 10
    headers = api_headers(office)
    pages = set()
    for page, value, api in numbers:
        assert _api_total(client, headers, api) == value, (page, value)
        pages.add(page)
    # every bar of every chart is a link to a list page
    bars = [unescape(h) for h in re.findall(r'<a href="([^"]+)" class="chart-bar">', html)]
    assert len(bars) >= 12
    api_of = {f["page"]: f for f in client.get("/api/v1/dashboard",
                                                 headers=headers).json["figures"]}
    for href in bars:
        assert href in api_of, href
        f = api_of[href]
        assert _api_total(client, headers, f["href"]) == f["value"]
    # and the pages themselves say the same number
    for page, value, _ in numbers[:8]:
        body = client.get(page).get_data(as_text=True)
        if page.startswith("/items"):
            assert f"共 {value} 项" in body, page
        else:
            assert f"共 {value} 条检查记录" in body, page


def test_charts_are_readable_svg(client, leader, world):
    login(client, leader)
    html = client.get("/dashboard").get_data(as_text=True)
    assert html.count("<svg") >= 6
    assert 'viewBox="0 0 320' in html and 'width="100%"' in html
    assert "<title" in html and "近12个月报结率与按期办结率" in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]


@pytest.mark.parametrize("persona", ["liaison_a", "inspector", "admin"])
def test_others_are_refused(client, api_headers, request, persona):
    who = request.getfixturevalue(persona)
    login(client, who)
    assert client.get("/dashboard").status_code == 403
    assert client.get("/api/v1/dashboard", headers=api_headers(who)).status_code == 403


def test_bad_figure_arguments_are_refused(client, api_headers, office):
    headers = api_headers(office)
    assert client.get("/api/v1/items?figure=due", headers=headers).status_code == 422
    assert client.get("/api/v1/items?figure=open&group=unit&key=x",
                      headers=headers).status_code == 422
    assert client.get("/api/v1/items?figure=nope", headers=headers).status_code == 422
