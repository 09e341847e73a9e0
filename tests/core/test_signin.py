"""Sign-in hardening: no open redirect, throttling that is atomic under parallel guesses and
that a guesser cannot turn against the real user (device cookies), every attempt recorded,
the old password on /password throttled like a sign-in, durations given as numbers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from tests.helpers import login
from webapp.audit.models import AuditEvent
from webapp.auth.models import LoginAttempt
from webapp.extensions import db

WRONG = "not-the-password-at-all"


@contextmanager
def settings(app, **values):
    old = {k: app.config[k] for k in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(old)


def _attempt(client, username: str, password: str = WRONG, **extra):
    return client.post("/login", data={"username": username, "password": password, **extra})


def _outcomes(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(LoginAttempt.outcome).order_by(LoginAttempt.id)))


def _actions(app, prefix: str) -> Counter:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent.action)
                                  .where(AuditEvent.action.startswith(prefix)))
        return Counter(rows)


# --- the next parameter --------------------------------------------------------------------

OFF_SITE = [
    "/\t/evil.example", "/%09/evil.example", "/\n/evil.example", "/\r\n/evil.example",
    "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example",
    "/%5Cevil.example", "/%2F/evil.example", "/%252F%252Fevil.example", "/%2f%2fevil.example",
    "https://evil.example/", "http:/evil.example", "javascript:alert(1)", "evil.example",
    " /evil.example", "/ /evil.example", "/\x00/evil.example", "／／evil.example",
    "/\u2028/evil.example", "%2F%2Fevil.example",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_redirects_off_site(client, office, target):
    resp = _attempt(client, "office", office.password, next=target)
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/items/", "/items/?state=overdue&q=%E5%9F%8E",
                                    "/items/DB-2026-0001#timeline", "/m/"])
def test_login_returns_to_a_local_page(client, office, target):
    resp = _attempt(client, "office", office.password, next=target)
    assert resp.status_code == 302
    assert resp.headers["Location"] == target


def test_the_login_page_does_not_carry_an_off_site_next(client):
    html = client.get("/login?next=/%09/evil.example").get_data(as_text=True)
    assert "evil.example" not in html
    assert 'name="next" value="/items/"' in client.get("/login?next=/items/").get_data(
        as_text=True)


def test_odd_sign_in_input_is_refused_and_recorded_not_a_500(app, client, office):
    assert _attempt(client, "off\x00ice").status_code == 401
    resp = client.post("/api/v1/auth/token",
                       data='{"username": "office", "password": "\\ud800\\udfff\\ud800"}',
                       content_type="application/json")
    # Half a UTF-16 pair is no text at all: the body is refused before any password is
    # evaluated (400 naming the field), so it is no guess to count.
    assert resp.status_code == 400 and resp.json["error"]["field"] == "password"
    assert _outcomes(app) == ["failure"]


# --- atomic throttling under parallel guesses -----------------------------------------------


def _parallel_guesses(base: str, n: int, username: str = "office") -> tuple[Counter, float]:
    """`n` wrong guesses sent at once from `n` threads; (status counts, seconds taken)."""
    body = urllib.parse.urlencode({"username": username, "password": WRONG}).encode()
    gate, statuses = threading.Barrier(n), []

    def guess():
        gate.wait()
        try:
            with urllib.request.urlopen(f"{base}/login", data=body, timeout=60) as resp:  # noqa: S310 (our live server)
                statuses.append(resp.status)
        except urllib.error.HTTPError as err:
            statuses.append(err.code)
            err.close()

    threads = [threading.Thread(target=guess) for _ in range(n)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Counter(statuses), time.monotonic() - started


def test_forty_parallel_guesses_evaluate_no_more_than_the_free_failures(app, live_url, office):
    statuses, seconds = _parallel_guesses(live_url, 40)
    outcomes = Counter(_outcomes(app))
    # The 4th guess must wait 2 s after the 3rd: only a run slower than that may see a 4th.
    allowed = app.config["LOGIN_FREE_FAILURES"] + (seconds > 2)
    assert outcomes["failure"] <= allowed, (outcomes, seconds)
    assert outcomes["failure"] >= app.config["LOGIN_FREE_FAILURES"]
    assert statuses[401] == outcomes["failure"] and statuses[429] == 40 - statuses[401]
    assert outcomes["throttled"] == statuses[429] and "pending" not in outcomes
    # Every attempt is on record, in the login record and in the audit chain.
    assert _actions(app, "auth.login") == {"auth.login_failed": statuses[401],
                                           "auth.login_throttled": statuses[429]}


def test_the_hourly_cap_holds_exactly_under_parallel_guesses(app, live_url, office):
    with settings(app, LOGIN_FREE_FAILURES=1000, LOGIN_SOURCE_FREE_FAILURES=1000,
                  LOGIN_MAX_FAILURES_PER_HOUR=5):
        statuses, _ = _parallel_guesses(live_url, 40)
    assert statuses == {401: 5, 429: 35}
    assert Counter(_outcomes(app)) == {"failure": 5, "throttled": 35}


# --- a guesser cannot lock the real user out -------------------------------------------------


def test_a_browser_that_signed_in_before_is_not_locked_out_by_a_guesser(app, client, office):
    login(client, office)  # the real user's browser: it now carries a device cookie
    client.post("/logout")
    guesser = app.test_client()
    statuses = [_attempt(guesser, "office").status_code for _ in range(12)]
    assert statuses == [401] * 3 + [429] * 9
    assert _attempt(client, "office", office.password).status_code == 302
    # A browser the account never signed in from waits like the guesser (README, Security).
    resp = _attempt(app.test_client(), "office", office.password)
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0


def test_a_device_cookie_counts_only_for_its_own_account_and_only_when_genuine(
        app, client, office, liaison_a):
    login(client, liaison_a)
    for _ in range(3):
        _attempt(app.test_client(), "office")
    assert _attempt(client, "office", office.password).status_code == 429
    forged = app.test_client()
    forged.set_cookie("duban_device", '[["office","0123456789abcdef",1893456000]]')
    assert _attempt(forged, "office", office.password).status_code == 429


def test_a_known_device_has_its_own_limit_then_counts_as_unknown(app, client, office):
    login(client, office)
    client.post("/logout")
    device_limit = app.config["LOGIN_DEVICE_MAX_FAILURES"]
    free = app.config["LOGIN_FREE_FAILURES"]
    statuses = [_attempt(client, "office").status_code for _ in range(device_limit + free + 1)]
    assert statuses == [401] * (device_limit + free) + [429]


def test_guessing_across_accounts_from_one_source_is_throttled(app, office):
    spray = app.test_client()
    spray.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    free = app.config["LOGIN_SOURCE_FREE_FAILURES"]
    statuses = [_attempt(spray, f"user{n}").status_code for n in range(free + 1)]
    assert statuses == [401] * free + [429]
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.9.9.10"
    assert _attempt(elsewhere, "office", office.password).status_code == 302
    with app.app_context():
        ips = set(db.session.scalars(select(LoginAttempt.ip)))
    assert ips == {"10.9.9.9", "10.9.9.10"}


# --- the old password on /password -----------------------------------------------------------


def test_guessing_the_old_password_with_a_stolen_session_is_throttled_and_recorded(
        app, client, office):
    login(client, office)
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)  # not the device cookie
    new = {"new_password": "a brand new passphrase"}
    statuses = [thief.post("/password", data={"old_password": WRONG, **new}).status_code
                for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    resp = thief.post("/password", data={"old_password": office.password, **new})
    assert resp.status_code == 429 and "原密码" in resp.get_data(as_text=True)
    with app.app_context():
        rows = db.session.execute(select(LoginAttempt.purpose, LoginAttempt.outcome)
                                  .order_by(LoginAttempt.id)).all()
    assert rows[1:] == [("password", "failure")] * 3 + [("password", "throttled")] * 2
    assert _actions(app, "auth.password_check") == {"auth.password_check_failed": 3,
                                                    "auth.password_check_throttled": 2}
    # The guesses count against the account: a new browser now waits too.
    assert _attempt(app.test_client(), "office", office.password).status_code == 429
    # The real user's browser still changes the password.
    resp = client.post("/password", data={"old_password": office.password, **new})
    assert resp.status_code == 302


# --- durations from the environment ---------------------------------------------------------

_TIMEOUT_PROBE = """
from datetime import timedelta
from webapp import create_app
from webapp.auth import services
from webapp.auth.models import Role
from webapp.extensions import db

