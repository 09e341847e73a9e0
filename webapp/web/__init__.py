"""Pages shared by all domains: home, navigation, error pages."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.auth.models import Role
from webapp.errors import DomainError

bp = Blueprint("web", __name__, template_folder="templates")

# (endpoint, label, roles allowed); links whose endpoint is not registered are left out.
NAV = [
    ("supervision.item_list", "督办事项", None),
    ("supervision.item_new", "登记事项", {Role.OFFICE}),
    ("stats.statistics", "统计", {Role.OFFICE, Role.LEADER, Role.ADMIN}),
    ("inspections.inspection_list", "暗访检查",
     {Role.OFFICE, Role.LEADER, Role.INSPECTOR, Role.LIAISON}),  # liaison: published, own unit
    ("pwa.app", "手机检查", {Role.INSPECTOR, Role.OFFICE}),
    ("documents.document_list", "公文", {Role.OFFICE, Role.LEADER, Role.ADMIN}),
    ("documents.settings", "公文设置", {Role.ADMIN}),
    ("users.user_list", "用户", {Role.ADMIN}),
    ("org.unit_list", "单位", {Role.ADMIN}),
]


@bp.route("/")
@login_required
def home():
    if "supervision.item_list" in _endpoints() and current_user.role != Role.INSPECTOR:
        return redirect(url_for("supervision.item_list"))
    if "pwa.app" in _endpoints() and current_user.role == Role.INSPECTOR:
        return redirect(url_for("pwa.app"))
    return render_template("web/home.html")


def _endpoints():
    from flask import current_app

    return current_app.view_functions


def nav_links():
    endpoints = _endpoints()
    return [
        (endpoint, label)
        for endpoint, label, roles in NAV
        if endpoint in endpoints and (roles is None or current_user.role in roles)
    ]


def init_app(app: Flask) -> None:
    from webapp.web import submits

    app.register_blueprint(bp)
    submits.init_app(app)
    app.jinja_env.globals["nav_links"] = nav_links

    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError):
        if request.path.startswith("/api/"):
            from webapp.api import error_response

            return error_response(err.status, err.code, err.message)
        return render_template("web/error.html", message=err.message), err.status

    for status, message in {
        400: "请求有误", 403: "没有权限执行此操作", 404: "找不到该页面或记录",
        405: "不支持的请求方式", 413: "提交的内容或上传的文件太大", 429: "操作过于频繁，请稍后再试",
    }.items():
        app.register_error_handler(status, _page_error(status, message))


def _page_error(status: int, message: str):
    def handler(err):
        if request.path.startswith("/api/"):
            from webapp.api import error_response

            return error_response(status, _API_CODES.get(status, "error"),
                                  getattr(err, "description", None) or message)
        return render_template("web/error.html", message=message), status

    return handler


_API_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
              413: "too_large", 429: "throttled"}
