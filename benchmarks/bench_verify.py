"""扫码验真: answer times of /v/<code> — a valid code anonymously, an absent code anonymously and
signed in, a document signed in without access (hidden) and with access. Absent and hidden
must take the same time (the page says nothing more by its timing). Prints figures.

    .venv/bin/python benchmarks/bench_verify.py [--docs 500] [--db sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_issue import PASSWORD, _database, _seed
from webapp import create_app
from webapp.extensions import db

RUNS = 400


def _issue_all(office_id: int, codes: list[str]) -> list[str]:
    """Issue a 督办通知 per item (no files: the page reads rows only); their verify codes."""
    from webapp.auth.models import User
    from webapp.documents import services
    from webapp.supervision.services import item_by_code

    office = db.session.get(User, office_id)
    found = []
    for code in codes:
        doc = services.issue_document("notice", actor=office, item=item_by_code(code))
        found.append(doc.verify_code)
        db.session.info.pop("duban_after_commit", None)  # no render: rows are what is read
    db.session.commit()
    return found


def _measure(rows) -> dict[str, tuple[float, float]]:
    """Per row, median wall and CPU ms of one request; the rows take turns request by request,
    so a burst of other load on the machine falls on all of them alike."""
    wall: dict[str, list[float]] = {name: [] for name, _, _ in rows}
    cpu: dict[str, list[float]] = {name: [] for name, _, _ in rows}
    for i in range(RUNS):
        for name, client, urls in rows:
            start, start_cpu = time.perf_counter(), time.process_time()
            resp = client.get(urls[i % len(urls)])
            wall[name].append((time.perf_counter() - start) * 1000)
            cpu[name].append((time.process_time() - start_cpu) * 1000)
            assert resp.status_code == 200
    return {name: (statistics.median(wall[name]), statistics.median(cpu[name]))
            for name in wall}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    uri, drop = _database(args.db)
    import tempfile

    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench",
                      "AUDIT_HMAC_KEY": "bench", "UPLOAD_ROOT": tempfile.mkdtemp(),
                      "SESSION_COOKIE_SECURE": False, "WTF_CSRF_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})
    try:
        with app.app_context():
            from webapp.auth import services as auth
            from webapp.auth.models import Role
            from webapp.cli import upgrade_schema
            from webapp.org.models import Unit, UnitKind

            upgrade_schema()
            office_id, items = _seed(args.docs)
            other = Unit(code="JJ-B", name="交警大队", kind=UnitKind.TRAFFIC)
            db.session.add(other)
            auth.create_user(username="outsider", name="刘联络", role=Role.LIAISON,
                             password=PASSWORD, unit=other)
            db.session.commit()
            codes = _issue_all(office_id, items)
        absent = [f"/v/{c[::-1]}" for c in codes]  # same length and alphabet, no document
        present = [f"/v/{c}" for c in codes]
        anonymous = app.test_client()
        outsider, office = app.test_client(), app.test_client()
        outsider.post("/login", data={"username": "outsider", "password": PASSWORD})
        office.post("/login", data={"username": "office", "password": PASSWORD})
        print(f"{args.docs} issued documents on {args.db}; {RUNS} requests each, taking turns "
              "(median wall / CPU ms)")
        rows = [("anonymous, valid", anonymous, present),
                ("anonymous, absent", anonymous, absent),
                ("signed in, hidden (no access)", outsider, present),
                ("signed in, absent", outsider, absent),
                ("signed in with access (details)", office, present)]
        _measure(rows)  # warm-up
        figures = _measure(rows)
        for name, (median, cpu) in figures.items():
            print(f"  {name:34s} {median:6.2f} / {cpu:6.2f}")
        hidden, absent_in = figures["signed in, hidden (no access)"][1], \
            figures["signed in, absent"][1]
        apart = abs(hidden - absent_in) / absent_in * 100
        print(f"  hidden vs absent (signed in, CPU): {apart:.1f} % apart (target: ≤ 10 %)")
    finally:
        if drop:
            drop()


if __name__ == "__main__":
    main()
