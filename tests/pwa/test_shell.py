"""The app shell: manifest, service worker, offline start, and the pages around it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import login
from tests.pwa.conftest import log_in, stored, wait_for_service_worker, wait_until


@pytest.mark.browser
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
    # The browser finds the manifest from the shell page; nothing breaks the CSP.
    csp = []
    phone.on("console", lambda m: "Content Security Policy" in m.text and csp.append(m.text))
    log_in(phone, live_url, inspector)
    phone.wait_for_selector("body[data-ready='1']")
    href = phone.locator("link[rel=manifest]").get_attribute("href")
    assert phone.evaluate("async (u) => (await fetch(u)).json()", href)["scope"] == "/m/"
    assert csp == []


@pytest.mark.browser
def test_opens_offline_after_one_visit(phone, live_url, inspector, checklist):
    log_in(phone, live_url, inspector)
    wait_for_service_worker(phone)
    # Units and checklists are kept in IndexedDB (me, units, checklists).
    wait_until(phone, lambda: len(stored(phone, "meta")) == 3)
    # One versioned cache, holding the shell and nothing from the API.
    version = phone.locator("body").get_attribute("data-version")
    cached = phone.evaluate("""async () => {
        const names = await caches.keys();
        const urls = (await Promise.all(names.map(async (n) => (await (await caches.open(n)).keys())
            .map((r) => new URL(r.url).pathname)))).flat();
        return [names, urls];
    }""")
    assert cached[0] == [f"duban-shell-{version}"]
    assert "/m/" in cached[1] and "/m/static/js/app.js" in cached[1]
    assert not [u for u in cached[1] if u.startswith("/api/")]

    phone.context.set_offline(True)
    phone.reload()
    phone.wait_for_selector("body[data-ready='1']")
    expect(phone.locator("#net")).to_contain_text("离线")
    phone.get_by_role("link", name="新建检查").click()
    phone.get_by_label("城关派出所").check()
    expect(phone.locator("[data-item]")).to_have_count(3)
    expect(phone.get_by_text("值班民警按规定着装")).to_be_visible()
    # Online, the login rule applies even with the shell cached. (The app is closed first:
    # its requests on going online would set the session cookie again.)
    phone.goto("about:blank")
    phone.context.set_offline(False)
    phone.context.clear_cookies()
    phone.goto(f"{live_url}/m/")
    phone.wait_for_url(f"{live_url}/login?next=*")


@pytest.mark.browser
def test_backoff_is_capped_with_jitter(phone, live_url, inspector):
    log_in(phone, live_url, inspector)
    delays = phone.evaluate("""async () => {
        const { backoff } = await import('/m/static/js/sync.js');
        return [1, 2, 3, 30].map((n) => Array.from({ length: 50 }, () => backoff(n)));
    }""")
    first, second, third, late = delays
    assert all(1000 <= d <= 2000 for d in first) and len(set(first)) > 1
    assert all(2000 <= d <= 4000 for d in second) and all(4000 <= d <= 8000 for d in third)
    assert all(150_000 <= d <= 300_000 for d in late)


@pytest.mark.browser
def test_photo_types(phone, live_url, inspector):
    log_in(phone, live_url, inspector)
    kinds = phone.evaluate("""async () => {
        const { photoType } = await import('/m/static/js/photos.js');
        return [['image/jpeg', 'a.jpg'], ['', 'IMG_0001.HEIC'],
                ['application/octet-stream', 'b.webp'], ['image/heif', 'c'], ['image/gif', 'd.gif'],
                ['', 'e.txt'], ['text/plain', 'f.jpg']]
            .map(([type, name]) => photoType({ type, name }));
    }""")
    assert kinds == ["image/jpeg", "image/heic", "image/webp", "image/heif", None, None, None]


def test_shell_needs_login_and_role(app, client, liaison_a, inspector):
    assert client.get("/m/").status_code == 302
    login(client, liaison_a)
    assert client.get("/m/").status_code == 403
    assert client.get("/m/sw.js").status_code == 200  # public: no user data in it
    other = app.test_client()
    login(other, inspector)
    html = other.get("/m/").get_data(as_text=True)
    assert 'lang="zh-CN"' in html and 'rel="manifest"' in html
    # CSP without inline code: every script is a file, no style= or on*= attributes.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script type="module" src="/m/static/js/app.js"></script>'[:-9]]
    assert not re.search(r"\sstyle=|\son[a-z]+=", html)


def test_csrf_endpoint(client, inspector):
    assert client.get("/api/v1/csrf").status_code == 401
    login(client, inspector)
    token = client.get("/api/v1/csrf").json["csrf_token"]
    assert isinstance(token, str) and len(token) > 20


def test_inspectors_land_on_the_app(client, inspector):
    login(client, inspector)
    resp = client.get("/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/m/")


@pytest.mark.browser
def test_a_new_version_replaces_the_old_cache(phone, live_url, inspector, monkeypatch):
    from webapp.pwa import views

    log_in(phone, live_url, inspector)
    wait_for_service_worker(phone)
    old = phone.locator("body").get_attribute("data-version")
    monkeypatch.setattr(views, "shell_version", lambda: "0123456789ab")  # a new deployment
    phone.evaluate("async () => (await navigator.serviceWorker.getRegistration('/m/')).update()")
    wait_until(phone, lambda: phone.evaluate("caches.keys()") == ["duban-shell-0123456789ab"])
    assert old != "0123456789ab"
    assert phone.evaluate("caches.open('duban-shell-0123456789ab').then((c) => c.keys())"
                          ".then((keys) => keys.length)") >= 10
