"""考核: a year's score table per unit (40 units) computed live, read frozen, and freezing it,
at 1k, 10k and 100k items (the items of bench_foundation), SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_scores.py [--sizes 1000,10000,100000] [--db both]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_foundation import PASSWORD, make_app, measure, postgres_db, seed, sqlite_db
from webapp.extensions import db


def run(kind: str, size: int, n_requests: int) -> dict[str, float]:
    uri, drop = sqlite_db() if kind == "sqlite" else postgres_db()
    folder = tempfile.mkdtemp(prefix="duban-bench-")
    try:
        app = make_app(uri, folder)
        with app.app_context():
            from webapp.database import upgrade_schema

            upgrade_schema()
            info = seed(size, random.Random(size))
            db.session.commit()
        client = app.test_client()
        token = client.post("/api/v1/auth/token",
                            json={"username": "office", "password": PASSWORD}).json
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        year = info["today"].year
        resp = client.post("/api/v1/score-periods", headers=headers, json={
            "name": f"{year}年度", "start_on": date(year, 1, 1).isoformat(),
            "end_on": date(year, 12, 31).isoformat()})
        assert resp.status_code == 201, resp.json
        url = f"/api/v1/score-periods/{resp.json['id']}"
        figures = {}
        p50, p95, _ = measure(client, lambda: url, n_requests, headers)
        figures["live p50"], figures["live p95"] = p50, p95
        p50, p95, _ = measure(client, lambda: url + "?items=false", n_requests, headers)
        figures["live without items p50"], figures["live without items p95"] = p50, p95
        body = client.get(url, headers=headers).json
        lines = sum(len(s["lines"]) for s in body["scores"])
        entries = sum(len(ln["entries"]) for s in body["scores"] for ln in s["lines"])
        t0 = time.perf_counter()
        resp = client.post(f"{url}/freeze", headers=headers)
        figures["freeze"] = (time.perf_counter() - t0) * 1000
        assert resp.status_code == 200, resp.json
        p50, p95, _ = measure(client, lambda: url, n_requests, headers)
        figures["frozen p50"], figures["frozen p95"] = p50, p95
        p50, p95, _ = measure(client, lambda: url + "?items=false", n_requests, headers)
        figures["frozen without items p50"], figures["frozen without items p95"] = p50, p95
        page = app.test_client()
        page.post("/login", data={"username": "office", "password": PASSWORD})
        t0 = time.perf_counter()
        xlsx = page.get(f"/scores/{resp.json['period']['id']}/export.xlsx")
        figures["excel"] = (time.perf_counter() - t0) * 1000
        assert xlsx.status_code == 200, xlsx.status_code
        print(f"  {kind} {size:>7,} items: {len(body['scores'])} units, {lines} lines, "
              f"{entries} items behind them; " + ", ".join(
                  f"{k} {v:.1f} ms" for k, v in figures.items()), flush=True)
        with app.app_context():
            db.engine.dispose()
        return figures
    finally:
        drop()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for kind in kinds:
        for size in (int(s) for s in args.sizes.split(",")):
            run(kind, size, args.requests)


if __name__ == "__main__":
    main()
