"""To-do, escalation and notification benchmark. Prints figures; it is not a test.

    .venv/bin/python benchmarks/bench_todo.py [--items 100000] [--db sqlite|postgresql]
        [--messages 3000] [--requests 100] [--cadences 2000] [--recurrences 40]

Targets: the day's escalation over 100,000 open items ≤ 2 s; the worker delivers
≥ 300 notifications/s to a local HTTP receiver; the to-do page p95 ≤ 30 ms at 100,000 items;
the menu counts add ≤ 3 ms to every page.

Items are bulk-inserted (executemany) over 40 units with a liaison each: all open, due dates
uniform from 10 days ago to 390 days ahead (≈ 2.5 % overdue, a city bureau's open stock). The
escalation is measured in steady state: `tick` for yesterday first (not timed: it catches up
on every overdue item once), then today's; 2,000 of the items in progress report progress
weekly or fortnightly (a feedback cadence each, started up to 60 days ago), so the round
checks their reports too. Then 40 monthly recurrences start today and `tick` runs again: it
makes their items through the services. The receiver runs in its own process.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from benchmarks.bench_foundation import make_app, postgres_db, sqlite_db
from webapp.extensions import db

BATCH = 5000
UNITS = 40
PASSWORD = "bench-password-1"  # noqa: S105 (throw-away accounts in a throw-away database)


def receiver(port_queue):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


def seed(app, n: int, cadences: int) -> None:
    from webapp.auth import services as auth
    from webapp.auth.models import Role, User
    from webapp.database import local_today
    from webapp.org.models import Unit, UnitKind
    from webapp.supervision.models import SupervisionItem

    with app.app_context():
        from webapp.cli import upgrade_schema

        upgrade_schema()
        for name, role in (("office", Role.OFFICE), ("leader", Role.LEADER)):
            auth.create_user(username=name, name=name, role=role, password=PASSWORD,
                             skip_policy=True)
        units = []
        for i in range(UNITS):
            unit = Unit(code=f"U{i}", name=f"单位{i}", kind=UnitKind.POLICE_STATION)
            db.session.add(unit)
            db.session.flush()
            auth.create_user(username=f"liaison{i}", name=f"联络员{i}", role=Role.LIAISON,
                             password=PASSWORD, unit=unit, skip_policy=True)
            units.append(unit.id)
        office_id = db.session.scalar(select(User.id).where(User.username == "office"))
        today, now = local_today(), datetime.now(UTC)
        rows = []
        for i in range(n):
            due = today + timedelta(days=random.randint(-10, 390))
            rows.append({"code": f"B-{i:07d}", "title": f"督办事项{i}", "content": "内容",
                         "source": "other", "urgency": random.choice(
                             ["normal"] * 6 + ["urgent"] * 3 + ["very_urgent"]),
                         "state": random.choice(["assigned", "in_progress", "in_progress"]),
                         "lead_unit_id": random.choice(units), "first_responsible": "甲",
                         "direct_responsible": "乙", "due_date": due,
                         "original_due_date": due, "registered_by_id": office_id,
                         "registered_at": now, "assigned_at": now})
            if len(rows) == BATCH:
                db.session.execute(insert(SupervisionItem), rows)
                rows = []
        if rows:
            db.session.execute(insert(SupervisionItem), rows)
        from webapp.recurring.models import FeedbackCadence

        in_progress = db.session.scalars(select(SupervisionItem.id).where(
            SupervisionItem.state == "in_progress").limit(cadences)).all()
        db.session.execute(insert(FeedbackCadence), [
            {"item_id": i, "every_days": random.choice([7, 14]), "set_at": now,
             "start_on": today - timedelta(days=random.randint(0, 60))} for i in in_progress])
        db.session.commit()


def bench_tick(app) -> None:
    from webapp.database import local_today
    from webapp.escalation.services import tick

    with app.app_context():
        today = local_today()
        tick(today - timedelta(days=1))
        db.session.commit()
        start = time.perf_counter()
        report = tick(today)
        db.session.commit()
        took = time.perf_counter() - start
    print(f"escalation tick (today, steady state): {took:.2f} s — {report.summary()}"
          f"  [target ≤ 2 s]")


def bench_periods(app, n: int) -> None:
    from webapp.auth.models import User
    from webapp.database import local_today
    from webapp.escalation.services import tick
    from webapp.recurring.models import Recurrence

    with app.app_context():
        today = local_today()
        office = db.session.scalar(select(User.id).where(User.username == "office"))
        db.session.execute(insert(Recurrence), [
            {"title": f"月度报告{i}", "content": "内容", "source": "other", "urgency": "normal",
             "lead_unit_id": i % UNITS + 1, "first_responsible": "甲",
             "direct_responsible": "乙", "frequency": "monthly", "due_month": 1, "due_day": 31,
             "start_on": today, "created_by_id": office, "created_at": datetime.now(UTC)}
            for i in range(n)])
        db.session.commit()
        start = time.perf_counter()
        report = tick(today)
        db.session.commit()
        took = time.perf_counter() - start
    print(f"tick again with {n} monthly recurrences starting today: {took:.2f} s — "
          f"{report.summary()} ({took / max(1, len(report.created)) * 1000:.0f} ms an item)")


def bench_worker(app, messages: int) -> None:
    from webapp.notify import services, worker
    from webapp.notify.models import Notification
    from webapp.supervision.models import SupervisionItem

    queue = multiprocessing.Queue()
    proc = multiprocessing.Process(target=receiver, args=(queue,), daemon=True)
    proc.start()
    port = queue.get(timeout=10)
    app.config.update(NOTIFY_SMS_URL=f"http://127.0.0.1:{port}/sms", NOTIFY_SMS_SECRET=PASSWORD,
                      NOTIFY_QUIET_HOURS="")
    try:
        with app.app_context():
            from webapp.auth.models import User
            from webapp.people.services import person_for_user

            for user in db.session.scalars(select(User)):
                person_for_user(user).mobile = "13800000000"
            db.session.execute(Notification.__table__.delete())
            item = db.session.scalar(select(SupervisionItem).limit(1))
            item.urgency = "very_urgent"  # no daily SMS limit: one message per send
            while db.session.query(Notification).filter(
                    Notification.channel == "sms").count() < messages:
                services.send("reminded", item=item, recipients=("office", "lead_liaisons"))
            db.session.commit()
            total = db.session.query(Notification).filter(Notification.channel == "sms").count()
            start = time.perf_counter()
            sent = worker.run(once=True)
            took = time.perf_counter() - start
        print(f"worker: {sent} of {total} SMS to a local HTTP receiver in {took:.2f} s = "
              f"{sent / took:.0f}/s  [target ≥ 300/s]")
    finally:
        proc.terminate()


def bench_pages(app, requests: int) -> None:
    from webapp.auth.models import User
    from webapp.todo import services

    for username in ("office", "leader", "liaison0"):
        client = app.test_client()
        client.post("/login", data={"username": username, "password": PASSWORD})
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            resp = client.get("/todo/")
            times.append((time.perf_counter() - start) * 1000)
            assert resp.status_code == 200
        with app.app_context():
            user = db.session.scalar(select(User).where(User.username == username))
            counts = []
            for _ in range(requests):
                start = time.perf_counter()
                sum(services.counts(user).values())
                counts.append((time.perf_counter() - start) * 1000)
        p95 = statistics.quantiles(times, n=20)[18]
        print(f"to-do page as {username}: p95 {p95:.1f} ms, median "
              f"{statistics.median(times):.1f} ms  [target p95 ≤ 30 ms]; menu counts median "
              f"{statistics.median(counts):.2f} ms  [target ≤ 3 ms]")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--cadences", type=int, default=2000)
    parser.add_argument("--recurrences", type=int, default=40)
    args = parser.parse_args()
    random.seed(8)
    uri, drop = sqlite_db() if args.db == "sqlite" else postgres_db()
    folder = tempfile.mkdtemp(prefix="duban-bench-todo-")
    try:
        app = make_app(uri, folder)
        start = time.perf_counter()
        seed(app, args.items, args.cadences)
        print(f"{args.db}: {args.items:,} open items seeded in "
              f"{time.perf_counter() - start:.0f} s")
        bench_tick(app)
        bench_periods(app, args.recurrences)
        bench_pages(app, args.requests)
        bench_worker(app, args.messages)
        with app.app_context():
            db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
