"""API throughput under load: the item list next to a trivial endpoint, in one run.

Run: .venv/bin/python benchmarks/bench_api_throughput.py [--db sqlite|postgres] [--seconds 10]

Starts gunicorn (gthread, 2 workers, --preload; 1 thread each, then 4 as `make run` does) on
a temporary site with the demo data, takes an office token, and measures with wrk (1 thread,
32 connections) the trivial /healthz, then GET /api/v1/items (20 items a page, Bearer token).
Prints requests per second and the item list's share of the trivial endpoint's rate in the
same run. Targets: >= 1,500 req/s and >= 25 %.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve import flask, gunicorn, site_env, token, wrk

PG = "postgresql://postgres@127.0.0.1:5432/test"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-api-"))
    database = None
    if args.db == "postgres":
        import psycopg

        name = f"bench_api_{tmp.name.replace('-', '_')}"
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        database = PG.rsplit("/", 1)[0] + "/" + name
    env = site_env(tmp, database)
    results = []
    try:
        flask(env, "init-db")
        flask(env, "seed-demo")
        for threads in args.threads:
            with gunicorn(env, workers=2, threads=threads) as (_, port):
                headers = token(port, "office", "duban-demo-2026")
                wrk(port, "/api/v1/items", headers, seconds=2)  # warm both workers
                trivial = wrk(port, "/healthz", seconds=args.seconds)
                items = wrk(port, "/api/v1/items", headers, seconds=args.seconds)
                results.append((threads, trivial, items))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if database:
            with psycopg.connect(PG, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"{args.db}, wrk 1 thread 32 connections {args.seconds} s each")
    for threads, trivial, items in results:
        share = items / trivial
        print(f"  gunicorn gthread 2x{threads}: /healthz {trivial:6.0f} req/s, "
              f"GET /api/v1/items {items:6.0f} req/s ({share:.0%} of trivial)  "
              f"target >= 1500 and >= 25 %: "
              f"{'ok' if items >= 1500 and share >= 0.25 else 'MISSED'}")


if __name__ == "__main__":
    main()
