"""Backup you can restore: the drill. A live demo (seed-demo, an issued and archived closing
report, inspection photos) is backed up while the server serves, restored into a fresh
database and folder, and then audit-verify and archive-verify pass, and the item count and
every file's hash match. PostgreSQL goes through pg_dump and pg_restore."""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.documents.lifecycle import issue
from tests.helpers import Persona
from webapp.auth.models import Role, User
from webapp.cli import DEMO_PASSWORD
from webapp.extensions import db
from webapp.supervision.models import ItemState, SupervisionItem

SCAN_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _files(root: Path) -> dict[str, str]:
    """{name: SHA-256 of the bytes} of every stored file under an upload root."""
    blobs = root / "blobs"
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in blobs.rglob("*") if p.is_file()}


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def live_demo(app, runner, client) -> None:
    """seed-demo, then a closing report issued and its signed scan archived by the office."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        office = db.session.scalar(select(User).where(User.username == "office"))
        persona = Persona(office.id, "office", DEMO_PASSWORD, Role.OFFICE, None, office.name)
        code = db.session.scalar(select(SupervisionItem.code)
                                 .where(SupervisionItem.state == ItemState.CLOSED).limit(1))
    doc = issue(app, persona, "closing_report", code)
    assert doc["pdf_sha256"], doc["render_error"]
    client.post("/login", data={"username": "office", "password": DEMO_PASSWORD})
    resp = client.post(f"/archive/documents/{doc['id']}/scan",
                       data={"file": (io.BytesIO(SCAN_PDF), "签发件.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302


@pytest.fixture
def fresh_target(app, tmp_path) -> Iterator:
    """An app on a new, empty database and upload folder, as on a replacement machine; it
    knows the audit key, which a bureau keeps apart from its backups."""
    from webapp import create_app

    drop = None
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        import os

        from tests.conftest import _postgres_database

        uri, drop = _postgres_database(os.environ["TEST_DATABASE_URL"])
    else:
        uri = f"sqlite:///{tmp_path / 'restored' / 'duban.sqlite3'}"
    restored = create_app({
        "TESTING": True, "SECRET_KEY": "another-secret", "AUDIT_HMAC_KEY": "test-audit-key",
        "SQLALCHEMY_DATABASE_URI": uri, "UPLOAD_ROOT": str(tmp_path / "restored" / "uploads"),
        "AUDIT_ANCHOR_FILE": str(tmp_path / "restored" / "anchors.log"),
    }, instance_path=str(tmp_path / "restored" / "instance"))
    yield restored
    with restored.app_context():
        db.engine.dispose()
    if drop:
        drop()


def _traffic(base: str, started: threading.Event, stop: threading.Event) -> None:
    """A server in use: pages read and sign-ins tried (rows and audit events written)."""
    host, port = base.removeprefix("http://").split(":")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    while not stop.is_set():
        for method, body in (("GET", None), ("POST", "username=x&password=y")):
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            conn.request(method, "/login", body=body, headers=form if body else {})
            conn.getresponse().read()
            conn.close()
        started.set()


def test_backup_of_a_live_demo_restores_into_a_fresh_database(
        app, runner, live_demo, live_url, fresh_target, tmp_path):
    items = _count(app, SupervisionItem)
    stored = _files(Path(app.config["UPLOAD_ROOT"]))
    assert items >= 20 and len(stored) >= 10  # demo evidence, photos, the report and its scan
    started, stop = threading.Event(), threading.Event()
    traffic = threading.Thread(target=_traffic, args=(live_url, started, stop))
    traffic.start()
    try:
        assert started.wait(30)
        result = runner.invoke(args=["backup", str(tmp_path / "backup")])
    finally:
        stop.set()
        traffic.join()
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "backup" / "MANIFEST.json").read_text())
    assert manifest["items"] == items
    assert {sha for sha, _ in manifest["uploads"]["files"]} == set(stored)
    with app.app_context():
        kind = db.engine.dialect.name
    assert manifest["database"]["file"] == {"sqlite": "duban.sqlite3",
                                            "postgresql": "duban.pgdump"}[kind]
    assert f"文件 {len(stored)} 个" in result.output

    target = fresh_target.test_cli_runner()
    result = target.invoke(args=["restore", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    for command in ("audit-verify", "archive-verify"):
        result = target.invoke(args=[command])
        assert result.exit_code == 0, result.output
    assert _count(fresh_target, SupervisionItem) == items
    assert _files(Path(fresh_target.config["UPLOAD_ROOT"])) == {sha: sha for sha in stored}
    with fresh_target.app_context():
        facts = db.session.scalar(select(func.count(User.id)))
    assert facts == manifest["tables"]["user_account"]


def test_restore_refuses_a_database_in_use(app, runner, live_demo, tmp_path):
    assert runner.invoke(args=["backup", str(tmp_path / "backup")]).exit_code == 0
    result = runner.invoke(args=["restore", str(tmp_path / "backup")])
    assert result.exit_code != 0
    assert "目标数据库不是空的" in result.output


def test_restore_refuses_a_damaged_backup_and_restores_nothing(
        app, runner, live_demo, fresh_target, tmp_path):
    assert runner.invoke(args=["backup", str(tmp_path / "backup")]).exit_code == 0
    victim = next(p for p in (tmp_path / "backup" / "uploads" / "blobs").rglob("*")
                  if p.is_file())
    victim.write_bytes(victim.read_bytes() + b"!")
    result = fresh_target.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
    assert result.exit_code != 0
    assert victim.name in result.output
    with fresh_target.app_context():
        from sqlalchemy import inspect

        assert inspect(db.engine).get_table_names() == []


def test_backup_refuses_a_folder_that_is_not_empty(runner, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    result = runner.invoke(args=["backup", str(tmp_path / "full")])
    assert result.exit_code != 0 and "不是空目录" in result.output
