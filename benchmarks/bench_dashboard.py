"""Dashboard (驾驶舱) and statistics benchmark: seed 1,000 / 100,000 / 1,000,000 items (with
unit moves, split items and inspections with findings) and measure, computed on every
request (no cache):

- GET /dashboard and GET /api/v1/dashboard through the Flask test client: p50 / p95;
- the statistics table (stats._compute, the uncached path) per unit, per person and per
  source for this year: median, and its growth from the smallest to 100,000 items.

    .venv/bin/python benchmarks/bench_dashboard.py [--sizes 1000,100000,1000000]
        [--db sqlite|postgresql|both] [--requests 40]

Targets: dashboard p95 <= 50 ms at 100,000 items and <= 150 ms at 1,000,000 (SQLite and
PostgreSQL); statistics growth from 1,000 to 100,000 items <= 3x. Prints figures; not a test.

Distribution as bench_foundation.py: ~40 units, registration over the last 3 years, due 7-60
days after assignment; past-due items 90 % closed (80 % on time), 3 % cancelled, 7 % open;
1 % of the items moved to another unit, 0.5 % split into two sub-items; one inspection per
100 items, 60 % with findings, over 10 places per unit.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_foundation import (
    PASSWORD,
    UNITS,
    bulk,
    make_app,
    office_time,
    postgres_db,
    sqlite_db,
)
from sqlalchemy import text

from webapp.extensions import db


def seed(n_items: int, rng: random.Random) -> None:
    from webapp.auth import services as auth
    from webapp.auth.models import Role
    from webapp.database import local_today
    from webapp.inspections.models import (
        Finding,
        FindingCategory,
        Inspection,
        InspectionMode,
        InspectionState,
        Severity,
    )
    from webapp.org.models import Unit, UnitKind
    from webapp.supervision.models import ItemState, ItemUnitChange, Source, SupervisionItem

    today = local_today()
    kinds = list(UnitKind)
    bulk(Unit.__table__, [{"code": f"U{i:03d}", "name": f"单位{i:03d}",
                            "kind": kinds[i % len(kinds)], "active": True}
                           for i in range(1, UNITS + 1)])
    unit_ids = list(db.session.scalars(db.select(Unit.id).order_by(Unit.id)))
    office = auth.create_user(username="office", name="王督办", role=Role.OFFICE,
                              password=PASSWORD, unit=None)
    auth.create_user(username="leader", name="李局长", role=Role.LEADER, password=PASSWORD,
                     unit=None)
    inspector = auth.create_user(username="inspector", name="赵督查", role=Role.INSPECTOR,
                                 password=PASSWORD, unit=None)
    db.session.flush()
    first = [f"{s}所长" for s in "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"]
    direct = [f"{s}{t}" for s in "王李张刘陈杨赵黄周吴" for t in ("科长", "中队长", "民警")]
    sources = list(Source)
    keys = ("id", "code", "title", "content", "source", "urgency", "registered_by_id",
            "registered_at", "lead_unit_id", "first_responsible", "direct_responsible",
            "due_date", "original_due_date", "assigned_at", "closed_at", "closed_on", "state",
            "parent_id", "split_at", "approval_required")
    items, moves = [], []
    n = 0
    while n < n_items:
        n += 1
        reg_day = today - timedelta(days=rng.randrange(1, 3 * 365))
        unit = rng.choice(unit_ids)
        assigned = reg_day + timedelta(days=rng.randrange(0, 3))
        due = assigned + timedelta(days=rng.randrange(7, 61))
        item = dict.fromkeys(keys)
        item.update(id=n, code=f"B-{n:07d}", title=f"督办事项 {n}", content="请限期整改并反馈。",
                    source=rng.choice(sources), urgency="normal", registered_by_id=office.id,
                    registered_at=office_time(reg_day, rng), lead_unit_id=unit,
                    first_responsible=rng.choice(first), direct_responsible=rng.choice(direct),
                    due_date=due, original_due_date=due, assigned_at=office_time(assigned, rng),
                    state=ItemState.IN_PROGRESS, approval_required=False)
        if due < today:
            roll = rng.random()
            if roll < 0.03:
                item["state"] = ItemState.CANCELLED
            elif roll < 0.93:
                late = rng.random() < 0.2
                closed_on = (due + timedelta(days=rng.randrange(1, 20)) if late
                             else assigned + timedelta(days=rng.randrange(1, (due - assigned).days
                                                                           + 1)))
                closed_on = min(closed_on, today - timedelta(days=1))
                item.update(state=rng.choice([ItemState.CLOSED, ItemState.ARCHIVED]),
                            closed_on=closed_on, closed_at=office_time(closed_on, rng))
        items.append(item)
        if rng.random() < 0.01:  # 转办 to another unit some days after assignment
            other = rng.choice([u for u in unit_ids if u != unit])
            moved_on = assigned + timedelta(days=rng.randrange(1, 90))
            if moved_on < today:
                item["lead_unit_id"] = other
                moves.append({"item_id": n, "from_unit_id": unit, "to_unit_id": other,
                              "changed_on": moved_on, "changed_at": office_time(moved_on, rng)})
        if rng.random() < 0.005 and n + 2 <= n_items:  # 分解 into two sub-items
            item.update(lead_unit_id=None, state=ItemState.SPLIT, split_at=item["assigned_at"],
                        closed_on=None, closed_at=None)
            for _ in range(2):
                n += 1
                child = dict(item)
                child.update(id=n, code=f"B-{n:07d}", parent_id=item["id"], split_at=None,
                             lead_unit_id=rng.choice(unit_ids), state=ItemState.IN_PROGRESS)
                items.append(child)
    bulk(SupervisionItem.__table__, items)
    bulk(ItemUnitChange.__table__, moves)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval('supervision_item_id_seq', :n)"), {"n": n})

    inspections, findings = [], []
    categories = list(FindingCategory)
    for k in range(1, max(10, n_items // 100) + 1):
        unit = rng.choice(unit_ids)
        inspections.append({
            "id": k, "uuid": str(uuid.UUID(int=rng.getrandbits(128))), "target_unit_id": unit,
            "mode": InspectionMode.UNANNOUNCED, "state": rng.choice(
                [InspectionState.SUBMITTED, InspectionState.PUBLISHED]),
            "started_at": office_time(today - timedelta(days=rng.randrange(0, 3 * 365)), rng),
            "place": f"地点{rng.randrange(10)}", "inspector_id": inspector.id,
            "body_hash": "0" * 64, "created_at": datetime.now(UTC)})
        if rng.random() < 0.6:
            for pos in range(rng.randrange(1, 3)):
                findings.append({"uuid": str(uuid.UUID(int=rng.getrandbits(128))),
                                 "inspection_id": k, "category": rng.choice(categories),
                                 "severity": Severity.MINOR, "description": "问题",
                                 "position": pos})
    bulk(Inspection.__table__, inspections)
    bulk(Finding.__table__, findings)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval('inspection_id_seq', :n)"),
                           {"n": len(inspections)})
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
    db.session.commit()


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def measure(kind: str, size: int, requests: int) -> dict:
    uri, drop = sqlite_db() if kind == "sqlite" else postgres_db()
    folder = tempfile.mkdtemp(prefix="duban-bench-dash-")
    try:
        app = make_app(uri, folder)
        app.config["STATS_CACHE"] = False
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            t0 = time.perf_counter()
            seed(size, random.Random(size))
            seeded = time.perf_counter() - t0
        client = app.test_client()
        resp = client.post("/login", data={"username": "leader", "password": PASSWORD})
        assert resp.status_code == 302, resp.status_code
        out = {"db": kind, "items": size, "seed_s": round(seeded, 1)}
        for path in ("/dashboard", "/api/v1/dashboard"):
            client.get(path)  # warm
            times, cpu = [], []
            for _ in range(requests):
                t, c = time.perf_counter(), time.process_time()
                r = client.get(path)
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
                assert r.status_code == 200, r.status_code
            out[f"{path} p50"] = round(statistics.median(times), 1)
            out[f"{path} p95"] = round(_pct(times, 0.95), 1)
            # CPU time of this process (SQLite runs in it): less disturbed by a busy machine
            out[f"{path} cpu p95"] = round(_pct(cpu, 0.95), 1)
        with app.test_request_context():
            from webapp.database import local_today
            from webapp.supervision.stats import Group, Period, _compute, period_bounds

            start, end = period_bounds(Period.YEAR, local_today())
            for group in (Group.UNIT, Group.FIRST_RESPONSIBLE, Group.SOURCE):
                _compute(start, end, group)
                times = []
                for _ in range(max(5, requests // 4)):
                    t = time.perf_counter()
                    _compute(start, end, group)
                    times.append((time.perf_counter() - t) * 1000)
                out[f"stats {group.value}"] = round(statistics.median(times), 1)
        return out
    finally:
        with app.app_context():
            db.engine.dispose()
        drop()


def main() -> None:
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
          flush=True)
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--db", default="both", choices=("sqlite", "postgresql", "both"))
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    for kind in kinds:
        results = []
        for size in (int(s) for s in args.sizes.split(",")):
            r = measure(kind, size, args.requests)
            results.append(r)
            print("  ".join(f"{k}={v}" for k, v in r.items()), flush=True)
        small = results[0]
        for r in results[1:]:
            growth = {k.removeprefix("stats "): round(r[k] / small[k], 2)
                      for k in r if k.startswith("stats ")}
            print(f"{kind}: statistics growth {small['items']} -> {r['items']} items: {growth}",
                  flush=True)


if __name__ == "__main__":
    main()
