"""Real-browser fixtures (a pytest plugin loaded by tests/conftest.py): Debian Chromium as a
Pixel 7 through pytest-playwright, and the app served from the test process, so tests read
the same database the browser writes to. Each test gets a fresh browser context."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.helpers import Persona


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium: a browser download of Playwright's own fails on these machines.
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium",
            "args": ["--disable-gpu", "--disable-quic"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, playwright):
    phone = dict(playwright.devices["Pixel 7"])
    phone.pop("default_browser_type", None)
    return {**browser_context_args, **phone, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


def _buffered(app):
    """The app with each response body read into memory before it is sent.

    When the browser drops a connection mid-response (it cancels icon and prefetch requests
    freely), werkzeug's development server can leave a streamed static file unclosed, which
    `filterwarnings = error` turns into a failure. No test here needs streaming responses.
    """

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@pytest.fixture(scope="session")
def live_url(app) -> Iterator[str]:
    """The app served by werkzeug on 127.0.0.1 in a thread of this process."""
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def log_in(page, base: str, persona: Persona, path: str = "/m/") -> None:
    """Log in through the real login form, landing on `path`."""
    page.goto(f"{base}/login?next={path}")
    page.get_by_label("用户名").fill(persona.username)
    page.get_by_label("密码").fill(persona.password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}{path}*")
