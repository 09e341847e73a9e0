"""Tamper evidence that covers the tail: anchors of the audit chain's head kept outside the
database, archive hashes cross-checked against the audit events that recorded them, and the
audit key kept apart from the database."""

from __future__ import annotations

import io
import logging
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from tests.core.tampering import tamper
from tests.documents.lifecycle import issue
from tests.helpers import login
from webapp.archive.models import ArchiveRecord
from webapp.audit import anchors
from webapp.audit import services as audit
from webapp.audit.models import AuditEvent
from webapp.auth.models import User
from webapp.documents.models import Document
from webapp.extensions import db


def _anchor_lines(app) -> list[str]:
    path = Path(app.config["AUDIT_ANCHOR_FILE"])
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def _events(app, n: int, office) -> None:
    with app.app_context():
        actor = db.session.get(User, office.id)
        for i in range(n):
            audit.record("test.event", object_type="test", object_id=i, actor=actor)
        db.session.commit()


def _delete_newest(app, n: int | None) -> None:
    with app.app_context():
        if n is None:
            tamper("DELETE FROM audit_event")
            return
        ids = db.session.scalars(text(f"SELECT id FROM audit_event ORDER BY id DESC LIMIT {n}"))  # noqa: S608
        tamper(*(f"DELETE FROM audit_event WHERE id = {int(i)}" for i in ids))  # noqa: S608


def test_verify_anchors_the_head_outside_the_database(app, runner, office):
    _events(app, 3, office)
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        now = anchors.head("verify")
        count = db.session.scalar(text("SELECT count(*) FROM audit_event"))
    line = _anchor_lines(app)[-1].split("\t")
    assert line[1] == "verify"
    assert line[3:] == [f"count={count}", f"head=#{now.head_id}", f"hash={now.hash}"]
    assert now.hash in result.output
    mode = stat.S_IMODE(Path(app.config["AUDIT_ANCHOR_FILE"]).stat().st_mode)
    assert mode == 0o600


@pytest.mark.parametrize("deleted", [1, 3, None], ids=["last", "last-3", "all"])
def test_deleting_the_newest_events_is_named_as_a_truncation(app, runner, office, deleted):
    _events(app, 5, office)
    assert runner.invoke(args=["audit-verify"]).exit_code == 0
    with app.app_context():
        total = db.session.scalar(text("SELECT count(*) FROM audit_event"))
    _delete_newest(app, deleted)
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert "审计链被截断" in result.output
    assert f"最后 {deleted or total} 条事件已被删除" in result.output
    lines = _anchor_lines(app)
    assert len(lines) == 1  # a failed check anchors nothing


def test_a_tail_rewritten_with_the_key_differs_from_the_anchor(app, runner, office):
    """Someone holding the key deletes the newest event and appends a valid forgery in its
    place: the chain verifies by itself, the anchor does not match."""
    _events(app, 4, office)
    assert runner.invoke(args=["audit-verify"]).exit_code == 0
    _delete_newest(app, 1)
    _events(app, 1, office)
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert "与外部锚点不符" in result.output


def test_a_day_without_anchor_gets_one_from_the_next_request(app, client, office):
    log = logging.getLogger("webapp.audit.anchors")
    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    log.addHandler(handler)
    was_disabled, log.disabled = log.disabled, False  # alembic's fileConfig in the test set-up
    try:
        anchors._next_daily_check.clear()
        login(client, office)
        lines = _anchor_lines(app)
        assert [line.split("\t")[1] for line in lines] == ["daily"]
        assert seen == [f"audit anchor: {lines[0]}"]
        client.get("/password")
        anchors._next_daily_check.clear()
        client.get("/password")
        assert len(_anchor_lines(app)) == 1  # within the day: nothing new
        app.config["AUDIT_ANCHOR_INTERVAL"] = timedelta(seconds=0.001)
        anchors._next_daily_check.clear()
        client.get("/password")
        assert [line.split("\t")[1] for line in _anchor_lines(app)] == ["daily", "daily"]
    finally:
        app.config["AUDIT_ANCHOR_INTERVAL"] = timedelta(days=1)
        log.removeHandler(handler)
        log.disabled = was_disabled


