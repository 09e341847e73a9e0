"""Headers, errors, schema and audit chain: the platform every domain stands on."""


from sqlalchemy import text

from tests.core.tampering import tamper as _tamper
from tests.helpers import login
from webapp.extensions import db


def test_security_headers(client):
    resp = client.get("/login")
    csp = resp.headers["Content-Security-Policy"]
    for part in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'",
                 "worker-src 'self'", "manifest-src 'self'"):
        assert part in csp
    assert "unsafe-inline" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"]


def test_session_cookie_flags(client, office):
    resp = client.post("/login", data={"username": office.username, "password": office.password})
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_api_errors_are_json(client, office, api_headers):
    resp = client.get("/api/v1/nothing-here", headers=api_headers(office))
    assert resp.status_code == 404
    assert resp.json["error"]["code"] == "not_found"
    assert resp.headers["Cache-Control"] == "no-store"


def test_api_requires_authentication(client):
    resp = client.get("/api/v1/me")
    assert resp.status_code == 401 and resp.json["error"]["message"]


def test_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert "/auth/token" in doc["paths"]


def test_migrations_match_the_models(app):
    """The schema built by the migrations is the schema the models describe."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context(), db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, db.metadata)
    assert diff == []


def test_sqlite_pragmas(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_audit_chain_verifies_and_names_a_tampered_event(app, runner, office, client):
    login(client, office)
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0, result.output
    assert "审计链完好" in result.output
    with app.app_context():
        first_id = db.session.execute(text("SELECT min(id) FROM audit_event")).scalar()
        _tamper(f"UPDATE audit_event SET action = 'forged' WHERE id = {int(first_id)}")  # noqa: S608
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert f"#{first_id}" in result.output


def test_audit_events_cannot_be_updated_or_deleted(app, office):
    import pytest
    from sqlalchemy.exc import DBAPIError

    with app.app_context():
        for sql in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"):
            with pytest.raises(DBAPIError):
                db.session.execute(text(sql))
            db.session.rollback()


def test_log_lines_cannot_be_forged():
    import logging

    from webapp.logs import SingleLineFormatter

    record = logging.LogRecord("webapp", logging.WARNING, __file__, 1,
                               "login failed for %s", ("eve\n2026-01-01 INFO admin logged in",),
                               None)
    line = SingleLineFormatter("%(levelname)s %(message)s").format(record)
    assert "\n" not in line
    assert "eve\\x0a2026-01-01" in line


def test_every_api_blueprint_leaves_csrf_to_the_api_gate(app):
    """Bearer clients need no CSRF token on any API route; cookie calls are checked by the
    parent blueprint's before_request (tested per domain)."""
    from webapp.extensions import csrf

    children = [bp for name, bp in app.blueprints.items() if name.startswith("api.")]
    assert children
    assert all(bp in csrf._exempt_blueprints for bp in children)


def test_migrations_have_a_single_head(app):
    from alembic.script import ScriptDirectory

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_text_with_a_lone_surrogate_is_refused_at_input():
    import pytest

    from webapp.errors import InvalidInput
    from webapp.validation import clean_text

    with pytest.raises(InvalidInput, match="无效字符"):
        clean_text("违停\ud800", field="title", label="标题")