app = create_app()
assert app.config["SESSION_IDLE_TIMEOUT"] == timedelta(seconds=60)
assert app.permanent_session_lifetime == timedelta(seconds=7200)
with app.app_context():
    services.create_user(username="probe", name="probe", role=Role.OFFICE,
                         password="probe-password-123")
    db.session.commit()
client = app.test_client()
client.post("/login", data={"username": "probe", "password": "probe-password-123"})
print("fresh", client.get("/password").status_code)
with client.session_transaction() as sess:
    sess["seen_at"] -= 61
print("idle", client.get("/password").status_code)
client.post("/login", data={"username": "probe", "password": "probe-password-123"})
with client.session_transaction() as sess:
    sess["login_at"] -= 7201
print("absolute", client.get("/password").status_code)
"""


def test_session_timeouts_given_in_seconds_in_the_environment(app, tmp_path):
    """As the README documents: DUBAN_SESSION_IDLE_TIMEOUT=60 means 60 seconds."""
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "DUBAN_SECRET_KEY": "k", "DUBAN_AUDIT_HMAC_KEY": "a",
           "DUBAN_UPLOAD_ROOT": str(tmp_path / "uploads"),
           "DUBAN_AUDIT_ANCHOR_FILE": str(tmp_path / "anchors.log"),
           "DUBAN_SESSION_COOKIE_SECURE": "false", "DUBAN_WTF_CSRF_ENABLED": "false",
           "DUBAN_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
           "DUBAN_SESSION_IDLE_TIMEOUT": "60", "DUBAN_SESSION_ABSOLUTE_TIMEOUT": "7200"}
    result = subprocess.run([sys.executable, "-c", _TIMEOUT_PROBE], env=env, text=True,
                            capture_output=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["fresh", "200", "idle", "302", "absolute", "302"]


@pytest.mark.parametrize("value", ["30m", 0, -5, True, None])
def test_a_duration_that_is_not_seconds_is_refused_at_start_up(value):
    from webapp.config import ConfigError, as_duration

    with pytest.raises(ConfigError, match="SESSION_IDLE_TIMEOUT"):
        as_duration("SESSION_IDLE_TIMEOUT", value)
