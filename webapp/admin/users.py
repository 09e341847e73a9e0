"""Account administration pages (admin only): list, create, disable/enable, reset password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.audit import services as audit
from webapp.auth import services
from webapp.auth.access import roles_required
from webapp.auth.models import Role, User
from webapp.auth.passwords import check_policy, hash_password
from webapp.errors import DomainError, InvalidInput, NotFound
from webapp.extensions import db
from webapp.org.models import Unit
from webapp.transaction import on_refusal
from webapp.validation import clean_text, parse_choice, parse_id

bp = Blueprint("users", __name__, url_prefix="/admin/users", template_folder="templates")


def _units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.id)))


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("找不到该用户")
    return user


@bp.route("/")
@roles_required(Role.ADMIN)
def user_list():
    users = db.session.scalars(select(User).options(selectinload(User.unit)).order_by(User.id))
    return render_template("admin/users.html", users=list(users), units=_units(),
                           roles=Role)


def _create_again(err: DomainError):
    users = db.session.scalars(select(User).order_by(User.id))
    return render_template("admin/users.html", users=list(users), units=_units(),
                           roles=Role, error=err.message, form=request.form), err.status


@bp.route("/", methods=["POST"])
@roles_required(Role.ADMIN)
@on_refusal(_create_again)
def user_create():
    form = request.form
    role = parse_choice(form.get("role"), Role, field="role", label="角色")
    unit_id = form.get("unit_id", "")
    unit = db.session.get(Unit, parse_id(unit_id, field="unit_id", label="单位", required=False)
                          ) if unit_id else None
    if unit_id and unit is None:
        raise InvalidInput("单位不存在", field="unit_id")
    services.create_user(
        username=clean_text(form.get("username"), field="username", label="用户名",
                            max_len=64, single_line=True),
        name=clean_text(form.get("name"), field="name", label="姓名", max_len=64,
                        single_line=True),
        role=role, unit=unit, password=form.get("password", ""),
        phone=clean_text(form.get("phone"), field="phone", label="电话", required=False,
                         max_len=32, single_line=True),
        actor=current_user._get_current_object(),
    )
    flash("用户已创建")
    return redirect(url_for("users.user_list"))


@bp.route("/<id:user_id>/active", methods=["POST"])
@roles_required(Role.ADMIN)
def user_set_active(user_id: int):
    user = _user(user_id)
    if user.id == current_user.id:
        raise InvalidInput("不能停用自己的账号")
    active = request.form.get("active") == "1"
    services.set_active(user, active, actor=current_user._get_current_object())
    flash("已启用该账号" if active else "已停用该账号，其登录已全部失效")
    return redirect(url_for("users.user_list"))


@bp.route("/<id:user_id>/password", methods=["POST"])
@roles_required(Role.ADMIN)
def user_reset_password(user_id: int):
    user = _user(user_id)
    password = request.form.get("password", "")
    check_policy(password)
    user.password_hash = hash_password(password)
    services.end_all_sessions(user)
    audit.record("user.password_reset", object_type="user", object_id=user.id,
                 actor=current_user._get_current_object())
    flash(f"已重置 {user.username} 的密码，其登录已全部失效")
    return redirect(url_for("users.user_list"))
