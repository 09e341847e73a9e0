"""周期事项 pages (/recurring/: list, set up, one recurrence, stop) and the 进展报送周期 form
on an item's page (POST /items/<code>/cadence)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp.auth.access import roles_required
from webapp.auth.models import Role
from webapp.calendar.services import WorkCalendar
from webapp.database import local_today
from webapp.errors import DomainError, InvalidInput
from webapp.extensions import db
from webapp.org.models import Unit
from webapp.recurring import cadence, rules, services
from webapp.recurring.models import Frequency
from webapp.supervision.access import get_item
from webapp.supervision.models import OPEN_STATES, Source, Urgency
from webapp.transaction import on_refusal
from webapp.validation import parse_choice, parse_date, parse_id

bp = Blueprint("recurring", __name__, template_folder="templates")
STAFF = (Role.OFFICE, Role.LEADER, Role.ADMIN)
SOURCES = [(v, label) for v, label in Source.choices() if v != Source.LEADER_INSTRUCTION]


def _user():
    return current_user._get_current_object()


def _int(name: str, label: str) -> int | None:
    value = (request.form.get(name) or "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 4):
        raise InvalidInput(f"{label}应为正整数", field=name)
    return int(value)


def _units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.id)))


# --- the list, setting one up, one recurrence --------------------------------------------------


@bp.get("/recurring/")
@roles_required(*STAFF)
def recurrence_list():
    today, cal = local_today(), WorkCalendar.around(local_today())
    recs = services.all_recurrences()
    return render_template("recurring/list.html", recs=recs, describe=_describe,
                           upcoming={r.id: services.upcoming(r, today, 1, cal) for r in recs
                                     if r.stopped_at is None})


def _describe(rec) -> str:
    return services.deadline_of(rec).describe(rec.frequency)


def _form_page(error: str | None = None, field: str | None = None, status: int = 200):
    return render_template("recurring/new.html", units=_units(), sources=SOURCES,
                           Urgency=Urgency, Frequency=Frequency, form=request.form,
                           error=error, error_field=field, today=local_today()), status


@bp.get("/recurring/new")
@roles_required(Role.OFFICE)
def recurrence_new():
    return _form_page()


def _again(err: DomainError):
    return _form_page(err.message, err.field, err.status)


def _form_args() -> dict:
    form = request.form
    by_working_days = form.get("deadline") == "working_days"
    return {
        "title": form.get("title", ""),
        "content": form.get("content", ""),
        "source": parse_choice(form.get("source") or "other", Source, field="source",
                               label="事项来源"),
        "urgency": parse_choice(form.get("urgency") or "normal", Urgency, field="urgency",
                                label="紧急程度"),
        "requirements": form.get("requirements"),
        "lead_unit": parse_id(form.get("lead_unit"), field="lead_unit", label="承办单位"),
        "assisting_units": [parse_id(v, field="assisting_units", label="协办单位")
                            for v in form.getlist("assisting_units") if v],
        "supervising_leader": form.get("supervising_leader"),
        "first_responsible": form.get("first_responsible"),
        "direct_responsible": form.get("direct_responsible"),
        "frequency": parse_choice(form.get("frequency"), Frequency, field="frequency",
                                  label="周期"),
        "due_month": None if by_working_days else _int("due_month", "截止月份"),
        "due_day": None if by_working_days else _int("due_day", "截止日"),
        "due_working_days": _int("due_working_days", "工作日天数") if by_working_days else None,
        "start_on": parse_date(form.get("start_on", ""), field="start_on", label="开始日期"),
        "end_on": parse_date(form.get("end_on", ""), field="end_on", label="结束日期",
                             required=False),
        "cadence_days": _int("cadence_days", "进展报送周期"),
    }


@bp.post("/recurring/new")
@roles_required(Role.OFFICE)
@on_refusal(_again)
def recurrence_create():
    rec = services.create_recurrence(actor=_user(), **_form_args())
    made = len(rec.periods)
    flash("周期事项已设置" + ("，本期事项已生成并交办" if made else "，到期时由系统自动生成并交办"),
          "success")
    return redirect(url_for(".recurrence_detail", rec_id=rec.id))


@bp.get("/recurring/<id:rec_id>")
@roles_required(*STAFF)
def recurrence_detail(rec_id: int):
    rec = services.get_recurrence(rec_id, _user())
    today = local_today()
    return render_template(
        "recurring/detail.html", rec=rec, rule=_describe(rec), today=today,
        labels={p.id: rules.period_label(rec.frequency, p.period_start) for p in rec.periods},
        upcoming=services.upcoming(rec, today) if rec.stopped_at is None else [])


@bp.post("/recurring/<id:rec_id>/stop")
@roles_required(Role.OFFICE)
def recurrence_stop(rec_id: int):
    rec = services.get_recurrence(rec_id, _user())
    services.stop_recurrence(rec, actor=_user(), reason=request.form.get("reason"))
    flash("周期事项已停止，已生成的事项照常办理", "success")
    return redirect(url_for(".recurrence_detail", rec_id=rec.id))


# --- 进展报送周期 on an item's page -----------------------------------------------------------


@bp.post("/items/<code>/cadence")
@login_required
def cadence_set(code: str):
    item = get_item(code, _user())
    every = _int("every", "报送周期")
    if every is None:
        raise InvalidInput("请填写报送周期", field="every")
    days = every * 7 if request.form.get("unit") == "week" else every
    row = cadence.set_cadence(item, actor=_user(), every_days=days)
    flash(f"已设置：{cadence.describe(row.every_days)}", "success")
    return redirect(url_for("supervision.item_detail", code=code))


@bp.post("/items/<code>/cadence/stop")
@login_required
def cadence_stop(code: str):
    cadence.stop_cadence(get_item(code, _user()), actor=_user())
    flash("已停止定期报送阶段进展", "success")
    return redirect(url_for("supervision.item_detail", code=code))


def item_panel(item) -> dict | None:
    """What the item page shows about its period and cadence (None: nothing to show)."""
    period = services.period_of_item(item)
    row = cadence.active_for(item)
    may_set = current_user.role == Role.OFFICE and item.state in OPEN_STATES
    if period is None and row is None and not may_set:
        return None
    rec = period.recurrence if period else None
    return {
        "recurrence": rec, "may_open": current_user.role in STAFF,
        "period": rules.period_label(rec.frequency, period.period_start) if rec else None,
        "cadence": cadence.describe(row.every_days) if row else None,
        "next_due": cadence.next_report(row, local_today()).due if row else None,
        "every_days": row.every_days if row else None, "may_set": may_set,
    }
