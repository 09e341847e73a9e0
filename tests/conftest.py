"""Shared fixtures: one app and one database per test session, emptied after every test.

Conventions (see tests/README.md):
- There is no ambient app context: a test that reads or writes the database directly does so
  in `with app.app_context():` (or the `in_app` helper), so a request made by `client` always
  runs in its own app context and database session, as in production.
- Persona fixtures (`office`, `leader`, `admin`, `inspector`, `liaison_a`, `liaison_b`) are
  plain records with id, username, password, role and unit_id; `login(client, persona)` logs
  a test client in; `api_headers(persona)` gives Bearer headers for the JSON API.
- The database is SQLite in a temporary folder, or the PostgreSQL server named by
  TEST_DATABASE_URL, where a fresh database is created for the run and dropped after it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.helpers import PASSWORD, Persona, UnitRef
from webapp import create_app
from webapp.auth.models import Role
from webapp.extensions import db

pytest_plugins = ["tests.browser"]


def _postgres_database(base_url: str) -> tuple[str, callable]:
    """Create a fresh database on the server of `base_url`; return its URL and a dropper."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"duban_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("duban")
    base = os.environ.get("TEST_DATABASE_URL")
    drop = None
    if base:
        uri, drop = _postgres_database(base)
    else:
        uri = f"sqlite:///{tmp / 'test.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "AUDIT_HMAC_KEY": "test-audit-key",
            "SQLALCHEMY_DATABASE_URI": uri,
            "UPLOAD_ROOT": str(tmp / "uploads"),
            "AUDIT_ANCHOR_FILE": str(tmp / "anchors" / "audit-anchors.log"),
            "WTF_CSRF_ENABLED": False,  # the csrf_on fixture turns it on for CSRF tests
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",  # fast in tests; production: default
            "SESSION_COOKIE_SECURE": False,
            # Tests change columns directly (past dates), which production never does without
            # an audit event: the statistics cache is tested on its own (test_stats_cache).
            "STATS_CACHE": False,
        }
    )
    app.instance_path = str(tmp / "instance")
    Path(app.instance_path).mkdir()
    with app.app_context():
        from webapp.database import upgrade_schema

        upgrade_schema()
    yield app
    with app.app_context():
        db.engine.dispose()
    if drop:
        drop()


def _empty_database() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        db.session.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))
    else:
        from webapp.audit.models import SQLITE_GUARD

        db.session.execute(text("DROP TRIGGER IF EXISTS audit_event_no_update"))
        db.session.execute(text("DROP TRIGGER IF EXISTS audit_event_no_delete"))
        for table in tables:
            db.session.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (our table names)
        for sql in SQLITE_GUARD:
            db.session.execute(text(sql))
    db.session.commit()


@pytest.fixture(autouse=True)
def _clean(app) -> Iterator[None]:
    yield
    with app.app_context():
        _empty_database()
    shutil.rmtree(app.config["UPLOAD_ROOT"], ignore_errors=True)
    Path(app.config["AUDIT_ANCHOR_FILE"]).unlink(missing_ok=True)  # anchors of this test's chain
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def in_app(app):
    """Run a function in a fresh app context (its own session) and return its result."""

    def run(fn, *args, **kwargs):
        with app.app_context():
            return fn(*args, **kwargs)

    return run


# --- personas ---------------------------------------------------------------------------


@pytest.fixture
def units(app) -> dict[str, UnitRef]:
    """Two units: A (a police station) and B (the traffic brigade), plus a window unit W."""
    from webapp.org.models import Unit, UnitKind

    with app.app_context():
        rows = {
            "A": Unit(code="PCS-A", name="城关派出所", kind=UnitKind.POLICE_STATION),
            "B": Unit(code="JJ-B", name="交警大队", kind=UnitKind.TRAFFIC),
            "W": Unit(code="HZ-W", name="户政服务窗口", kind=UnitKind.WINDOW),
        }
        db.session.add_all(rows.values())
        db.session.commit()
        return {k: UnitRef(u.id, u.code, u.name) for k, u in rows.items()}


@pytest.fixture
def make_user(app):
    from webapp.auth import services
    from webapp.org.models import Unit

    def make(username: str, role: Role, unit_id: int | None = None, name: str | None = None):
        with app.app_context():
            unit = db.session.get(Unit, unit_id) if unit_id else None
            user = services.create_user(username=username, name=name or username, role=role,
                                        password=PASSWORD, unit=unit)
            db.session.commit()
            return Persona(user.id, username, PASSWORD, role, unit_id, user.name)

    return make


@pytest.fixture
def office(make_user):
    return make_user("office", Role.OFFICE, name="王督办")


@pytest.fixture
def leader(make_user):
    return make_user("leader", Role.LEADER, name="李局长")


@pytest.fixture
def admin(make_user):
    return make_user("admin", Role.ADMIN, name="管理员")


@pytest.fixture
def inspector(make_user):
    return make_user("inspector", Role.INSPECTOR, name="赵督查")


@pytest.fixture
def liaison_a(make_user, units):
    return make_user("liaison_a", Role.LIAISON, units["A"].id, name="陈联络")


