"""The app shell: manifest, service worker, offline start, and the pages around it."""

from __future__ import annotations

import pytest

from tests.helpers import login
from tests.pwa.conftest import log_in, wait_for_service_worker

pytestmark = pytest.mark.browser


def test_manifest_is_installable(client, phone, live_url, inspector):
    manifest = client.get("/m/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest.mimetype == "application/manifest+json"
    data = manifest.json
    assert data["name"] == "督办·暗访检查" and data["short_name"] == "暗访检查"
    assert data["display"] == "standalone"
    assert data["start_url"].startswith(data["scope"]) and data["scope"] == "/m/"
    sizes = {(i["sizes"], i["purpose"]) for i in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    from io import BytesIO

    from PIL import Image

    for icon in data["icons"]:
        with client.get(icon["src"]) as resp:
            assert resp.status_code == 200 and resp.mimetype == "image/png"
            size = Image.open(BytesIO(resp.data)).size
        assert size == tuple(map(int, icon["sizes"].split("x")))
    # The browser finds the manifest from the shell page.
    log_in(phone, live_url, inspector)
    href = phone.locator("link[rel=manifest]").get_attribute("href")
    assert phone.evaluate("async (u) => (await fetch(u)).json()", href)["scope"] == "/m/"


def test_opens_offline_after_one_visit(phone, live_url, inspector, units):
    log_in(phone, live_url, inspector)
    wait_for_service_worker(phone)
    phone.context.set_offline(True)
    phone.reload()
    phone.wait_for_selector("body[data-ready='1']")
    assert phone.get_by_role("link", name="新建检查").is_visible()
    assert "离线" in phone.locator("#net").inner_text()
    phone.context.set_offline(False)


def test_shell_needs_login_and_role(client, liaison_a, inspector):
    assert client.get("/m/").status_code == 302
    login(client, liaison_a)
    assert client.get("/m/").status_code == 403
    assert client.get("/m/sw.js").status_code == 200  # public: no user data in it


def test_csrf_endpoint(client, inspector):
    assert client.get("/api/v1/csrf").status_code == 401
    login(client, inspector)
    token = client.get("/api/v1/csrf").json["csrf_token"]
    assert isinstance(token, str) and len(token) > 20


def test_inspectors_land_on_the_app(client, inspector):
    login(client, inspector)
    resp = client.get("/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/m/")
