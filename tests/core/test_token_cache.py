"""A worker remembers a valid Bearer token for API_TOKEN_CACHE_SECONDS: revoking it in the
same worker ends it at once, in another worker (here: directly in the database) within that
time; disabling the account ends every token."""

from __future__ import annotations

import time

from sqlalchemy import update

from webapp.auth.models import ApiToken
from webapp.database import utcnow
from webapp.extensions import db


def test_revoked_here_is_refused_at_once(client, office, api_headers):
    headers = api_headers(office)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_revoked_elsewhere_is_refused_within_the_cache_time(app, client, office, api_headers,
                                                           monkeypatch):
    monkeypatch.setitem(app.config, "API_TOKEN_CACHE_SECONDS", 1)
    headers = api_headers(office)
    assert client.get("/api/v1/me", headers=headers).json["username"] == "office"
    with app.app_context():  # another worker revokes it
        db.session.execute(update(ApiToken).values(revoked_at=utcnow()))
        db.session.commit()
    # This worker still remembers it (no lookup per request)…
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    time.sleep(1.1)  # … for one second here
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_remembered_token_gives_the_same_user(client, office, liaison_a, api_headers):
    office_headers, unit_headers = api_headers(office), api_headers(liaison_a)
    for _ in range(3):
        assert client.get("/api/v1/me", headers=office_headers).json["role"] == "office"
        me = client.get("/api/v1/me", headers=unit_headers).json
        assert (me["username"], me["unit_name"]) == ("liaison_a", "城关派出所")


def test_disabling_the_account_ends_its_tokens(app, client, admin, liaison_a, api_headers):
    from tests.helpers import login

    headers = api_headers(liaison_a)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    page = login(app.test_client(), admin)
    assert page.post(f"/admin/users/{liaison_a.id}/active",
                     data={"active": "0"}).status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
