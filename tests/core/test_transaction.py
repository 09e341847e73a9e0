"""One transaction boundary: the request commits once after its handler, rolls back on any
error, runs after-commit work only after a commit, and answers unexpected errors with an id."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.helpers import login
from webapp import transaction
from webapp.extensions import db
from webapp.org.models import Unit, UnitKind
from webapp.supervision import queries, views
from webapp.supervision.models import SupervisionItem

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def logged():
    """What the "webapp" loggers write (they do not propagate to the root, so not caplog)."""
    handler, logger = _Lines(), logging.getLogger("webapp")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def _units(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Unit.id)))


def test_after_commit_work_runs_only_after_a_commit(app):
    ran: list[str] = []
    with app.app_context():
        db.session.add(Unit(code="T-1", name="测试一所", kind=UnitKind.POLICE_STATION))
        transaction.after_commit(ran.append, "first")
        transaction.rollback()
        assert ran == []
        db.session.add(Unit(code="T-2", name="测试二所", kind=UnitKind.POLICE_STATION))
        transaction.after_commit(ran.append, "second")
        assert ran == []  # queued, not run
        transaction.commit()
    assert ran == ["second"]
    assert _units(app) == 1


def test_a_failing_after_commit_job_keeps_the_commit(app, logged):
    def boom():
        db.session.add(Unit(code="T-9", name="不应保存", kind=UnitKind.POLICE_STATION))
        db.session.flush()
        raise RuntimeError("renderer fell over")

    with app.app_context():
        db.session.add(Unit(code="T-3", name="测试三所", kind=UnitKind.POLICE_STATION))
        transaction.after_commit(boom)
        transaction.commit()
    assert "renderer fell over" in logged.text
    with app.app_context():
        assert db.session.scalars(select(Unit.code)).all() == ["T-3"]


def test_a_refused_page_form_saves_nothing_and_shows_the_form(app, office, units):
    client = login(app.test_client(), office)
    resp = client.post("/items/new", data={"title": "违停整治", "content": "", "source": "meeting"})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "请填写事项内容" in page and 'value="违停整治"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count(SupervisionItem.id))) == 0


def test_an_unexpected_error_is_json_with_a_request_id(app, office, api_headers, monkeypatch,
                                                      logged):
    headers = api_headers(office)

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals /srv/duban")

    monkeypatch.setattr(queries, "search_items", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    resp = app.test_client().get("/api/v1/items", headers=headers)
    assert resp.status_code == 500
    error = resp.json["error"]
    assert error["code"] == "internal_error"
    rid = resp.headers["X-Request-ID"]
    assert error["request_id"] == rid and rid in error["message"]
    assert "secret internals" not in resp.get_data(as_text=True)
    assert rid in logged.text and "secret internals" in logged.text  # the log has the trace


def test_an_unexpected_page_error_shows_its_id(app, office, monkeypatch):
    client = login(app.test_client(), office)
    monkeypatch.setattr(views, "search_items",
                        lambda *a, **k: (_ for _ in ()).throw(RuntimeError("x")))
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    resp = client.get("/items/")
    assert resp.status_code == 500
    assert resp.headers["X-Request-ID"] in resp.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/items/2026-001/nope"])
def test_api_errors_are_always_json(client, path):
    resp = client.get(path)
    assert resp.status_code in (401, 404)
    assert resp.is_json and resp.json["error"]["code"]


def test_no_view_commits_or_rolls_back_by_hand():
    """Views reach the database through the request's one transaction (webapp.transaction):
    a view that commits itself is marked @transaction.manual and uses transaction.commit()."""
    offenders = []
    for path in WEBAPP.rglob("*.py"):
        if path.name in ("views.py", "api.py", "admin.py", "stats_views.py"):
            text = path.read_text(encoding="utf-8")
            for needle in ("db.session.commit", "db.session.rollback"):
                if needle in text:
                    offenders.append(f"{path.relative_to(WEBAPP)}: {needle}")
    assert offenders == []
