"""PWA test helpers: the phone page with CSRF on, checklists, and reading the app's state.

The browser and the live server come from tests/browser.py. Each test gets a fresh browser
context: no service worker, no IndexedDB.
"""

from __future__ import annotations

import pytest

from tests.browser import log_in  # noqa: F401 (the PWA tests import it from here)


@pytest.fixture
def phone(page, live_url, csrf_on):
    """The phone's page; every test runs with CSRF checks on, as in production."""
    page.set_default_timeout(15_000)
    return page


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


def log_out(page, base: str) -> None:
    """Log out as the 退出 button does (POST /logout with the session's CSRF token), with the
    app closed first so that none of its requests runs across the change of account."""
    page.goto("about:blank")
    token = page.context.request.get(f"{base}/api/v1/csrf").json()["csrf_token"]
    resp = page.context.request.post(f"{base}/logout", headers={"X-CSRFToken": token},
                                     max_redirects=0)
    assert resp.status == 302
    assert page.context.request.get(f"{base}/api/v1/me").status == 401
