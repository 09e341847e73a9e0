"""升级规则 page (office, admin): each rule's working days, repeat interval, on/off."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.auth.access import roles_required
from webapp.auth.models import Role
from webapp.errors import DomainError, InvalidInput
from webapp.escalation import services
from webapp.escalation.rules import RULES
from webapp.transaction import on_refusal
from webapp.validation import parse_int

bp = Blueprint("escalation", __name__, url_prefix="/escalation", template_folder="templates")


def _page(**extra):
    return render_template("escalation/rules.html", rules=RULES, settings=services.settings(),
                           **extra)


@bp.get("/rules")
@roles_required(Role.OFFICE, Role.ADMIN)
def rules():
    return _page()


def _again(err: DomainError):
    return _page(error=err.message), err.status


def _int(name: str, label: str) -> int | None:
    return parse_int(request.form.get(name), field=name, label=label, low=-9999, high=9999)


@bp.post("/rules")
@roles_required(Role.OFFICE, Role.ADMIN)
@on_refusal(_again)
def update_rule():
    days = _int("working_days", "工作日数")
    if days is None:
        raise InvalidInput("请填写工作日数", field="working_days")
    services.update_rule(actor=current_user._get_current_object(),
                         key=request.form.get("key", ""), working_days=days,
                         every=_int("every", "重复间隔"), active=request.form.get("active") == "1")
    flash("升级规则已保存", "success")
    return redirect(url_for(".rules"))
