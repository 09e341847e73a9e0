"""Issuing documents: number allocation + record insert (one transaction each), sequential and
from 8 threads at once, and the end-to-end issue → render → store time of a 督办通知.
Prints figures; it is not a test.

    .venv/bin/python benchmarks/bench_issue.py [--docs 200] [--db sqlite|postgresql]

SQLite in a temporary folder, or a temporary database on postgresql://postgres@127.0.0.1:5432/test
(dropped after the run). Every figure is for the real services (audit event included).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp import create_app
from webapp.extensions import db

PG_BASE = "postgresql://postgres@127.0.0.1:5432/test"
PASSWORD = "bench-password-1"  # noqa: S105 (a throw-away account in a throw-away database)


def _database(kind: str):
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='duban-issue-')}/bench.sqlite3", None
    import psycopg

    name = f"duban_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_BASE, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(PG_BASE, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgresql://postgres@127.0.0.1:5432/{name}", drop


def _seed(n: int) -> tuple[int, list[str]]:
    from webapp.auth import services as auth
    from webapp.auth.models import Role
    from webapp.database import local_today
    from webapp.org.models import Unit, UnitKind
    from webapp.supervision import services
    from webapp.supervision.models import Source

    unit = Unit(code="PCS-A", name="城关派出所", kind=UnitKind.POLICE_STATION)
    db.session.add(unit)
    office = auth.create_user(username="office", name="王督办", role=Role.OFFICE,
                              password=PASSWORD, unit=None)
    liaison = auth.create_user(username="liaison", name="陈联络", role=Role.LIAISON,
                               password=PASSWORD, unit=unit)
    codes = []
    for i in range(n):
        item = services.register_item(actor=office, title=f"基准事项{i}", content="内容。" * 20,
                                      source=Source.COMPLAINT)
        services.assign_item(item, actor=office, lead_unit=unit,
                             due_date=local_today() + timedelta(days=10),
                             first_responsible="张所长", direct_responsible="李副所长")
        codes.append(item.code)
    del liaison
    db.session.commit()
    return office.id, codes


def _issue(office_id: int, code: str) -> float:
    from webapp.auth.models import User
    from webapp.documents import services
    from webapp.supervision.services import item_by_code

    start = time.perf_counter()
    services.issue_document("notice", actor=db.session.get(User, office_id),
                            item=item_by_code(code))
    db.session.commit()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    uri, drop = _database(args.db)
    upload = tempfile.mkdtemp(prefix="duban-issue-up-")
    app = create_app({"SECRET_KEY": "bench", "AUDIT_HMAC_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": uri, "UPLOAD_ROOT": upload,
                      "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})
    try:
        with app.app_context():
            from webapp.cli import upgrade_schema

            upgrade_schema()
            office_id, codes = _seed(args.docs * 2 + 5)
        seq_codes, thread_codes, render_codes = (codes[:args.docs],
                                                 codes[args.docs:2 * args.docs], codes[-5:])
        with app.app_context():
            times = [_issue(office_id, c) for c in seq_codes]
        print(f"[{args.db}] sequential issue: {len(times)} documents, "
              f"median {statistics.median(times) * 1000:.1f} ms, "
              f"p95 {sorted(times)[int(len(times) * 0.95) - 1] * 1000:.1f} ms")

        chunks = [thread_codes[i::8] for i in range(8)]

        def worker(chunk):
            with app.app_context():
                for c in chunk:
                    _issue(office_id, c)
                    db.session.remove()

        start = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(ch,)) for ch in chunks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        print(f"[{args.db}] 8 threads: {len(thread_codes)} documents in {wall:.2f} s "
              f"({len(thread_codes) / wall:.0f} documents/s)")

        from webapp.auth.models import User
        from webapp.documents import services
        from webapp.documents.models import Document
        from webapp.supervision.services import item_by_code

        with app.app_context():
            seqs = sorted(db.session.scalars(db.select(Document.sequence)))
            print(f"[{args.db}] numbers 1..{len(seqs)} gapless: "
                  f"{seqs == list(range(1, len(seqs) + 1))}")
            for code in render_codes:
                actor = db.session.get(User, office_id)
                t0 = time.perf_counter()
                doc = services.issue_document("notice", actor=actor, item=item_by_code(code))
                db.session.commit()
                t1 = time.perf_counter()
                ok = services.render_document(doc, actor=actor)
                db.session.commit()
                t2 = time.perf_counter()
                print(f"[{args.db}] issue {doc.doc_number}: record {1000 * (t1 - t0):.0f} ms, "
                      f"render+store docx+pdf {t2 - t1:.2f} s ({'ok' if ok else 'FAILED'}), "
                      f"pdf {doc.pdf_size} B, docx {doc.docx_size} B")
        with app.app_context():
            db.engine.dispose()
    finally:
        if drop:
            drop()


if __name__ == "__main__":
    main()
