"""问责 benchmark. Prints figures; it is not a test.

    .venv/bin/python benchmarks/bench_accountability.py [--records 10000 100000]
        [--db sqlite|postgresql] [--requests 50]

A bureau of 40 units with 20 people each (800 persons) and 20,000 items, each naming one of
its unit's people as 第一责任人; records bulk-inserted over five calendar years (约谈 40 %,
通报批评 30 %, 记分 30 % with 1–12 points, 5 % revoked), each linked to one or two items.
Measured through the test client as the office: the overview page for this year (summary,
ranking, newest 500 records), the same filtered by kind and unit, a person's history page and
API, the API list (200 newest), recording one (POST, with its checks and audit event), and the
overview's Excel export for this year.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from benchmarks.bench_foundation import make_app, postgres_db, sqlite_db
from webapp.extensions import db

UNITS, PEOPLE, ITEMS, BATCH = 40, 20, 20_000, 5000
PASSWORD = "bench-password-1"  # noqa: S105 (throw-away accounts in a throw-away database)


def seed(app, n_records: int, rng: random.Random) -> dict:
    from webapp.accountability.models import Accountability, AccountabilityItem
    from webapp.auth import services as auth
    from webapp.auth.models import Role, User
    from webapp.database import local_today, upgrade_schema
    from webapp.org.models import Unit, UnitKind
    from webapp.people.models import Person
    from webapp.supervision.models import SupervisionItem

    with app.app_context():
        upgrade_schema()
        for name, role in (("office", Role.OFFICE), ("leader", Role.LEADER)):
            auth.create_user(username=name, name=name, role=role, password=PASSWORD,
                             skip_policy=True)
        office_id = db.session.scalar(select(User.id).where(User.username == "office"))
        units = []
        for i in range(UNITS):
            unit = Unit(code=f"U{i}", name=f"单位{i}", kind=UnitKind.POLICE_STATION)
            db.session.add(unit)
            db.session.flush()
            units.append(unit.id)
        db.session.execute(insert(Person), [
            {"unit_id": u, "name": f"人员{u}-{k}", "post": "民警", "active": True}
            for u in units for k in range(PEOPLE)])
        people = {}  # unit -> person ids
        for pid, uid in db.session.execute(select(Person.id, Person.unit_id)):
            people.setdefault(uid, []).append(pid)
        today, now = local_today(), datetime.now(UTC)
        rows = []
        for i in range(ITEMS):
            unit = rng.choice(units)
            rows.append({"code": f"B-{i:07d}", "title": f"督办事项{i}", "content": "内容",
                         "source": "other", "urgency": "normal", "state": "in_progress",
                         "lead_unit_id": unit, "first_responsible_id": rng.choice(people[unit]),
                         "first_responsible": "甲", "due_date": today,
                         "original_due_date": today, "registered_by_id": office_id,
                         "registered_at": now, "assigned_at": now})
        for k in range(0, len(rows), BATCH):
            db.session.execute(insert(SupervisionItem), rows[k:k + BATCH])
        items = db.session.execute(select(SupervisionItem.id, SupervisionItem.first_responsible_id,
                                          SupervisionItem.lead_unit_id)).all()
        by_person = {}
        for item_id, pid, uid in items:
            by_person.setdefault(pid, (uid, []))[1].append(item_id)
        persons = list(by_person)
        start = date(today.year - 4, 1, 1)
        span = (today - start).days
        for k in range(0, n_records, BATCH):
            recs, links = [], []
            for _ in range(min(BATCH, n_records - k)):
                pid = rng.choice(persons)
                kind = rng.choices(["interview", "criticism", "points"], [4, 3, 3])[0]
                recs.append({"person_id": pid, "unit_id": by_person[pid][0], "kind": kind,
                             "points": rng.randint(1, 12) if kind == "points" else None,
                             "decided_on": start + timedelta(days=rng.randint(0, span)),
                             "facts": "逾期未办结", "decided_by_id": office_id,
                             "recorded_by_id": office_id, "recorded_at": now,
                             **({"revoked_at": now, "revoked_by_id": office_id,
                                 "revoke_reason": "撤销"} if rng.random() < 0.05 else {})})
            ids = db.session.scalars(insert(Accountability).returning(Accountability.id), recs)
            for rid, rec in zip(ids, recs, strict=True):
                for item_id in set(rng.choices(by_person[rec["person_id"]][1], k=2)):
                    links.append({"record_id": rid, "item_id": item_id,
                                  "role": "first_responsible"})
            db.session.execute(insert(AccountabilityItem), links)
        db.session.commit()
        return {"persons": persons, "units": units, "today": today,
                "items": {p: [c for c in db.session.scalars(
                    select(SupervisionItem.code).where(
                        SupervisionItem.first_responsible_id == p).limit(3))]
                    for p in persons[:50]}}


def timed(fn, n: int) -> tuple[float, float]:
    for _ in range(3):
        fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def run(kind: str, n_records: int, n: int) -> None:
    uri, drop = sqlite_db() if kind == "sqlite" else postgres_db()
    folder = tempfile.mkdtemp(prefix="duban-bench-")
    rng = random.Random(n_records)
    try:
        app = make_app(uri, folder)
        t0 = time.perf_counter()
        info = seed(app, n_records, rng)
        print(f"{kind}, {n_records:,} records: seeded in {time.perf_counter() - t0:.1f} s",
              flush=True)
        client = app.test_client()
        client.post("/login", data={"username": "office", "password": PASSWORD})
        token = client.post("/api/v1/auth/token",
                            json={"username": "office", "password": PASSWORD}).json
        h = {"Authorization": f"Bearer {token['access_token']}"}
        year = info["today"].year

        def get(url, headers=None):
            def call():
                resp = client.get(url() if callable(url) else url, headers=headers)
                if resp.status_code != 200:
                    raise SystemExit(f"{url} -> {resp.status_code}")
            return call

        def post_one():
            pid = rng.choice(list(info["items"]))
            resp = client.post("/api/v1/accountability", headers=h, json={
                "person_id": pid, "kind": "points", "points": 2,
                "decided_on": info["today"].isoformat(), "facts": "基准测试",
                "items": info["items"][pid][:1]})
            if resp.status_code != 201:
                raise SystemExit(f"POST -> {resp.status_code}: {resp.json}")

        cases = {
            "overview page (this year)": get(f"/accountability/?year={year}"),
            "overview page (kind + unit)": get(
                lambda: f"/accountability/?year={year}&kind=points"
                        f"&unit={rng.choice(info['units'])}"),
            "person page": get(lambda: f"/accountability/people/{rng.choice(info['persons'])}"),
            "API person history": get(
                lambda: f"/api/v1/accountability/people/{rng.choice(info['persons'])}", h),
            "API list (200 newest, this year)": get(f"/api/v1/accountability?year={year}", h),
            "API record one (POST)": post_one,
        }
        for name, fn in cases.items():
            p50, p95 = timed(fn, n)
            print(f"  {name:36s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms", flush=True)
        t0 = time.perf_counter()
        resp = client.get(f"/accountability/export.xlsx?year={year}")
        print(f"  {'Excel export (this year)':36s} {time.perf_counter() - t0:7.2f} s, "
              f"{len(resp.data) / 1024:.0f} KB", flush=True)
    finally:
        drop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], nargs="+",
                        default=["sqlite", "postgresql"])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    for kind in args.db:
        for n in args.records:
            run(kind, n, args.requests)


if __name__ == "__main__":
    main()
