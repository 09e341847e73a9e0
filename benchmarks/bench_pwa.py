"""The phone app's first load: transfer size (gzip) of the app shell, and Lighthouse scores.

Serves the app from this process (werkzeug, temporary SQLite database with 40 units and
their checklists), logs an inspector in and measures:
- the bytes a phone downloads on its first visit to /m/ (HTML, CSS, JS modules, icon,
  manifest), raw and gzip-compressed (level 6, what a reverse proxy would send) — target
  ≤ 150 KB gzip; and everything the service worker precaches;
- Lighthouse 12 (mobile, simulated throttling) on the inspection form /m/#/new, when
  `npx lighthouse@12` can run here — targets: performance and accessibility ≥ 0.95.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from webapp import create_app  # noqa: E402
from webapp.auth.models import Role  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.pwa.views import shell_urls  # noqa: E402

PASSWORD = "bench-password-1234"  # noqa: S105 (a throwaway account in a temporary database)
KINDS = ["police_station", "traffic", "window", "criminal", "department", "other"]


def build_app(tmp: Path):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "bench", "AUDIT_HMAC_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "UPLOAD_ROOT": str(tmp / "uploads"), "SESSION_COOKIE_SECURE": False,
        "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    })
    app.instance_path = str(tmp)
    with app.app_context():
        from webapp.auth import services
        from webapp.database import upgrade_schema
        from webapp.org.models import Unit, UnitKind

        upgrade_schema()
        for i in range(40):
            db.session.add(Unit(code=f"U{i:02d}", name=f"第{i + 1}单位",
                                kind=UnitKind(KINDS[i % len(KINDS)])))
        try:
            from webapp.inspections.models import ChecklistItem

            for kind in KINDS:
                for n in range(8):
                    text = f"第{n + 1}项检查内容：窗口有人值守，着装规范"
                    db.session.add(ChecklistItem(unit_kind=UnitKind(kind), category="检查",
                                                 text=text, position=n))
        except ImportError:
            pass
        services.create_user(username="bench", name="测督查", role=Role.INSPECTOR,
                             password=PASSWORD, unit=None)
        db.session.commit()
    return app


def first_load(client, precached: list[str]) -> None:
    """Bytes of the shell: what the page loads, and what the service worker precaches."""

    html = client.get("/m/")
    assert html.status_code == 200, html.status_code
    page = html.get_data(as_text=True)
    loaded = ["/m/", *re.findall(r'(?:href|src)="(/m/[^"]+)"', page)]
    rows = []
    for url in dict.fromkeys([*loaded, *precached]):
        with client.get(url) as resp:
            body = resp.get_data()
        rows.append((url, len(body), len(gzip.compress(body, 6)), url in loaded))
    width = max(len(r[0]) for r in rows)
    print(f"{'file':<{width}}  {'bytes':>8}  {'gzip':>8}  first page load")
    for url, raw, packed, on_page in rows:
        print(f"{url:<{width}}  {raw:>8}  {packed:>8}  {'yes' if on_page else 'precache'}")
    page_raw = sum(r[1] for r in rows if r[3])
    page_gz = sum(r[2] for r in rows if r[3])
    all_gz = sum(r[2] for r in rows)
    print(f"first page load: {page_raw / 1024:.1f} KB raw, {page_gz / 1024:.1f} KB gzip "
          f"(target ≤ 150 KB gzip)")
    print(f"service worker precache in all: {sum(r[1] for r in rows) / 1024:.1f} KB raw, "
          f"{all_gz / 1024:.1f} KB gzip")


def lighthouse(url: str, cookie: str) -> None:
    npx = shutil.which("npx")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not npx or not Path(chromium).exists():
        print("Lighthouse: not run (needs npx and /usr/bin/chromium)")
        return
    profile = tempfile.mkdtemp(prefix="lh-")
    cmd = [npx, "--yes", "lighthouse@12", url, "--quiet", "--output=json",
           "--only-categories=performance,accessibility,best-practices",
           f"--extra-headers={json.dumps({'Cookie': cookie})}",
           "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-quic "
           f"--disable-dev-shm-usage --user-data-dir={profile}"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=240,
                              env={**os.environ, "CHROME_PATH": chromium}, check=False)
    except subprocess.TimeoutExpired:
        print("Lighthouse: timed out after 240 s")
        return
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if done.returncode != 0 or not done.stdout.strip().startswith("{"):
        print("Lighthouse: could not run here (npx lighthouse@12 failed; no npm registry?):",
              (done.stderr or done.stdout).strip().splitlines()[-1:])
        return
    report = json.loads(done.stdout)
    print(f"Lighthouse {report['lighthouseVersion']} (mobile) on {url}, "
          f"final page {report['finalDisplayedUrl']}")
    for name, cat in report["categories"].items():
        print(f"  {name:<15} {cat['score']:.2f}")
    audits = report["audits"]
    for key in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                "cumulative-layout-shift"):
        print(f"  {key:<25} {audits[key]['displayValue']}")
    failed = [a["id"] for cat in ("accessibility", "best-practices")
              for a in (audits[r["id"]] for r in report["categories"][cat]["auditRefs"])
              if a["scoreDisplayMode"] == "binary" and a.get("score") is not None
              and a["score"] < 1]
    if failed:
        print("  audits not passed:", ", ".join(failed))


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-pwa-"))
    try:
        app = build_app(tmp)
        client = app.test_client()
        resp = client.post("/login", data={"username": "bench", "password": PASSWORD})
        assert resp.status_code == 302, resp.status_code
        with app.test_request_context():
            urls = shell_urls()
        first_load(client, urls)
        cookie = f"session={client.get_cookie('session').value}"
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            lighthouse(f"http://127.0.0.1:{server.server_port}/m/#/new", cookie)
        finally:
            server.shutdown()
        with app.app_context():
            db.engine.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    main()
