"""Login, logout and password pages."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from webapp import transaction
from webapp.auth import devices, services
from webapp.auth.models import User
from webapp.auth.sessions import STATUS_ENDPOINT
from webapp.auth.throttle import Throttled
from webapp.database import utcnow
from webapp.errors import DomainError
from webapp.extensions import db, login_manager
from webapp.validation import MAX_ID

bp = Blueprint("auth", __name__, template_folder="templates")
_UNSAFE_IN_URL = re.compile(r"[\x00-\x20\x7f\\]")  # controls, space, backslash


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session's user, if the session is still valid (version, active, timeouts)."""
    user = db.session.get(User, int(user_id)) if user_id.isascii() and user_id.isdigit() \
        and len(user_id) <= 10 and 0 < int(user_id) <= MAX_ID else None
    if user is None or not user.active or session.get("sv") != user.session_version:
        return None
    now = utcnow().timestamp()
    cfg = current_app.config
    if now - session.get("login_at", 0) > cfg["SESSION_ABSOLUTE_TIMEOUT"].total_seconds():
        return None
    if now - session.get("seen_at", 0) > cfg["SESSION_IDLE_TIMEOUT"].total_seconds():
        return None
    # Refresh the idle clock at most once a minute: every write re-sends the whole cookie, and
    # concurrent requests writing it would overwrite each other (e.g. a fresh CSRF token).
    # The page script's "how long is left?" question is not activity.
    if now - session.get("seen_at", 0) > 60 and request.endpoint != STATUS_ENDPOINT:
        session["seen_at"] = now
    return user


def start_session(user: User) -> None:
    session.clear()  # a fresh session on login (no fixation)
    login_user(user)
    session.permanent = True
    now = utcnow().timestamp()
    session.update(sv=user.session_version, login_at=now, seen_at=now)


def safe_next(target: object) -> str | None:
    r"""`target` if it is a path on this site to go back to after login, else None.

    Browsers drop tabs and line breaks inside URLs and read a backslash as a slash, so
    "/\t/evil.example" and "/\\evil.example" mean "//evil.example" — another site — to them.
    The text must be printable, without spaces or backslashes, and its path, decoded as often
    as it decodes, must start with exactly one slash.
    """
    if not isinstance(target, str) or not 0 < len(target) <= 2000:
        return None
    if not target.isprintable() or _UNSAFE_IN_URL.search(target) or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    path = parts.path
    for _ in range(4):  # %252F → %2F → /: every decoding must still be a local path
        if not path.startswith("/") or path.startswith("//") or _UNSAFE_IN_URL.search(path):
            return None
        decoded = unquote(path)
        if decoded == path:
            return target
        path = decoded
    return None


def _login_page(status: int, **context):
    return render_template("auth/login.html", **context), status


@bp.route("/login", methods=["GET", "POST"])
@transaction.manual  # a refused attempt stays on record although the answer is 401/429
def login():
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for("web.home"))
        return render_template("auth/login.html", next=safe_next(request.args.get("next")))
    form = request.form
    username = services.login_name(form.get("username"))
    try:
        user = services.authenticate(username, form.get("password", ""),
                                     device=devices.device_for(username))
    except DomainError as err:
        transaction.commit()  # every attempt stays on record, although the answer is a 4xx
        throttled = isinstance(err, Throttled)
        page = _login_page(429 if throttled else 401, error=err.message, username=username,
                           next=safe_next(form.get("next")))
        if throttled:
            return *page, {"Retry-After": str(err.retry_after)}
        return page
    transaction.commit()
    start_session(user)
    response = redirect(safe_next(form.get("next")) or url_for("web.home"))
    devices.remember(response, user.username)
    return response


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.end_all_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash("已退出登录")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@transaction.manual  # a wrong old password stays on record although the answer is a 4xx
def password():
    if request.method == "GET":
        return render_template("auth/password.html")
    user = current_user._get_current_object()
    try:
        services.change_password(user, old_password=request.form.get("old_password", ""),
                                 new_password=request.form.get("new_password", ""),
                                 device=devices.device_for(user.username))
    except DomainError as err:
        transaction.commit()  # a wrong old password stays on record, like a failed sign-in
        if isinstance(err, Throttled):
            return (render_template("auth/password.html", error=err.message), 429,
                    {"Retry-After": str(err.retry_after)})
        return render_template("auth/password.html", error=err.message), 422
    transaction.commit()
    start_session(user)
    flash("密码已修改，其他设备上的登录已失效")
    return redirect(url_for("web.home"))
