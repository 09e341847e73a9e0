"""Two machines, one database: two app instances on one PostgreSQL and one uploads folder,
loaded together, one killed with SIGKILL mid-load. Prints what happened and checks that
nothing was lost, nothing doubled, and the survivor serves on.

Run: .venv/bin/python benchmarks/bench_two_instances.py [--items 12] [--photos 8]

Each instance is its own gunicorn (gthread, 1 worker x 4 threads) on its own port, as two
machines behind a proxy would be, sharing DATABASE_URL, DUBAN_UPLOAD_ROOT and the keys.
The load, sent to both at once:
- every item acknowledged by its unit through both instances (only one may succeed);
- every item's 督办通知 issued through both instances (one number per item);
- every item reminded through both with the same Idempotency-Key (one reminder);
- one inspection's photos uploaded half through each instance.
Instance A is killed (SIGKILL) while the load runs; a request that got no answer is sent
again to B, as a proxy would, with the same key. Then: counts from the database,
`audit-verify`, and B's /healthz and item list.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from PIL import Image
from serve import flask, gunicorn, request, site_env, token

PG = "postgresql://postgres@127.0.0.1:5432/test"
PASSWORD = "duban-demo-2026"  # noqa: S105 (the demo accounts)


def photo(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (seed * 37 % 255, 90, 160)).save(out, "JPEG", quality=85)
    return out.getvalue()


def call(ports: list[int], method: str, path: str, body=None, headers=None, log=None):
    """Send to the first port; on no answer (the instance died), to the next, same request."""
    for port in ports:
        try:
            status, data = request(port, method, path, body, headers, timeout=30)
        except OSError as err:
            if log is not None:
                log.append(f"{method} {path} -> port {port}: {type(err).__name__}, resent")
            continue
        return status, data
    return 0, {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=12)
    parser.add_argument("--photos", type=int, default=8)
    parser.add_argument("--kill-after", type=float, default=0.5, help="seconds into the load")
    args = parser.parse_args()

    import psycopg

    tmp = Path(tempfile.mkdtemp(prefix="bench-two-"))
    name = f"bench_two_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = site_env(tmp, PG.rsplit("/", 1)[0] + "/" + name, uploads=tmp / "shared-uploads")
    resent: list[str] = []
    try:
        flask(env, "init-db")
        flask(env, "seed-demo")
        with gunicorn(env, workers=1, threads=4) as (proc_a, port_a), \
                gunicorn(env, workers=1, threads=4) as (_, port_b):
            office = token(port_a, "office", PASSWORD)
            unit = token(port_b, "liaison1", PASSWORD)
            inspector = token(port_a, "inspector", PASSWORD)
            _, me = request(port_a, "GET", "/api/v1/me", headers=unit)
            due = (date.today() + timedelta(days=20)).isoformat()
            codes = []
            for i in range(args.items):
                status, item = request(port_a, "POST", "/api/v1/items", {
                    "title": f"双机测试事项 {i + 1}", "content": "两台服务器同时办理。",
                    "source": "meeting", "assign": {
                        "lead_unit_id": me["unit_id"], "first_responsible": "张所长",
                        "direct_responsible": "李副所长", "due_date": due}}, office)
                assert status == 201, item
                codes.append(item["code"])
            _, units = request(port_a, "GET", "/api/v1/units", headers=inspector)
            target = units["units"][0]["id"]
            blobs = [photo(i) for i in range(args.photos)]
            refs = [{"uuid": str(uuid.uuid4()), "sha256": hashlib.sha256(b).hexdigest(),
                     "size": len(b), "content_type": "image/jpeg", "filename": f"P{i}.jpg"}
                    for i, b in enumerate(blobs)]
            inspection = str(uuid.uuid4())
            status, _ = request(port_a, "PUT", f"/api/v1/inspections/{inspection}", {
                "target_unit_id": target, "mode": "unannounced",
                "started_at": "2026-11-27T09:30:00+08:00", "findings": [{
                    "uuid": str(uuid.uuid4()), "category": "service", "severity": "minor",
                    "description": "窗口无人值守", "photos": refs}]}, inspector)
            assert status in (200, 201)

            results: Counter = Counter()
            lock = threading.Lock()

            def work(kind: str, ports: list[int], method: str, path: str, body, headers):
                status, _ = call(ports, method, path, body, headers, resent)
                with lock:
                    results[(kind, status)] += 1

            jobs = []
            for code in codes:
                key = {"Idempotency-Key": f"remind-{code}-0001"}
                for ports in ([port_a, port_b], [port_b]):
                    jobs.append(("acknowledge", ports, "POST",
                                 f"/api/v1/items/{code}/acknowledge", {}, unit))
                    jobs.append(("notice", ports, "POST", "/api/v1/documents",
                                 {"kind": "notice", "item": code}, office))
                    jobs.append(("remind", ports, "POST", f"/api/v1/items/{code}/remind",
                                 {"channel": "phone"}, {**office, **key}))
            for i, (ref, blob) in enumerate(zip(refs, blobs, strict=True)):
                ports = [port_a, port_b] if i % 2 == 0 else [port_b]
                jobs.append(("photo", ports, "PUT",
                             f"/api/v1/inspections/{inspection}/photos/{ref['uuid']}", blob,
                             {**inspector, "Content-Type": "image/jpeg",
                              "X-Content-SHA256": ref["sha256"]}))
            threads = [threading.Thread(target=work, args=job) for job in jobs]
            started = time.perf_counter()
            for t in threads:
                t.start()
            time.sleep(args.kill_after)  # the load under way on both: A dies
            os.killpg(proc_a.pid, signal.SIGKILL)
            killed_at = time.perf_counter() - started
            for t in threads:
                t.join()
            wall = time.perf_counter() - started

            status, submitted = request(port_b, "POST",
                                        f"/api/v1/inspections/{inspection}/submit", b"",
                                        inspector)
            alive = request(port_b, "GET", "/healthz")[0]
            listed = request(port_b, "GET", "/api/v1/items?per_page=100", headers=office)[1]
        verify = flask(env, "audit-verify")
        counts = _counts(env["DATABASE_URL"], codes)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(f"two gunicorn instances on one PostgreSQL and one uploads folder; "
          f"{len(jobs)} requests in {wall:.1f} s, instance A killed (SIGKILL) at "
          f"{killed_at:.2f} s")
    print(f"  answers: {dict(sorted(results.items()))}")
    answered_by_a = sum(1 for job in jobs if job[1][0] != port_b) - len(resent)
    print(f"  answered by A before it died: {answered_by_a}; sent again to B after no answer "
          f"from A: {len(resent)}")
    checks = {
        "each item acknowledged once": counts["acknowledge"] == [1] * len(codes),
        "one notice per item, numbers gapless": counts["notices"] == list(
            range(1, len(codes) + 1)),
        "one reminder per item": counts["reminders"] == [1] * len(codes),
        "every photo arrived, inspection submitted": status == 200
        and submitted.get("state") == "submitted",
        "audit chain intact": "完好" in verify,
        "survivor serves": alive == 200 and listed.get("total", 0) >= len(codes),
    }
    for what, ok in checks.items():
        print(f"  {'ok    ' if ok else 'FAILED'} {what}")
    if not all(checks.values()):
        sys.exit(1)


def _counts(url: str, codes: list[str]) -> dict:
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        ack = [conn.execute("SELECT count(*) FROM audit_event WHERE object_id = %s AND action = "
                            "'acknowledge'", (c,)).fetchone()[0] for c in codes]
        reminders = [conn.execute("SELECT count(*) FROM reminder r JOIN supervision_item i ON "
                                  "i.id = r.item_id WHERE i.code = %s AND r.channel = 'phone'",
                                  (c,)).fetchone()[0] for c in codes]
        notices = [r[0] for r in conn.execute(
            "SELECT sequence FROM document WHERE kind = 'notice' ORDER BY sequence")]
    return {"acknowledge": ack, "reminders": reminders, "notices": notices}


if __name__ == "__main__":
    main()
