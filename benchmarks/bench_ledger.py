"""督办台账: the Excel export of the item list (10,000 rows by default) and the import of the
template (1,000 rows), each through its real HTTP request. Prints figures; it is not a test.

    .venv/bin/python benchmarks/bench_ledger.py [--items 10000] [--rows 1000]
                                                [--db sqlite|postgresql]

SQLite in a temporary folder, or a temporary database on postgresql://postgres@127.0.0.1:5432/test
(dropped after the run). The items are inserted in bulk (units, people linked and legacy
names, a feedback on every other item); the export is the office's whole list, unfiltered, and
a liaison's (one unit's). The import registers and assigns every row (登记 and 交办 events
and the 交办 notifications included), all in one request; its SQL statements are counted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp import create_app
from webapp.extensions import db

PG_BASE = "postgresql://postgres@127.0.0.1:5432/test"
PASSWORD = "bench-password-1"  # noqa: S105 (a throw-away account in a throw-away database)
UNITS = 12


def _database(kind: str):
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='duban-ledger-')}/bench.sqlite3", None
    import psycopg

    name = f"duban_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_BASE, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(PG_BASE, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgresql://postgres@127.0.0.1:5432/{name}", drop


def _seed(n: int) -> None:
    from sqlalchemy import insert

    from webapp.auth import services as auth
    from webapp.auth.models import Role
    from webapp.database import local_today, utcnow
    from webapp.numbering import SequenceCounter
    from webapp.org.models import Unit, UnitKind
    from webapp.people.models import Person
    from webapp.supervision.models import (
        Feedback,
        FeedbackKind,
        ItemState,
        Source,
        SupervisionItem,
        Urgency,
    )

    units = [Unit(code=f"PCS-{i}", name=f"第{i}派出所", kind=UnitKind.POLICE_STATION)
             for i in range(UNITS)]
    db.session.add_all(units)
    db.session.flush()
    office = auth.create_user(username="office", name="王督办", role=Role.OFFICE,
                              password=PASSWORD, unit=None)
    auth.create_user(username="liaison", name="陈联络", role=Role.LIAISON, password=PASSWORD,
                     unit=units[0])
    chiefs = [Person(unit_id=u.id, name=f"张所长{i}", post="所长") for i, u in enumerate(units)]
    db.session.add_all(chiefs)
    db.session.flush()
    today, now, year = local_today(), utcnow(), local_today().year
    states = [ItemState.IN_PROGRESS, ItemState.ASSIGNED, ItemState.UNDER_REVIEW,
              ItemState.CLOSED, ItemState.REGISTERED]
    rows = []
    for i in range(n):
        state, u = states[i % len(states)], i % UNITS
        assigned = state != ItemState.REGISTERED
        rows.append({
            "code": f"{year}-{i + 1:03d}", "title": f"整改第{i}号窗口群众排队时间过长问题",
            "content": "群众反映户籍窗口排队超过一小时，请查明原因，限期整改。" * 3,
            "source": Source.COMPLAINT, "urgency": Urgency.NORMAL, "state": state,
            "requirements": "查明原因，限期整改，书面反馈。",
            "lead_unit_id": units[u].id if assigned else None,
            "first_responsible_id": chiefs[u].id if assigned else None,
            "first_responsible": chiefs[u].name if assigned else None,
            "direct_responsible": "李副所长" if assigned else None,
            "due_date": today + timedelta(days=i % 40 - 10) if assigned else None,
            "original_due_date": today + timedelta(days=i % 40 - 10) if assigned else None,
            "registered_by_id": office.id, "registered_at": now,
            "assigned_at": now if assigned else None,
        })
    db.session.execute(insert(SupervisionItem), rows)
    db.session.add(SequenceCounter(scope="item", year=year, value=n))
    ids = db.session.scalars(db.select(SupervisionItem.id).where(
        SupervisionItem.lead_unit_id.is_not(None)).order_by(SupervisionItem.id)).all()
    unit_of = dict(db.session.execute(db.select(SupervisionItem.id,
                                                SupervisionItem.lead_unit_id)).all())
    db.session.execute(insert(Feedback), [
        {"item_id": i, "unit_id": unit_of[i], "kind": FeedbackKind.PROGRESS,
         "actions_taken": "已召开专题会议，增开两个窗口，实行网上预约办理。" * 2,
         "result": None, "completed": True, "submitted_by_id": office.id,
         "submitted_at": now} for i in ids[::2]])
    db.session.commit()


def _client(app, username: str):
    client = app.test_client()
    resp = client.post("/login", data={"username": username, "password": PASSWORD})
    assert resp.status_code == 302, resp.status_code
    return client


def _export(client, query: str = "") -> tuple[float, float, int, int]:
    from openpyxl import load_workbook

    start, cpu = time.perf_counter(), time.process_time()
    resp = client.get(f"/items/export.xlsx{query}")
    body = resp.get_data()
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert resp.status_code == 200, resp.status_code
    rows = sum(1 for _ in load_workbook(BytesIO(body), read_only=True).worksheets[0]
               .iter_rows(values_only=True)) - 1
    return took, cpu, rows, len(body)


def _import_file(n: int) -> bytes:
    from openpyxl import Workbook

    from webapp.database import local_today
    from webapp.ledger.importer import COLUMNS

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("督办事项")
    ws.append([c.header for c in COLUMNS])
    due = (local_today() + timedelta(days=30)).isoformat()
    for i in range(n):
        row = {"标题": f"导入事项{i}", "事项内容": "核查群众反映的问题并反馈。", "来源": "上级交办",
               "紧急程度": "急件", "承办单位": f"第{i % UNITS}派出所", "办理时限": due,
               "第一责任人": f"张所长{i % UNITS}", "直接责任人": "李副所长"}
        ws.append([row.get(c.header) for c in COLUMNS])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _count_statements(app):
    """Count the statements sent from now on; call the result to stop and read the count."""
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    seen = [0]

    def count(*_args) -> None:
        seen[0] += 1

    event.listen(engine, "before_cursor_execute", count)

    def stop() -> int:
        event.remove(engine, "before_cursor_execute", count)
        return seen[0]
    return stop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    uri, drop = _database(args.db)
    app = create_app({"SECRET_KEY": "bench", "AUDIT_HMAC_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": uri,
                      "UPLOAD_ROOT": tempfile.mkdtemp(prefix="duban-ledger-up-"),
                      "PASSWORD_HASH_METHOD": "scrypt:1024:8:1", "WTF_CSRF_ENABLED": False})
    try:
        with app.app_context():
            from webapp.cli import upgrade_schema

            upgrade_schema()
            t0 = time.perf_counter()
            _seed(args.items)
            print(f"[{args.db}] seeded {args.items} items in {time.perf_counter() - t0:.1f} s")
        office = _client(app, "office")
        _export(office, "?q=nothing-matches")  # warm-up (templates, first queries)
        for label, client, query in (("office, all items", office, ""),
                                     ("office, sorted by 时限", office, "?sort=due&dir=desc"),
                                     ("liaison, one unit", _client(app, "liaison"), "")):
            took, cpu, rows, size = _export(client, query)
            print(f"[{args.db}] export ({label}): {rows} rows in {took:.2f} s "
                  f"(CPU {cpu:.2f} s; {rows / took:.0f} rows/s, {size / 1024:.0f} KiB)")
        with app.app_context():
            data = _import_file(args.rows)
        statements = _count_statements(app)
        start, cpu = time.perf_counter(), time.process_time()
        resp = office.post("/items/import", data={"file": (BytesIO(data), "bench.xlsx")},
                           content_type="multipart/form-data")
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        statements = statements()
        assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
        with app.app_context():
            from webapp.supervision.models import SupervisionItem

            total = db.session.scalar(db.select(db.func.count(SupervisionItem.id)))
        print(f"[{args.db}] import: {args.rows} rows registered and assigned in {took:.2f} s "
              f"(CPU {cpu:.2f} s; {args.rows / took:.0f} rows/s; {statements} SQL statements, "
              f"an executemany counted once); items now {total}")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if drop:
            drop()


if __name__ == "__main__":
    main()
