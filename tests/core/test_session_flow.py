"""When the session ends: a form sent afterwards leads to the login page and back to the page
the form was on (never to its POST-only URL); the idle clock can be asked without moving it
and kept alive on purpose; forms sent by the pages' script learn where a redirect goes."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers import login


def _next(resp) -> str:
    assert resp.status_code == 302
    url = urlsplit(resp.headers["Location"])
    assert url.path == "/login"
    return parse_qs(url.query)["next"][0]


def _expire(client, minutes: int = 31) -> None:
    with client.session_transaction() as sess:
        sess["seen_at"] -= minutes * 60


def _flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as sess:
        return list(sess.get("_flashes", []))


@pytest.fixture
def expired(client, liaison_a, make_item):
    code = make_item("in_progress")
    login(client, liaison_a)
    _expire(client)
    return code


def test_a_form_sent_after_the_timeout_returns_to_its_page_after_login(client, liaison_a,
                                                                        expired):
    code = expired
    form = {"kind": "progress", "actions_taken": "已排查三个窗口"}
    resp = client.post(f"/items/{code}/feedback", data=form,
                       headers={"Referer": f"http://localhost/items/{code}"})
    assert _next(resp) == f"/items/{code}"
    assert ("warning", "登录已超时，请重新登录。刚才的提交没有保存，登录后将回到原页面。") in \
        _flashes(client)
    resp = client.post("/login", data={"username": liaison_a.username,
                                       "password": liaison_a.password, "next": f"/items/{code}"})
    assert resp.headers["Location"] == f"/items/{code}"
    assert client.get(resp.headers["Location"]).status_code == 200  # the page, not a 405


@pytest.mark.parametrize(
    ("path", "referer", "expected"),
    [
        ("feedback", None, "/items/{code}"),  # no Referer: the nearest page above the URL
        ("hand-back/decide", None, "/items/{code}"),
        ("feedback", "http://localhost/items/{code}/feedback", "/items/{code}"),  # POST-only
        ("feedback", "http://evil.example/items/{code}", "/items/{code}"),  # another site
        ("feedback", "http://localhost/items/?state=overdue", "/items/?state=overdue"),
        ("feedback", "http://localhost/login?next=/x", "/items/{code}"),
    ],
)
def test_next_is_a_page_that_opens_with_get(client, expired, path, referer, expected):
    headers = {"Referer": referer.format(code=expired)} if referer else {}
    resp = client.post(f"/items/{expired}/{path}", data={}, headers=headers)
    assert _next(resp) == expected.format(code=expired)


def test_a_page_opened_after_the_timeout_comes_back_with_its_query(client, expired):
    assert _next(client.get("/items/?light=red&page=2")) == "/items/?light=red&page=2"
    assert ("warning", "登录已超时，请重新登录。") in _flashes(client)


def test_never_signed_in_is_asked_to_log_in(client, make_item):
    code = make_item("assigned")
    assert _next(client.post(f"/items/{code}/acknowledge")) == f"/items/{code}"
    assert ("warning", "请先登录") in _flashes(client)


def test_the_status_does_not_move_the_idle_clock_but_keep_alive_does(client, office):
    login(client, office)
    _expire(client, minutes=25)
    first = client.get("/session").json
    assert first["authenticated"] is True
    assert 290 <= first["idle_left"] <= 300
    assert 11 * 3600 < first["absolute_left"] <= 12 * 3600
    assert 290 <= client.get("/session").json["idle_left"] <= 300  # asking is not activity
    resp = client.post("/session/keep-alive")
    assert resp.status_code == 200 and resp.json["idle_left"] >= 1790
    assert client.get("/session").json["idle_left"] >= 1790
    _expire(client)
    assert client.get("/session").json == {"authenticated": False}
    assert client.post("/session/keep-alive").status_code == 401
    assert client.get("/password").status_code == 302  # the keep-alive came too late


def test_an_ordinary_page_still_counts_as_activity(client, office):
    login(client, office)
    _expire(client, minutes=25)
    client.get("/password")
    assert client.get("/session").json["idle_left"] >= 1790


def test_keep_alive_needs_the_csrf_token(client, office, csrf_on):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    client.post("/login", data={"username": office.username, "password": office.password,
                                "csrf_token": token})
    assert client.post("/session/keep-alive").status_code == 400
    page = client.get("/password").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)[1]
    assert client.post("/session/keep-alive", headers={"X-CSRFToken": token}).status_code == 200


def test_a_form_without_a_session_cookie_leads_to_login_not_an_error(client, make_item,
                                                                      csrf_on):
    code = make_item("in_progress")
    resp = client.post(f"/items/{code}/extension", data={"reason": "x"},
                       headers={"Referer": f"http://localhost/items/{code}"})
    assert _next(resp) == f"/items/{code}"


def test_a_stale_login_page_is_shown_again_with_a_message(client, office, csrf_on):
    resp = client.post("/login", data={"username": office.username, "password": "x",
                                       "next": "/items/"})
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "页面已过期" in page and 'value="/items/"' in page and 'value="office"' in page


def test_a_script_sent_form_learns_where_the_redirect_goes(client, liaison_a, make_item):
    code = make_item("in_progress")
    login(client, liaison_a)
    resp = client.post(f"/items/{code}/feedback", headers={"X-Duban-Form": "1"},
                       data={"kind": "progress", "actions_taken": "已排查"})
    assert resp.status_code == 200 and "Location" not in resp.headers
    assert resp.headers["X-Duban-Location"] == f"/items/{code}"
    page = client.get(f"/items/{code}").get_data(as_text=True)
    assert "反馈已提交" in page  # the flash message was not used up on the way
    assert f'data-sent-form="/items/{code}/feedback"' in page
    assert 'data-sent-form=""' in client.get(f"/items/{code}").get_data(as_text=True)  # once
    refused = client.post(f"/items/{code}/feedback", headers={"X-Duban-Form": "1"},
                          data={"kind": "final", "actions_taken": "x"})
    assert refused.status_code == 422 and "X-Duban-Location" not in refused.headers
    _expire(client)
    resp = client.post(f"/items/{code}/feedback", headers={"X-Duban-Form": "1",
                                                           "Referer": f"http://localhost/items/{code}"},
                       data={"kind": "progress", "actions_taken": "再排查"})
    assert resp.status_code == 200
    assert resp.headers["X-Duban-Location"] == f"/login?next=%2Fitems%2F{code}"


def test_pages_load_their_scripts_from_static_and_none_inline(client, office):
    login(client, office)
    page = client.get("/items/").get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert {re.search(r'src="([^"]+)"', attrs)[1] for attrs, _ in scripts} == {
        "/static/js/drafts.js", "/static/js/session.js", "/static/js/upload.js"}
    assert all(text.strip() == "" for _, text in scripts)
    assert "script-src 'self'" in client.get("/items/").headers["Content-Security-Policy"]
    assert 'data-idle-seconds="1800"' in page and f'data-user="{office.id}"' in page
    for name in ("drafts", "session", "upload"):
        resp = client.get(f"/static/js/{name}.js")
        assert resp.status_code == 200 and "javascript" in resp.headers["Content-Type"]
        resp.close()
