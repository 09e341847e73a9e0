"""Pages shared by all domains: home and navigation (error answers: webapp.http_errors)."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from webapp.auth.models import STAFF_ROLES, Role
from webapp.database import local_minute
from webapp.once import form_guard

bp = Blueprint("web", __name__, template_folder="templates")

# (endpoint, label, roles allowed); links whose endpoint is not registered are left out.
NAV = [
    ("todo.todo_page", "待办", None),
    ("supervision.item_list", "督办事项", None),
    ("supervision.item_new", "登记事项", {Role.OFFICE}),
    ("recurring.recurrence_list", "周期事项", {Role.OFFICE, Role.LEADER, Role.ADMIN}),
    ("people.people_list", "人员", {Role.OFFICE, Role.ADMIN}),
    ("escalation.rules", "升级规则", {Role.OFFICE, Role.ADMIN}),
    ("dashboard.dashboard", "驾驶舱", {Role.LEADER, Role.OFFICE}),
    ("stats.statistics", "统计", STAFF_ROLES),
    ("scores.period_list", "考核", STAFF_ROLES | {Role.LIAISON}),
    ("accountability.overview", "问责", {Role.OFFICE, Role.LEADER, Role.ADMIN}),
    ("inspections.inspection_list", "暗访检查",
     {Role.OFFICE, Role.LEADER, Role.INSPECTOR, Role.LIAISON}),  # liaison: published, own unit
    ("pwa.app", "手机检查", {Role.INSPECTOR, Role.OFFICE}),
    ("documents.document_list", "公文", STAFF_ROLES),
    ("documents.draft_list", "稿件签发", {Role.OFFICE, Role.LEADER}),
    ("documents.settings", "公文设置", {Role.ADMIN}),
    ("users.user_list", "用户", {Role.ADMIN}),
    ("workflow_policy.policy_page", "审批规则", {Role.ADMIN}),
    ("org.unit_list", "单位", {Role.ADMIN}),
    ("calendar.calendar_page", "工作日历", {Role.ADMIN}),
    ("notify.dead_letters", "发送失败", {Role.ADMIN}),
]


@bp.route("/")
@login_required
def home():
    if "pwa.app" in _endpoints() and current_user.role == Role.INSPECTOR:
        return redirect(url_for("pwa.app"))  # on the phone: the app (its to-do is in the menu)
    if "todo.todo_page" in _endpoints():  # everyone else's home is their to-do
        return redirect(url_for("todo.todo_page"))
    if "supervision.item_list" in _endpoints() and current_user.role != Role.INSPECTOR:
        return redirect(url_for("supervision.item_list"))
    if "pwa.app" in _endpoints() and current_user.role == Role.INSPECTOR:
        return redirect(url_for("pwa.app"))
    return render_template("web/home.html")


@bp.route("/healthz")
def healthz():
    """For a load balancer: this instance answers (no database, no session)."""
    return {"status": "ok"}


@bp.route("/favicon.ico")
def favicon():
    """The tab icon browsers ask for on every page: the phone app's 督 icon, 16–48 px."""
    response = current_app.send_static_file("favicon.ico")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


def _endpoints():
    return current_app.view_functions


def nav_links():
    endpoints = _endpoints()
    return [
        (endpoint, label)
        for endpoint, label, roles in NAV
        if endpoint in endpoints and (roles is None or current_user.role in roles)
    ]


def supervised_link() -> str | None:
    """A leader's "我分管的" link: the item list of the items they supervise (分管)."""
    if current_user.role != Role.LEADER or "supervision.item_list" not in _endpoints():
        return None
    return url_for("supervision.item_list", supervised=1)


def instructed_link() -> str | None:
    """A leader's "我批示的" link: the item list of the items they wrote a 批示 on."""
    if current_user.role != Role.LEADER or "supervision.item_list" not in _endpoints():
        return None
    return url_for("supervision.item_list", instructed=1)


def init_app(app: Flask) -> None:
    from webapp.web import submits

    app.register_blueprint(bp)
    submits.init_app(app)
    app.jinja_env.globals["nav_links"] = nav_links
    app.jinja_env.globals["supervised_link"] = supervised_link
    app.jinja_env.globals["instructed_link"] = instructed_link
    app.jinja_env.globals["form_guard"] = form_guard
    app.jinja_env.globals["fmt_time"] = local_minute  # a stored time, local, to the minute
