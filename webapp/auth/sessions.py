"""Page sessions: the time a signed-in session has left, keeping it alive, and sending a user
whose session ended to the login page, with the page to come back to.

The pages' script (static/js/session.js) asks `GET /session` shortly before the idle timeout
(the question itself does not count as activity), warns, and `POST /session/keep-alive` when
the user chooses to stay. A form sent after the session ended leads to the login page with
`next` set to the page the form was on, never to the POST-only URL it was sent to.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote, urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from webapp.database import utcnow
from webapp.extensions import login_manager
from webapp.http_errors import error_response

bp = Blueprint("sessions", __name__)

STATUS_ENDPOINT = "sessions.status"  # load_user leaves the idle clock alone for it


def seconds(value: timedelta | float) -> float:
    """A timeout setting in seconds (a timedelta, or a number from the environment)."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def time_left() -> dict[str, int]:
    """Seconds until the signed-in session ends by idleness and by its absolute limit."""
    now, cfg = utcnow().timestamp(), current_app.config
    idle = seconds(cfg["SESSION_IDLE_TIMEOUT"]) - (now - session.get("seen_at", 0))
    absolute = seconds(cfg["SESSION_ABSOLUTE_TIMEOUT"]) - (now - session.get("login_at", 0))
    return {"idle_left": max(0, int(idle)), "absolute_left": max(0, int(absolute))}


@bp.get("/session")
def status():
    """Whether this browser is still signed in, and for how long (does not extend it)."""
    if not current_user.is_authenticated:
        return jsonify(authenticated=False)
    return jsonify(authenticated=True, **time_left())


@bp.post("/session/keep-alive")
def keep_alive():
    """The user chose to stay signed in: the idle clock starts again."""
    if not current_user.is_authenticated:
        return jsonify(authenticated=False), 401
    session["seen_at"] = utcnow().timestamp()
    return jsonify(authenticated=True, **time_left())


def unauthorized():
    """Login required: to the login page, and back to this page (or the form's page) after."""
    from webapp.auth.views import safe_next

    if "_user_id" in session:
        flash("登录已超时，请重新登录。" + ("刚才的提交没有保存，登录后将回到原页面。"
                                       if request.method == "POST" else ""), "warning")
    else:
        flash("请先登录", "warning")
    # `next` fully percent-encoded, as Flask-Login writes it.
    back = safe_next(return_path()) or url_for("web.home")
    return redirect(f"{url_for('auth.login')}?next={quote(back, safe='')}")


def return_path() -> str | None:
    """The page to come back to: this one for a GET; for a form sent by POST, the page it was
    on (its Referer) or else the nearest page above its URL — never the POST-only URL."""
    if request.method in ("GET", "HEAD"):
        return request.full_path if request.query_string else request.path
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and _opens_with_get(referrer.path):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    path = request.path
    while path and not _opens_with_get(path):
        path = path.rpartition("/")[0]
    return path or None


def _opens_with_get(path: str) -> bool:
    if path == url_for("auth.login"):
        return False
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except RequestRedirect:
        return True
    except HTTPException:
        return False
    return True


def _csrf_error(err: CSRFError):
    """A form whose CSRF token no longer matches: after the session ended, log in again;
    otherwise the page is stale (API callers get JSON as before)."""
    if request.path.startswith("/api/"):
        return error_response(400, "bad_request", err.description)
    if request.endpoint == "auth.login":  # the login page was open too long: just try again
        return render_template("auth/login.html", error="页面已过期，请重新输入密码登录",
                               username=request.form.get("username", ""),
                               next=request.form.get("next", "")), 400
    if not current_user.is_authenticated:
        return unauthorized()
    return render_template("web/error.html",
                           message="页面已过期（安全校验未通过），请返回并刷新页面后再提交"), 400


def init_app(app: Flask) -> None:
    login_manager.unauthorized_handler(unauthorized)
    app.register_blueprint(bp)
    app.register_error_handler(CSRFError, _csrf_error)
    app.jinja_env.globals["session_idle_seconds"] = lambda: int(
        seconds(current_app.config["SESSION_IDLE_TIMEOUT"]))
