"""工作日历 page (admin): the year's holidays and 调休 days, the admin's own days, the warning
when a year's holidays are missing."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.auth.access import roles_required
from webapp.auth.models import Role
from webapp.calendar import services
from webapp.database import local_today
from webapp.errors import DomainError, InvalidInput
from webapp.transaction import on_refusal
from webapp.validation import parse_date, parse_int

bp = Blueprint("calendar", __name__, url_prefix="/admin/calendar", template_folder="templates")


def _year(value: str | None) -> int:
    try:
        year = parse_int(value, field="year", label="年份", low=2000, high=2099)
    except InvalidInput:
        year = None
    return year or local_today().year


def _page(year: int, **extra):
    return render_template("calendar/calendar.html", year=year,
                           known=services.package_knows(year),
                           package=services.package_holidays(year),
                           days=services.days_of(year),
                           missing=services.missing_years(local_today()), **extra)


@bp.get("/")
@roles_required(Role.ADMIN)
def calendar_page():
    return _page(_year(request.args.get("year")))


def _again(err: DomainError):
    return _page(_year(request.form.get("year")), error=err.message), err.status


@bp.post("/")
@roles_required(Role.ADMIN)
@on_refusal(_again)
def set_day():
    day = parse_date(request.form.get("day"), field="day", label="日期")
    kind = request.form.get("kind")
    if kind not in ("holiday", "workday", "clear"):
        raise InvalidInput("请选择放假、上班或恢复默认", field="kind")
    services.set_day(actor=current_user._get_current_object(), day=day,
                     workday=None if kind == "clear" else kind == "workday",
                     note=request.form.get("note"))
    flash(f"{day} 已设置", "success")
    return redirect(url_for(".calendar_page", year=day.year))
