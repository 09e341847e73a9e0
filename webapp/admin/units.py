"""Unit administration pages (admin only): list, add, disable/enable."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp.auth.access import roles_required
from webapp.auth.models import Role
from webapp.errors import DomainError, NotFound
from webapp.extensions import db
from webapp.org import services
from webapp.org.models import Unit, UnitKind
from webapp.transaction import on_refusal
from webapp.validation import parse_choice

bp = Blueprint("org", __name__, url_prefix="/admin/units", template_folder="templates")


def _page(**extra):
    units = db.session.scalars(select(Unit).order_by(Unit.id))
    return render_template("admin/units.html", units=list(units), kinds=UnitKind, **extra)


@bp.route("/")
@roles_required(Role.ADMIN)
def unit_list():
    return _page()


def _create_again(err: DomainError):
    return _page(error=err.message, form=request.form), err.status


@bp.route("/", methods=["POST"])
@roles_required(Role.ADMIN)
@on_refusal(_create_again)
def unit_create():
    services.create_unit(
        actor=current_user._get_current_object(), code=request.form.get("code"),
        name=request.form.get("name"),
        kind=parse_choice(request.form.get("kind"), UnitKind, field="kind", label="单位类型"),
    )
    flash("单位已添加")
    return redirect(url_for("org.unit_list"))


@bp.route("/<id:unit_id>/active", methods=["POST"])
@roles_required(Role.ADMIN)
def unit_set_active(unit_id: int):
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("找不到该单位")
    services.set_unit_active(unit, request.form.get("active") == "1",
                             actor=current_user._get_current_object())
    flash("已更新单位状态")
    return redirect(url_for("org.unit_list"))
