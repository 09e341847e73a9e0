"""Leftovers: temp files of uploads cut off by a killed worker are cleaned by age (at start-up
and now and then while uploads come in); /favicon.ico is served."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from io import BytesIO
from pathlib import Path

from PIL import Image

from webapp.media import store

# A worker in the middle of an upload: it has spooled a chunk to uploads/tmp and waits for
# the rest of the body, which never comes; the test kills it with SIGKILL there.
WORKER = textwrap.dedent("""
    import sys, time
    from webapp import create_app
    from webapp.media import store

    upload_root, instance = sys.argv[1:]
    app = create_app({"SECRET_KEY": "k", "AUDIT_HMAC_KEY": "a", "UPLOAD_ROOT": upload_root,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"}, instance_path=instance)

    class SlowBody:
        sent = False
        def read(self, n):
            if self.sent:
                print("spooling", flush=True)
                time.sleep(600)
            self.sent = True
            return b"x" * store.CHUNK

    with app.app_context(), store.spool(SlowBody(), max_bytes=10 * store.CHUNK):
        pass
""")


def _killed_mid_upload(upload_root: Path, tmp_path: Path) -> Path:
    """Start a worker, let it spool part of an upload, kill -9 it; the temp file it left."""
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    worker = subprocess.Popen([sys.executable, str(script), str(upload_root),
                               str(tmp_path / "instance")], stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout.readline().strip() == "spooling"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
        worker.stdout.close()
    assert worker.returncode == -signal.SIGKILL
    (left,) = (upload_root / "tmp").glob("up-*")  # the killed worker never cleaned up
    assert left.stat().st_size == store.CHUNK
    return left


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_killed_upload_is_cleaned_at_the_next_start(app, tmp_path):
    from webapp import create_app

    root = Path(app.config["UPLOAD_ROOT"])
    left = _killed_mid_upload(root, tmp_path)
    in_progress = root / "tmp" / "up-in-progress"
    in_progress.write_bytes(b"a chunk written just now")
    _age(left, app.config["UPLOAD_TEMP_MAX_AGE"] + 60)
    restarted = create_app({"SECRET_KEY": "k", "AUDIT_HMAC_KEY": "a", "UPLOAD_ROOT": str(root),
                            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]},
                           instance_path=str(tmp_path / "instance"))
    assert not left.exists()
    assert in_progress.exists()
    with restarted.app_context():
        from webapp.extensions import db

        db.engine.dispose()


def test_a_killed_upload_is_cleaned_while_uploads_come_in(app, tmp_path):
    root = Path(app.config["UPLOAD_ROOT"])
    left = _killed_mid_upload(root, tmp_path)
    with app.app_context():
        store._next_temp_sweep.clear()  # as in a process that has not swept yet
        store.save_stream(BytesIO(b"first upload"), max_bytes=100)
        assert left.exists()  # younger than UPLOAD_TEMP_MAX_AGE: maybe still in progress
        _age(left, app.config["UPLOAD_TEMP_MAX_AGE"] + 60)
        store.save_stream(BytesIO(b"next upload, same quarter hour"), max_bytes=100)
        assert left.exists()  # one sweep per UPLOAD_TEMP_MAX_AGE / 4: uploads stay cheap
        store._next_temp_sweep.clear()  # …a quarter of UPLOAD_TEMP_MAX_AGE later
        store.save_stream(BytesIO(b"a later upload"), max_bytes=100)
        assert not left.exists()
        assert sorted(p.name for p in (root / "tmp").iterdir()) == []


def test_favicon_is_served(client):
    with client.get("/favicon.ico") as resp:
        assert resp.status_code == 200
        assert resp.headers["Content-Type"] in ("image/vnd.microsoft.icon", "image/x-icon")
        assert "max-age=86400" in resp.headers["Cache-Control"]
        icon = Image.open(BytesIO(resp.data))
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32)} <= icon.info["sizes"]
