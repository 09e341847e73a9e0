"""问责 is seen only by the office and leaders (and the admin, read only): every page and API
route for every role, the item page's panel and the menu."""

from __future__ import annotations

import pytest

from tests.helpers import login

ROLES = ("office", "leader", "admin", "inspector", "liaison_a")
READ = {"office", "leader", "admin"}
WRITE = {"office", "leader"}


@pytest.fixture
def record_id(case, record_api):
    resp = record_api(case)
    assert resp.status_code == 201, resp.json
    return resp.json["id"]


def _pages(case, record_id, case_year):
    """(method, url, form, who may) — the form of a POST is valid, so 'may' means success."""
    record = {"person_id": str(case.person_id), "kind": "interview",
              "decided_on": f"{case_year}-01-02", "facts": "约谈提醒", "items": case.code}
    return [
        ("GET", "/accountability/", None, READ),
        ("GET", "/accountability/export.xlsx", None, READ),
        ("GET", f"/accountability/people/{case.person_id}", None, READ),
        ("GET", "/accountability/new", None, WRITE),
        ("GET", f"/accountability/new?item={case.code}", None, WRITE),
        ("GET", f"/accountability/new?person={case.person_id}", None, WRITE),
        ("POST", "/accountability/new", record, WRITE),
        ("POST", f"/accountability/{record_id}/revoke", {"reason": "复查有误"}, WRITE),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_pages_for_each_role(request, client, case, record_id, role, this_year):
    login(client, request.getfixturevalue(role))
    for method, url, form, allowed in _pages(case, record_id, this_year):
        resp = client.open(url, method=method, data=form)
        expected = (302 if method == "POST" else 200) if role in allowed else 403
        assert resp.status_code == expected, (role, method, url, resp.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_api_for_each_role(request, client, api_headers, case, record_id, role,
                           this_year):
    h = api_headers(request.getfixturevalue(role))
    body = {"person_id": case.person_id, "kind": "criticism",
            "decided_on": f"{this_year}-01-02", "facts": "通报批评", "items": [case.code]}
    calls = [
        ("GET", "/api/v1/accountability", None, READ, 200),
        ("GET", f"/api/v1/accountability/people/{case.person_id}", None, READ, 200),
        ("POST", "/api/v1/accountability", body, WRITE, 201),
        ("POST", f"/api/v1/accountability/{record_id}/revoke", {"reason": "复查有误"}, WRITE,
         200),
    ]
    for method, url, json, allowed, ok in calls:
        resp = client.open(url, method=method, json=json, headers=h)
        assert resp.status_code == (ok if role in allowed else 403), (role, url, resp.json)
        if role not in allowed:
            assert resp.json["error"]["code"] == "forbidden"


def test_anonymous_is_sent_to_login_and_the_api_answers_401(client, case, record_id):
    assert client.get("/accountability/").status_code == 302
    assert client.get("/api/v1/accountability").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_item_page_panel_and_menu(request, client, case, record_id, role):
    if role == "inspector":  # sees no item at all
        return
    login(client, request.getfixturevalue(role))
    page = client.get(f"/items/{case.code}").get_data(as_text=True)
    assert ('id="h-accountability"' in page) is (role in READ)
    assert (f"/accountability/people/{case.person_id}" in page) is (role in READ)
    assert (f"/accountability/new?item={case.code}" in page) is (role in WRITE)
    menu = client.get("/accountability/" if role in READ else "/items").get_data(as_text=True)
    assert ('href="/accountability/"' in menu) is (role in READ)


def test_inspector_menu_has_no_accountability(client, inspector):
    login(client, inspector)
    assert 'href="/accountability/"' not in client.get("/pwa/",
                                                        follow_redirects=True).get_data(
        as_text=True)
