"""Eight 12 MP photo uploads at once through gunicorn: errors, time, and worker memory.

Run: .venv/bin/python benchmarks/bench_uploads.py [--uploads 8] [--workers 2 --threads 4]

Starts gunicorn (gthread) on 127.0.0.1 with a temporary SQLite database and upload folder,
creates one inspection listing N photos (4000x3000 JPEG, EXIF orientation 6 + GPS, made by
bench_photos.make_photo), PUTs all N photo bodies at the same moment from N threads, then
submits. Prints each status, the wall time, and the gunicorn workers' resident memory before
and at its peak (VmHWM), i.e. the memory growth per photo in flight. Loopback only; bounded.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_photos import make_photo  # noqa: E402 (after the path fix-up)

PASSWORD = "benchmark-password-2026"  # noqa: S105
MEMORY_TARGET_MIB = 64


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    try:
        return resp.status, json.loads(data or b"{}")
    except ValueError:
        return resp.status, {"raw": data[:200].decode(errors="replace")}


def kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def workers(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True,
                         check=False)
    return [int(p) for p in out.stdout.split()]


def setup(env: dict) -> None:
    """Schema, a unit, an inspector (in-process, against the temporary database)."""
    code = (
        "from webapp import create_app\n"
        "from webapp.cli import upgrade_schema\n"
        "from webapp.extensions import db\n"
        "from webapp.auth import services as auth\n"
        "from webapp.auth.models import Role\n"
        "from webapp.org.models import Unit, UnitKind\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    upgrade_schema()\n"
        "    db.session.add(Unit(code='HZ', name='户政服务窗口', kind=UnitKind.WINDOW))\n"
        f"    auth.create_user(username='insp', name='督查员', role=Role.INSPECTOR,"
        f" password={PASSWORD!r}, skip_policy=True)\n"
        "    db.session.commit()\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--uploads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-uploads-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'b.sqlite3'}",
           "DUBAN_UPLOAD_ROOT": str(tmp / "uploads"), "DUBAN_SECRET_KEY": "bench",
           "DUBAN_AUDIT_HMAC_KEY": "bench", "DUBAN_PASSWORD_HASH_METHOD": "scrypt:1024:8:1"}
    setup(env)
    print(f"making {args.uploads} 12 MP photos …", flush=True)
    photos = [make_photo() for _ in range(args.uploads)]
    refs = [{"uuid": str(uuid.uuid4()), "sha256": hashlib.sha256(p).hexdigest(),
             "size": len(p), "content_type": "image/jpeg", "filename": f"IMG_{i}.jpg"}
            for i, p in enumerate(photos)]

    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers",
         str(args.workers), "--worker-class", "gthread", "--threads", str(args.threads),
         "--timeout", "120", "webapp:create_app()"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                if request(port, "GET", "/login")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        status, tok = request(port, "POST", "/api/v1/auth/token",
                              json.dumps({"username": "insp", "password": PASSWORD}).encode(),
                              {"Content-Type": "application/json"})
        auth = {"Authorization": f"Bearer {tok['access_token']}"}
        inspection = str(uuid.uuid4())
        body = {"target_unit_id": 1, "mode": "unannounced",
                "started_at": "2026-11-27T09:30:00+08:00", "place": "户籍窗口",
                "findings": [{"uuid": str(uuid.uuid4()), "category": "service",
                              "severity": "minor", "description": "窗口无人值守",
                              "photos": refs}]}
        status, record = request(port, "PUT", f"/api/v1/inspections/{inspection}",
                                 json.dumps(body).encode(),
                                 {**auth, "Content-Type": "application/json"})
        assert status in (200, 201), record

        pids = workers(server.pid)
        base = sum(kib(p, "VmRSS") for p in pids)
        results: list[tuple[int, float]] = [(0, 0.0)] * len(photos)
        barrier = threading.Barrier(len(photos))

        def upload(i: int) -> None:
            barrier.wait()
            start = time.perf_counter()
            status, _ = request(port, "PUT",
                                f"/api/v1/inspections/{inspection}/photos/{refs[i]['uuid']}",
                                photos[i], {**auth, "Content-Type": "image/jpeg",
                                            "X-Content-SHA256": refs[i]["sha256"]})
            results[i] = (status, time.perf_counter() - start)

        threads = [threading.Thread(target=upload, args=(i,)) for i in range(len(photos))]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        peak = sum(kib(p, "VmHWM") for p in pids)
        status, done = request(port, "POST", f"/api/v1/inspections/{inspection}/submit",
                               b"", auth)
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)

    errors = [s for s, _ in results if s not in (200, 201)]
    growth = (peak - base) / 1024
    per_photo = growth / len(photos)
    print(f"gunicorn gthread {args.workers}×{args.threads}, {len(photos)} uploads of "
          f"{sum(map(len, photos)) / len(photos) / 1e6:.1f} MB at once")
    print(f"  statuses: {sorted(s for s, _ in results)}  errors: {len(errors)}")
    print(f"  wall {wall:.2f} s; each upload {min(t for _, t in results):.2f}–"
          f"{max(t for _, t in results):.2f} s")
    print(f"  workers' RSS {base / 1024:.0f} MiB → peak {peak / 1024:.0f} MiB: growth "
          f"{growth:.0f} MiB, {per_photo:.1f} MiB per photo in flight "
          f"(target ≤ {MEMORY_TARGET_MIB}) {'ok' if per_photo <= MEMORY_TARGET_MIB else 'MISSED'}")
    print(f"  submit after the uploads: {status} {done.get('state', done)}")


if __name__ == "__main__":
    main()
