"""待办 page: everyone's home."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.auth.views import safe_next
from webapp.notify import services as notify
from webapp.todo import services
from webapp.todo.kinds import KINDS

bp = Blueprint("todo", __name__, url_prefix="/todo", template_folder="templates")


@bp.get("/")
@login_required
def todo_page():
    me = current_user._get_current_object()
    kind = request.args.get("kind")
    if kind not in KINDS:
        kind = None
    return render_template("todo/todo.html", counts=services.counts(me), kinds=KINDS,
                           entries=services.entries(me, kind, limit=500 if kind else 20),
                           kind=kind, warnings=services.warnings(me))


@bp.post("/open")
@login_required
def open_entry():
    """Mark the user's messages about the entry read, then go where the action is taken."""
    ref, href = request.form.get("ref", ""), safe_next(request.form.get("href"))
    if ref:
        notify.mark_subject_read(current_user._get_current_object(), ref[:64])
    return redirect(href or url_for(".todo_page"))
