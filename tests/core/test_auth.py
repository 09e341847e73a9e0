"""Login, sessions, tokens, throttling and password rules."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers import login
from webapp.auth.models import LoginAttempt, User
from webapp.database import utcnow
from webapp.extensions import db


def test_login_page_is_chinese_and_has_csrf_field(client, csrf_on):
    html = client.get("/login").get_data(as_text=True)
    assert "登录督办系统" in html
    assert 'name="csrf_token"' in html


def test_login_then_logout_invalidates_the_old_cookie(app, client, office):
    login(client, office)
    assert client.get("/password").status_code == 200
    stolen = client.get_cookie("session").value
    client.post("/logout")
    other = app.test_client()
    other.set_cookie("session", stolen)
    resp = other.get("/password")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_wrong_password_is_refused_and_logged(app, client, office):
    resp = client.post("/login", data={"username": "office", "password": "nope-nope-nope"})
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(select(LoginAttempt)).all()
        assert [(r.username, r.outcome) for r in rows] == [("office", "failure")]


def test_failures_bring_an_increasing_delay(app, client, office):
    for _ in range(3):
        assert client.post("/login", data={"username": "office", "password": "x" * 12}
                           ).status_code == 401
    resp = client.post("/login", data={"username": "office", "password": office.password})
    assert resp.status_code == 429
    assert "秒后再试" in resp.get_data(as_text=True)
    with app.app_context():  # the throttled attempt is recorded, but was not evaluated
        outcomes = db.session.scalars(select(LoginAttempt.outcome).order_by(LoginAttempt.id))
        assert list(outcomes) == ["failure"] * 3 + ["throttled"]


def test_at_most_100_failures_an_hour_per_account(app, client, office):
    """Past the longest delay, the hourly cap still holds: Retry-After says when the oldest
    failure leaves the hour."""
    with app.app_context():
        old = utcnow() - timedelta(minutes=30)
        db.session.add_all(LoginAttempt(username="office", outcome="failure", purpose="login",
                                        at=old) for _ in range(100))
        db.session.commit()
    resp = client.post("/login", data={"username": "office", "password": office.password})
    assert resp.status_code == 429
    assert 1790 <= int(resp.headers["Retry-After"]) <= 1800


def test_password_change_ends_other_sessions(app, client, office):
    login(client, office)
    other = app.test_client()
    login(other, office)
    resp = client.post("/password", data={"old_password": office.password,
                                          "new_password": "a much longer passphrase"})
    assert resp.status_code == 302
    assert other.get("/password").status_code == 302  # sent back to login
    assert client.get("/password").status_code == 200  # the changing session continues


@pytest.mark.parametrize(("password", "ok"), [
    ("short", False), ("x" * 129, False), ("qwerty123456", False), ("aaaaaaaaaaaa", False),
    ("十二个字的中文密码也可以的吧", True), ("a perfectly fine pass", True),
])
def test_password_policy(password, ok):
    from webapp.auth.passwords import check_policy
    from webapp.errors import InvalidInput

    if ok:
        check_policy(password)
    else:
        with pytest.raises(InvalidInput):
            check_policy(password)


def test_idle_session_expires(app, client, office):
    login(client, office)
    with client.session_transaction() as sess:
        sess["seen_at"] -= 31 * 60
    assert client.get("/password").status_code == 302


def test_disabled_user_loses_session_and_token(app, client, office, api_headers):
    from webapp.auth import services

    headers = api_headers(office)
    login(client, office)
    with app.app_context():
        user = db.session.get(User, office.id)
        services.set_active(user, False, actor=user)
        db.session.commit()
    assert client.get("/password").status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_token_endpoint_and_bad_token(client, office, api_headers):
    headers = api_headers(office)
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json["role"] == "office"
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json["error"]["code"] == "unauthorized"
    assert client.post("/api/v1/auth/token", json={"username": "office"}).status_code == 400


def test_csrf_required_on_forms_and_session_api_calls(client, office, csrf_on):
    resp = client.post("/login", data={"username": office.username, "password": office.password})
    assert resp.status_code == 400


def test_ordinary_requests_do_not_rewrite_the_session_cookie(client, office):
    """Concurrent requests that each re-sent the cookie would overwrite one another's session
    (a CSRF token fetched by one lost by the other): a plain page view leaves it alone."""
    login(client, office)
    client.get("/password")
    resp = client.get("/password")
    assert resp.status_code == 200
    assert "Set-Cookie" not in resp.headers


def test_login_page_lists_demo_accounts_only_in_demo_mode(app, client):
    assert "duban-demo-2026" not in client.get("/login").get_data(as_text=True)
    app.config["DEMO_MODE"] = True
    try:
        assert "duban-demo-2026" in client.get("/login").get_data(as_text=True)
    finally:
        app.config["DEMO_MODE"] = False