@pytest.fixture
def liaison_b(make_user, units):
    return make_user("liaison_b", Role.LIAISON, units["B"].id, name="刘联络")


@pytest.fixture
def api_headers(client):
    """Bearer headers for a persona, from the real token endpoint."""

    def headers(persona: Persona) -> dict[str, str]:
        resp = client.post("/api/v1/auth/token",
                           json={"username": persona.username, "password": persona.password})
        assert resp.status_code == 200, resp.json
        return {"Authorization": f"Bearer {resp.json['access_token']}"}

    return headers


# --- supervision items ---------------------------------------------------------------------

# How far along the life cycle make_item goes for each target state.
_STEPS = ["registered", "assigned", "in_progress", "under_review", "closed"]
# States of the bureau's workflow around an item (issue 11), each reached from one of _STEPS:
# awaiting_approval (立项 asked), approval_returned (registered, 立项 returned by the leader),
# split (分解 into sub-items of units A and B), awaiting_confirmation (a 批示 item accepted while
# the policy asks 李局长's 复核).
_FLOW = {"awaiting_approval": "registered", "approval_returned": "registered",
         "split": "registered", "awaiting_confirmation": "closed"}


@pytest.fixture
def make_item(app, office, units, liaison_a):
    """make_item(state="in_progress", **overrides) -> item code, driven through the real
    services (so audit events and timestamps are as in life). Lead unit A by default."""
    from datetime import timedelta

    from webapp.auth.models import User
    from webapp.database import local_today
    from webapp.supervision import services
    from webapp.supervision.models import FeedbackKind, Source, SupervisionItem

    def _liaison_of(unit_id: int) -> User:
        from sqlalchemy import select

        from webapp.auth import services as auth

        user = db.session.scalar(select(User).where(User.role == Role.LIAISON,
                                                    User.unit_id == unit_id).order_by(User.id))
        if user is None:
            from webapp.org.models import Unit

            user = auth.create_user(username=f"liaison_u{unit_id}", name="联络员",
                                    role=Role.LIAISON, password=PASSWORD,
                                    unit=db.session.get(Unit, unit_id))
        return user

    def make(state: str = "in_progress", **overrides) -> str:
        from webapp.supervision import approval, policy, split

        flow, state = state, _FLOW.get(state, state)
        with app.app_context():
            actor = db.session.get(User, office.id)
            confirm = flow == "awaiting_confirmation"
            if confirm:
                policy.update(actor=None, approval_sources=[], confirm_instructions=True,
                              adjust_needs_approval=False)
            source = Source(overrides.pop("source", Source.LEADER_INSTRUCTION if confirm
                                          else Source.COMPLAINT))
            item = services.register_item(
                actor=actor,
                title=overrides.pop("title", "整改户籍窗口群众排队时间过长问题"),
                content=overrides.pop("content", "群众反映户籍窗口排队超过一小时，请查明原因。"),
                source=source,
                # a 批示 item: 李局长's (the leader persona's) instruction at registration
                **({"instruction_text": overrides.pop("instruction", "请抓紧整改。"),
                    "instruction_leader": overrides.pop("instruction_leader", "李局长"),
                    "instruction_date": local_today()}
                   if source == Source.LEADER_INSTRUCTION else {}),
            )
            if flow in ("awaiting_approval", "approval_returned"):
                item.approval_required = True  # as the admin's policy would have it
                db.session.flush()  # before the gate re-reads the row
            if flow == "awaiting_approval":
                approval.submit_approval(item, actor=actor)
            elif flow == "approval_returned":
                item.approval_note = "请补充上级来文依据"
            elif flow == "split":
                later = local_today() + timedelta(days=10)
                split.split_item(item, actor=actor, children=[
                    split.Child(lead_unit=units[u].id, due_date=later,
                                first_responsible="张所长", direct_responsible="李副所长")
                    for u in ("A", "B")])
            if state == "cancelled":
                services.cancel_item(item, actor=actor, reason="重复登记")
            elif _STEPS.index(state) >= 1:
                services.assign_item(
                    item, actor=actor,
                    lead_unit=overrides.pop("lead_unit_id", units["A"].id),
                    due_date=local_today() + timedelta(days=10),
                    assisting_units=overrides.pop("assisting_unit_ids", ()),
                    first_responsible="张所长", direct_responsible="李副所长",
                )
            if state in _STEPS and _STEPS.index(state) >= 2:
                liaison = _liaison_of(item.lead_unit_id)
                services.acknowledge_item(item, actor=liaison)
            if state in _STEPS and _STEPS.index(state) >= 3:
                services.submit_feedback(item, actor=liaison, kind=FeedbackKind.FINAL,
                                         actions_taken="增开两个窗口，实行预约办理。",
                                         result="排队时间降至二十分钟以内。")
            if state in _STEPS and _STEPS.index(state) >= 4:
                services.accept_feedback(item, actor=actor, opinion="整改到位，同意办结。")
            if "due_date" in overrides:  # also the original date, as if assigned back then
                item.original_due_date = overrides["due_date"]
            for key, value in overrides.items():  # raw column overrides, e.g. due_date in the past
                setattr(item, key, value)
            db.session.commit()
            assert isinstance(item, SupervisionItem)
            return item.code

    return make
