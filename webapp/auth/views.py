"""Login, logout and password pages."""

from __future__ import annotations

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

from webapp.auth import services
from webapp.auth.models import User
from webapp.auth.sessions import STATUS_ENDPOINT
from webapp.database import utcnow
from webapp.errors import DomainError
from webapp.extensions import db, login_manager

bp = Blueprint("auth", __name__, template_folder="templates")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session's user, if the session is still valid (version, active, timeouts)."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
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


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("web.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for("web.home"))
        return render_template("auth/login.html", next=request.args.get("next", ""))
    try:
        user = services.authenticate(request.form.get("username", ""),
                                     request.form.get("password", ""))
    except DomainError as err:
        db.session.commit()  # the failed attempt stays on record
        status = getattr(err, "status", 400)
        status = 429 if status == 429 else 401
        return render_template("auth/login.html", error=err.message,
                               username=request.form.get("username", ""),
                               next=request.form.get("next", "")), status
    db.session.commit()
    start_session(user)
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.end_all_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash("已退出登录")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    if request.method == "GET":
        return render_template("auth/password.html")
    try:
        services.change_password(current_user._get_current_object(),
                                 old_password=request.form.get("old_password", ""),
                                 new_password=request.form.get("new_password", ""))
    except DomainError as err:
        return render_template("auth/password.html", error=err.message), 422
    db.session.commit()
    start_session(current_user._get_current_object())
    flash("密码已修改，其他设备上的登录已失效")
    return redirect(url_for("web.home"))
