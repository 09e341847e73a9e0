"""消息 pages: one's in-app messages and channels; the admin's dead letters."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.auth.access import roles_required
from webapp.auth.models import Role
from webapp.auth.views import safe_next
from webapp.notify import services
from webapp.notify.events import EVENTS

bp = Blueprint("notify", __name__, url_prefix="/notifications", template_folder="templates")


def _me():
    return current_user._get_current_object()


@bp.get("/")
@login_required
def inbox():
    me = _me()
    person = services._me(me)
    return render_template("notify/inbox.html", rows=services.inbox(me, limit=100),
                           pref=services.preference(person), person=person, events=EVENTS)


@bp.post("/<id:notification_id>/open")
@login_required
def open_message(notification_id: int):
    """Mark read and go to the page where the action is taken."""
    row = services.mark_read(_me(), notification_id)
    return redirect(safe_next(row.href) or url_for(".inbox"))


@bp.post("/read-all")
@login_required
def read_all():
    for row in services.inbox(_me(), unread_only=True, limit=1000):
        services.mark_read(_me(), row.id)
    return redirect(url_for(".inbox"))


@bp.post("/preferences")
@login_required
def preferences():
    me = _me()
    services.set_preference(me, services._me(me), sms=bool(request.form.get("sms")),
                            email=bool(request.form.get("email")),
                            webhook=bool(request.form.get("webhook")))
    flash("通知设置已保存", "success")
    return redirect(url_for(".inbox"))


@bp.get("/dead")
@roles_required(Role.ADMIN)
def dead_letters():
    return render_template("notify/dead.html", rows=services.dead_letters())


@bp.post("/<id:notification_id>/resend")
@roles_required(Role.ADMIN)
def resend(notification_id: int):
    services.resend(_me(), notification_id)
    flash("已重新排队发送", "success")
    return redirect(url_for(".dead_letters"))


