"""Browser fixtures: Debian Chromium as a Pixel 7, and the app served from the test process.

The server runs in a thread of this process (werkzeug), so tests read the same database the
browser writes to. Each test gets a fresh browser context: no service worker, no IndexedDB.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.helpers import Persona


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium",
            "args": ["--disable-gpu", "--disable-quic"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, playwright):
    phone = dict(playwright.devices["Pixel 7"])
    phone.pop("default_browser_type", None)
    return {**browser_context_args, **phone, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture(scope="session")
def live_url(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def phone(page, live_url, csrf_on):
    """The phone's page; every test runs with CSRF checks on, as in production."""
    page.set_default_timeout(15_000)
    return page


def log_in(page, base: str, persona: Persona, path: str = "/m/") -> None:
    """Log in through the real login form, landing on `path`."""
    page.goto(f"{base}/login?next={path}")
    page.get_by_label("用户名").fill(persona.username)
    page.get_by_label("密码").fill(persona.password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}{path}*")


def wait_for_service_worker(page) -> None:
    """Poll until the page's service worker is activated and controls the page."""
    page.wait_for_function(
        """() => {
            const sw = navigator.serviceWorker.controller;
            return !!sw && sw.state === 'activated' && sw.scriptURL.endsWith('/m/sw.js');
        }""",
        polling=100,
    )


@pytest.fixture
def checklist(app, units) -> dict[str, int]:
    """Three checklist items for police stations (the kind of unit A)."""
    from webapp.extensions import db
    from webapp.inspections.models import ChecklistItem
    from webapp.org.models import UnitKind

    with app.app_context():
        rows = [ChecklistItem(unit_kind=UnitKind.POLICE_STATION, category=cat, text=text,
                              position=i)
                for i, (cat, text) in enumerate([("警容风纪", "值班民警按规定着装"),
                                                 ("服务", "窗口有人值守，接待热情"),
                                                 ("环境", "办事指南公开上墙")])]
        db.session.add_all(rows)
        db.session.commit()
        return {"dress": rows[0].id, "desk": rows[1].id, "guide": rows[2].id}


def stored(page, store: str) -> list:
    """Everything in one object store of the app's IndexedDB (Blobs come back empty)."""
    return page.evaluate(
        """(name) => new Promise((resolve, reject) => {
            const open = indexedDB.open('duban-pwa');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
                const req = open.result.transaction(name).objectStore(name).getAll();
                req.onsuccess = () => { open.result.close(); resolve(req.result); };
            };
        })""",
        store,
    )


def wait_until(page, check, timeout_ms: int = 10_000):
    """Poll `check()` (which reads app state) until it is true."""
    import time

    deadline = time.monotonic() + timeout_ms / 1000
    while not check():
        assert time.monotonic() < deadline, "the app did not reach the expected state"
        page.wait_for_timeout(50)
