"""The app shell at /m/, its service worker and its web app manifest."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, render_template, url_for

from webapp.auth.access import roles_required
from webapp.auth.models import Role

HERE = Path(__file__).parent
STATIC = HERE / "static"
THEME = "#9b1c1c"

bp = Blueprint("pwa", __name__, url_prefix="/m", template_folder="templates",
               static_folder="static", static_url_path="/static")


@bp.route("/")
@roles_required(Role.INSPECTOR, Role.OFFICE)
def app():
    # The shell holds no user data: the service worker caches it for offline starts.
    modules = sorted(p.name for p in (STATIC / "js").glob("*.js") if p.name != "app.js")
    return render_template("pwa/shell.html", version=shell_version(), modules=modules)


@bp.route("/sw.js")
def service_worker():
    prelude = "self.SHELL = " + json.dumps({"version": shell_version(), "urls": shell_urls()})
    body = prelude + ";\n" + (STATIC / "sw.js").read_text(encoding="utf-8")
    resp = Response(body, mimetype="text/javascript")
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.route("/manifest.webmanifest")
def manifest():
    icon = lambda size, purpose: {  # noqa: E731
        "src": url_for("pwa.static", filename=f"icons/{purpose}-{size}.png"),
        "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}
    body = {
        "id": "/m/", "name": "督办·暗访检查", "short_name": "暗访检查",
        "description": "督查员现场检查记录，离线可用", "lang": "zh-CN",
        "start_url": "/m/", "scope": "/m/", "display": "standalone",
        "orientation": "portrait", "theme_color": THEME, "background_color": "#ffffff",
        "icons": [icon(192, "any"), icon(512, "any"), icon(512, "maskable")],
    }
    resp = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    resp.headers["Cache-Control"] = "no-cache"
    return resp


def shell_urls() -> list[str]:
    """Everything the app needs to start offline: the shell, its files and the manifest."""
    files = sorted(p.relative_to(STATIC).as_posix() for p in STATIC.rglob("*")
                   if p.is_file() and p.name != "sw.js")
    return ["/m/", "/m/manifest.webmanifest",
            *(url_for("pwa.static", filename=f) for f in files)]


@cache
def shell_version() -> str:
    """A hash of the shell's files: a new version makes the service worker re-cache them."""
    digest = hashlib.sha256()
    for path in sorted([*STATIC.rglob("*"), *(HERE / "templates").rglob("*")]):
        if path.is_file():
            digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:12]


@bp.after_request
def _cache_static(response):
    """Shell files may be revalidated by the browser; the service worker keeps its own copy."""
    from flask import request

    if request.endpoint == "pwa.static":
        response.headers["Cache-Control"] = "no-cache"
    return response