def test_a_recorded_restore_explains_the_lost_tail(app, runner, office):
    _events(app, 5, office)
    assert runner.invoke(args=["audit-verify"]).exit_code == 0
    _delete_newest(app, 2)  # as if the database were set back to an older backup …
    with app.app_context():
        anchors.append(anchors.head("restore"))  # … by `flask restore`, which says so
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0, result.output
    assert "从备份恢复时丢失" in result.output


def test_anchors_of_another_database_are_ignored(app, runner, office):
    _events(app, 2, office)
    path = Path(app.config["AUDIT_ANCHOR_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("2026-01-01T00:00:00+00:00\tverify\tdb=sqlite:////elsewhere.sqlite3\t"
                    "count=99\thead=#99\thash=" + "a" * 64 + "\nnot an anchor line\n")
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0, result.output


# --- archive hashes against the audit events that recorded them ------------------------------

SCAN_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_an_archive_record_pointed_at_another_stored_file_fails_archive_verify(
        app, client, runner, office, make_item):
    code = make_item("closed")
    doc = issue(app, office, "closing_report", code)
    login(client, office)
    resp = client.post(f"/archive/documents/{doc['id']}/scan",
                       data={"file": (io.BytesIO(SCAN_PDF), "签发件.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    assert runner.invoke(args=["archive-verify"]).exit_code == 0
    with app.app_context():  # the record now names the issued PDF, a genuine stored file
        db.session.execute(update(ArchiveRecord).values(sha256=doc["pdf_sha256"]))
        db.session.commit()
        archive_code = db.session.scalar(select(ArchiveRecord.archive_code))
    result = runner.invoke(args=["archive-verify"])
    assert result.exit_code == 1
    assert f"档号 {archive_code}" in result.output and "audit mismatch" in result.output
    assert runner.invoke(args=["audit-verify"]).exit_code == 0  # the chain itself is intact


def test_an_issued_document_swapped_to_another_file_or_its_event_altered_fails(
        app, runner, office, make_item):
    doc = issue(app, office, "notice", make_item("assigned"))
    with app.app_context():
        db.session.execute(update(Document).values(pdf_sha256=doc["docx_sha256"]))
        db.session.commit()
    result = runner.invoke(args=["archive-verify"])
    assert result.exit_code == 1
    assert f"{doc['doc_number']} (pdf)" in result.output and "audit mismatch" in result.output
    with app.app_context():  # …and the event edited to match: its HMAC no longer does
        tamper(update(AuditEvent).where(AuditEvent.action == "document_rendered").values(
            details={"pdf_sha256": doc["docx_sha256"], "docx_sha256": doc["docx_sha256"]}))
    result = runner.invoke(args=["archive-verify"])
    assert result.exit_code == 1
    assert "audit event altered" in result.output


# --- the audit key ---------------------------------------------------------------------------


def test_the_audit_key_is_kept_apart_from_the_database(app, tmp_path):
    from webapp import create_app

    key_file = tmp_path / "keys" / "audit-hmac.key"
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
              "UPLOAD_ROOT": str(tmp_path / "uploads"), "AUDIT_KEY_FILE": str(key_file)}
    first = create_app(config, instance_path=str(tmp_path / "instance"))
    instance_config = (tmp_path / "instance" / "config.py").read_text()
    assert "SECRET_KEY" in instance_config and "AUDIT" not in instance_config
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert first.config["AUDIT_HMAC_KEY"] == key_file.read_text().strip()
    again = create_app(config, instance_path=str(tmp_path / "instance"))
    assert again.config["AUDIT_HMAC_KEY"] == first.config["AUDIT_HMAC_KEY"]
    for other in (first, again):
        with other.app_context():
            db.engine.dispose()


def test_default_key_and_anchor_files_lie_outside_instance(tmp_path):
    from webapp.config import Defaults, finish

    config = {k: getattr(Defaults, k) for k in dir(Defaults) if k.isupper()}
    finish(config, project_root=tmp_path)
    for name in ("AUDIT_KEY_FILE", "AUDIT_ANCHOR_FILE"):
        assert Path(config[name]).parent.parent == tmp_path
        assert "instance" not in Path(config[name]).parts
