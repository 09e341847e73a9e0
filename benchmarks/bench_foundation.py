"""Foundation benchmark: seed 1,000 / 10,000 / 100,000 items (with feedback, reminders,
hand-back requests and a valid audit chain) and measure request latency through the Flask
test client. Prints figures; it is not a test.

    .venv/bin/python benchmarks/bench_foundation.py [--sizes 1000,10000,100000]
        [--db sqlite|postgresql|both] [--requests 200]

Targets (SQLite, 2-core machine): p95 <= 50 ms at 100,000 items, and p95 growth from 1,000 to
100,000 items <= 3x. PostgreSQL: a temporary database on the server of
postgresql://postgres@127.0.0.1:5432/test, dropped after the run.

Seeding is bulk (executemany of plain dicts, 5,000 rows a batch). Distribution: ~40 units,
registration dates uniform over the last 3 years, due 7-60 days after assignment, 10 %
extended; items due in the past are 90 % closed/archived (80 % of those on time), 3 %
cancelled, 7 % still open (overdue); items due later are open. About 1.5 reminders, 1.3
feedback rows and 4-5 audit events per item; 3 % hand-back requests. Audit events form a
VALID hash chain (computed with the real HMAC function, in id order), so verify_chain() passes.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text

from webapp import create_app
from webapp.extensions import db

PG_BASE = "postgresql://postgres@127.0.0.1:5432/test"
BATCH = 5000
UNITS = 40
PASSWORD = "bench-password-1"  # noqa: S105 (a throw-away account in a throw-away database)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
TITLES = ["所长", "副所长", "大队长", "副大队长", "科长", "中队长", "教导员", "主任"]


# --- databases ---------------------------------------------------------------------------


def sqlite_db():
    folder = tempfile.mkdtemp(prefix="duban-bench-")
    return f"sqlite:///{folder}/bench.sqlite3", lambda: shutil.rmtree(folder, ignore_errors=True)


def postgres_db():
    import psycopg

    name = f"duban_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_BASE, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(PG_BASE, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop


def make_app(uri: str, folder: str):
    app = create_app({
        "SECRET_KEY": "bench-secret", "AUDIT_HMAC_KEY": "bench-audit-key",
        "SQLALCHEMY_DATABASE_URI": uri, "UPLOAD_ROOT": f"{folder}/uploads",
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1", "SESSION_COOKIE_SECURE": False,
        "WTF_CSRF_ENABLED": False,
    })
    app.instance_path = f"{folder}/instance"
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return app


# --- seeding -------------------------------------------------------------------------------


def bulk(table, rows: list[dict]) -> None:
    for i in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[i:i + BATCH])


def office_time(day: date, rng: random.Random) -> datetime:
    """A moment in office hours (08:00-18:00 Beijing = 00:00-10:00 UTC) of a local day."""
    return datetime.combine(day, dtime(rng.randrange(0, 10), rng.randrange(60)), UTC)


def seed(n_items: int, rng: random.Random) -> dict:
    """Insert units, users and `n_items` items with their rows; return handles for requests."""
    from webapp.audit import services as audit
    from webapp.audit.models import AuditEvent
    from webapp.auth import services as auth
    from webapp.auth.models import Role, User
    from webapp.database import local_today
    from webapp.org.models import Unit, UnitKind
    from webapp.supervision.models import (
        Feedback,
        HandBackRequest,
        ItemState,
        Reminder,
        Source,
        SupervisionItem,
    )

    today = local_today()
    kinds = list(UnitKind)
    bulk(Unit.__table__, [{"code": f"U{i:03d}", "name": f"单位{i:03d}",
                            "kind": kinds[i % len(kinds)], "active": True}
                           for i in range(1, UNITS + 1)])
    unit_ids = list(db.session.scalars(db.select(Unit.id).order_by(Unit.id)))
    office = auth.create_user(username="office", name="王督办", role=Role.OFFICE,
                              password=PASSWORD, unit=None)
    db.session.flush()
    bulk(User.__table__, [{"username": f"liaison{u}", "name": f"联络员{u}",
                            "role": Role.LIAISON, "unit_id": u, "password_hash": "!",
                            "active": True, "session_version": 1,
                            "created_at": datetime.now(UTC)} for u in unit_ids])
    liaison = dict(db.session.execute(
        db.select(User.unit_id, User.id).where(User.role == Role.LIAISON)).all())

    people_first = [f"{s}{t}{k}" for s in SURNAMES for t in TITLES[:3] for k in "甲乙"]
    people_direct = [f"{s}{t}{k}" for s in SURNAMES for t in TITLES for k in "甲乙"]
    sources = list(Source)
    source_w = [25, 20, 20, 10, 20, 5]
    items, events = [], []
    for n in range(1, n_items + 1):
        reg_day = today - timedelta(days=rng.randrange(1, 3 * 365))
        registered = office_time(reg_day, rng)
        item = {
            "id": n, "code": f"{reg_day.year}-{n:06d}", "title": f"督办事项 {n} 整改落实情况",
            "content": "群众反映的问题请查明原因、限期整改并反馈。", "source":
            rng.choices(sources, source_w)[0], "source_ref": None, "urgency": "normal",
            "requirements": None, "registered_by_id": office.id, "registered_at": registered,
            "lead_unit_id": None, "supervising_leader": None, "first_responsible": None,
            "direct_responsible": None, "due_date": None, "original_due_date": None,
            "assigned_at": None, "acknowledged_at": None, "closed_at": None, "closed_on": None,
            "cancelled_at": None, "cancel_reason": None, "archived_at": None,
            "review_opinion": None, "state": ItemState.REGISTERED,
        }
        items.append(item)
        events.append((registered, "register", n))
        if rng.random() < 0.03 and reg_day > today - timedelta(days=5):
            continue  # a few fresh items not yet assigned
        unit = rng.choice(unit_ids)
        assigned_day = reg_day + timedelta(days=rng.randrange(0, 3))
        due = assigned_day + timedelta(days=rng.randrange(7, 61))
        item.update(lead_unit_id=unit, assigned_at=office_time(assigned_day, rng), due_date=due,
                    original_due_date=due, first_responsible=rng.choice(people_first),
                    direct_responsible=rng.choice(people_direct), state=ItemState.ASSIGNED)
        if rng.random() < 0.1:
            item["due_date"] = due = due + timedelta(days=rng.randrange(7, 31))
        events.append((item["assigned_at"], "assign", n))
        if due < today:
            roll = rng.random()
            if roll < 0.03:
                item.update(state=ItemState.CANCELLED, cancel_reason="重复登记",
                            cancelled_at=office_time(min(due, today - timedelta(days=1)), rng))
                events.append((item["cancelled_at"], "cancel", n))
                continue
            if roll < 0.93:
                span = (due - assigned_day).days
                late = rng.random() < 0.2
                closed_on = (due + timedelta(days=rng.randrange(1, 20)) if late
                             else assigned_day + timedelta(days=rng.randrange(1, span + 1)))
                closed_on = min(closed_on, today - timedelta(days=1))
                archived = rng.random() < 0.6
                item.update(state=ItemState.ARCHIVED if archived else ItemState.CLOSED,
                            closed_on=closed_on, closed_at=office_time(closed_on, rng),
                            acknowledged_at=office_time(assigned_day, rng))
                events.append((item["closed_at"], "accept", n))
                if archived:
                    item["archived_at"] = item["closed_at"] + timedelta(days=3)
                    events.append((item["archived_at"], "archive", n))
                continue
        item["state"] = rng.choices(
            [ItemState.ASSIGNED, ItemState.IN_PROGRESS, ItemState.UNDER_REVIEW], [15, 70, 15])[0]
        if item["state"] != ItemState.ASSIGNED:
            item["acknowledged_at"] = office_time(assigned_day, rng)
            events.append((item["acknowledged_at"], "acknowledge", n))
    bulk(SupervisionItem.__table__, items)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval('supervision_item_id_seq', :n)"),
                           {"n": n_items})

    feedback, reminders, hand_backs = [], [], []
    for it in items:
        if it["lead_unit_id"] is None:
            continue
        unit, n, start = it["lead_unit_id"], it["id"], it["assigned_at"]
        end = it["closed_at"] or datetime.now(UTC)
        span = max(1.0, (end - start).total_seconds())

        def moment(start=start, span=span):
            return start + timedelta(seconds=rng.random() * span)

        for _ in range(rng.choice((0, 0, 1, 1, 2, 3, 4))):
            at = moment()
            reminders.append({"item_id": n, "unit_id": unit, "channel": rng.choice(
                ("system", "phone", "document")), "note": None, "automatic": False,
                "created_by_id": office.id, "created_at": at})
            events.append((at, "remind", n))
        if rng.random() < 0.3:
            at = moment()
            feedback.append(_fb(n, unit, liaison[unit], "progress", at, None, None))
        if it["closed_at"] is not None:
            if rng.random() < 0.2:
                at = moment()
                feedback.append(_fb(n, unit, liaison[unit], "final", at, "returned", office.id))
                events.append((at, "return", n))
            feedback.append(_fb(n, unit, liaison[unit], "final", it["closed_at"], "accepted",
                                office.id))
        if rng.random() < 0.03:
            at = moment()
            hand_backs.append({"item_id": n, "unit_id": unit, "reason": "非本单位职责",
                               "state": "refused", "requested_by_id": liaison[unit],
                               "requested_at": at, "decided_by_id": office.id,
                               "decided_at": at + timedelta(hours=2),
                               "decision_note": "属本单位职责"})
            events.append((at, "request_hand_back", n))
    bulk(Reminder.__table__, reminders)
    bulk(Feedback.__table__, feedback)
    bulk(HandBackRequest.__table__, hand_backs)

    # Audit chain: real HMACs over the real canonical form, in id order.
    rows, codes = [], {it["id"]: it["code"] for it in items}
    last_id = db.session.scalar(db.select(db.func.max(AuditEvent.id))) or 0
    prev = db.session.scalar(db.select(AuditEvent.hash).order_by(AuditEvent.id.desc())
                             .limit(1)) or audit.GENESIS
    events.sort(key=lambda e: e[0])  # append in time order, as in life
    for i, (at, action, n) in enumerate(events, start=last_id + 1):
        ev = SimpleNamespace(at=at, actor_id=office.id, actor_name="office", role="office",
                             unit_id=None, action=action, object_type="item",
                             object_id=codes[n], details={"state": action}, ip=None,
                             prev_hash=prev)
        ev.hash = prev = audit.compute_hash(ev)
        rows.append({**vars(ev), "id": i})
    bulk(AuditEvent.__table__, rows)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval('audit_event_id_seq', :n)"),
                           {"n": last_id + len(rows)})
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # the steady state autovacuum would reach
        db.session.close()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return {"units": unit_ids, "codes": [it["code"] for it in items], "today": today,
            "counts": {"items": len(items), "reminders": len(reminders),
                       "feedback": len(feedback), "hand_backs": len(hand_backs),
                       "audit_events": len(rows)}}


def _fb(item_id, unit, user, kind, at, review_state, reviewer) -> dict:
    return {"item_id": item_id, "unit_id": unit, "kind": kind, "actions_taken": "已按要求整改。",
            "result": "已完成" if kind == "final" else None, "completed": True,
            "not_done_reason": None, "next_steps": None, "submitted_by_id": user,
            "submitted_at": at, "review_state": review_state,
            "review_note": "请补充材料" if review_state == "returned" else None,
            "reviewed_by_id": reviewer, "reviewed_at": at if reviewer else None}


# --- measuring ----------------------------------------------------------------------------


def measure(client, make_url, n: int, headers: dict) -> tuple[float, float, int]:
    """p50 and p95 in ms over `n` requests (after 10 warm-up requests), and the last status."""
    status = 0
    for _ in range(10):
        client.get(make_url(), headers=headers)
    times = []
    for _ in range(n):
        url = make_url()
        t0 = time.perf_counter()
        resp = client.get(url, headers=headers)
        times.append((time.perf_counter() - t0) * 1000)
        status = resp.status_code
        if status != 200:
            raise SystemExit(f"{url} -> {status}: {resp.get_data(as_text=True)[:300]}")
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], status


def run(kind: str, size: int, n_requests: int) -> dict[str, tuple[float, float]]:
    uri, drop = sqlite_db() if kind == "sqlite" else postgres_db()
    folder = tempfile.mkdtemp(prefix="duban-bench-")
    try:
        app = make_app(uri, folder)
        rng = random.Random(size)
        with app.app_context():
            from webapp.database import upgrade_schema

            upgrade_schema()
            t0 = time.perf_counter()
            info = seed(size, rng)
            seconds = time.perf_counter() - t0
        print(f"  seeded {info['counts']} in {seconds:.1f} s", flush=True)
        client = app.test_client()
        token = client.post("/api/v1/auth/token",
                            json={"username": "office", "password": PASSWORD}).json
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        year = info["today"].year
        stats_url = f"/api/v1/statistics?start={year}-01-01&end={year}-12-31&group="
        # (url maker, statistics cache on): statistics are measured computed every time and
        # repeated from the per-process cache (valid until the audit chain's head moves).
        cases = {
            "list state=in_progress&unit=X": (lambda: (
                f"/api/v1/items?state=in_progress&unit={rng.choice(info['units'])}"), True),
            "list light=red": (lambda: "/api/v1/items?light=red", True),
            "item detail": (lambda: f"/api/v1/items/{rng.choice(info['codes'])}", True),
            "statistics year per unit (computed)": (lambda: stats_url + "unit", False),
            "statistics year per unit (repeat, cached)": (lambda: stats_url + "unit", True),
            "statistics year per direct_responsible": (
                lambda: stats_url + "direct_responsible", False),
        }
        results = {}
        has_items_api = client.get("/api/v1/items", headers=headers).status_code == 200
        for name, (make_url, cache) in cases.items():
            app.config["STATS_CACHE"] = cache
            if not has_items_api and not name.startswith("statistics"):
                print(f"  {name:45s} no /api/v1/items yet: skipped")
                continue
            p50, p95, _ = measure(client, make_url, n_requests, headers)
            results[name] = (p50, p95)
            print(f"  {name:45s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms", flush=True)
        with app.app_context():
            db.engine.dispose()
        return results
    finally:
        drop()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for kind in kinds:
        table = {}
        for size in sizes:
            print(f"{kind}: {size:,} items", flush=True)
            table[size] = run(kind, size, args.requests)
        print(f"\n{kind} summary: p95 ms per size, growth = p95(largest) / p95(smallest)")
        names = list(table[sizes[0]])
        print(f"  {'request':45s}" + "".join(f"{s:>10,}" for s in sizes) + "    growth  target")
        for name in names:
            p95s = [table[s].get(name, (0, float("nan")))[1] for s in sizes]
            growth = p95s[-1] / p95s[0] if p95s[0] else float("nan")
            ok = p95s[-1] <= 50 and growth <= 3
            print(f"  {name:45s}" + "".join(f"{p:10.1f}" for p in p95s)
                  + f"  {growth:7.2f}x  {'met' if ok else 'MISSED'}")
        print()


if __name__ == "__main__":
    main()
