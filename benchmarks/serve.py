"""Running Duban under gunicorn for a benchmark: a temporary site (database and uploads),
a free port, a started server, and small HTTP calls. Loopback only."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv/bin/python") if (ROOT / ".venv/bin/python").exists() else sys.executable
GUNICORN = str(ROOT / ".venv/bin/gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_env(tmp: Path, database_url: str | None = None, uploads: Path | None = None) -> dict:
    """Environment for a site in `tmp`: its database (SQLite there unless given), uploads,
    keys, fast password hashing."""
    return {**os.environ,
            "DATABASE_URL": database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
            "DUBAN_UPLOAD_ROOT": str(uploads or tmp / "uploads"),
            "DUBAN_SECRET_KEY": "bench-secret", "DUBAN_AUDIT_HMAC_KEY": "bench-audit-key",
            "DUBAN_AUDIT_ANCHOR_FILE": str(tmp / "anchors.log"),
            "DUBAN_PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            "DUBAN_SESSION_COOKIE_SECURE": "false"}


def flask(env: dict, *args: str) -> str:
    out = subprocess.run([PYTHON, "-m", "flask", "--app", "webapp", *args], env=env,
                         cwd=ROOT, check=True, capture_output=True, text=True)
    return out.stdout


def request(port: int, method: str, path: str, body: bytes | dict | None = None,
            headers: dict | None = None, timeout: float = 60) -> tuple[int, dict]:
    headers = dict(headers or {})
    if isinstance(body, dict):
        body = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
    finally:
        conn.close()
    try:
        return resp.status, json.loads(data or b"{}")
    except ValueError:
        return resp.status, {"raw": data[:200].decode(errors="replace")}


def token(port: int, username: str, password: str) -> dict:
    status, body = request(port, "POST", "/api/v1/auth/token",
                           {"username": username, "password": password})
    if status != 200:
        raise RuntimeError(f"token for {username}: {status} {body}")
    return {"Authorization": f"Bearer {body['access_token']}"}


@contextmanager
def gunicorn(env: dict, *, workers: int = 2, threads: int = 4, port: int | None = None):
    """A gunicorn (gthread) serving webapp.wsgi:app on 127.0.0.1; yields (process, port)."""
    port = port or free_port()
    proc = subprocess.Popen(
        [GUNICORN, "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class",
         "gthread", "--threads", str(threads), "--timeout", "120", "--preload",
         "webapp.wsgi:app"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request(port, "GET", "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield proc, port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def wrk(port: int, path: str, headers: dict | None = None, seconds: int = 10,
        connections: int = 32) -> float:
    """Requests per second wrk measured (non-2xx answers make it an error)."""
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, f"http://127.0.0.1:{port}{path}"], capture_output=True,
                         text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"{path}: non-2xx answers under load\n{out}")
    return float(next(line.split()[1] for line in out.splitlines()
                      if line.startswith("Requests/sec")))
