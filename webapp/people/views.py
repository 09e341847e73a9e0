"""人员 pages (office, admin): each unit's people (names on items not yet linked to a person:
webapp.supervision.views, /items/people)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp.auth.access import roles_required
from webapp.auth.models import Role
from webapp.errors import DomainError, InvalidInput
from webapp.extensions import db
from webapp.org.models import Unit
from webapp.people import services
from webapp.people.models import Person
from webapp.transaction import on_refusal
from webapp.validation import parse_id

bp = Blueprint("people", __name__, url_prefix="/people", template_folder="templates")
MANAGE = (Role.OFFICE, Role.ADMIN)


def _unit_arg(value: str | None) -> int | None:
    """?unit=<id>; empty or 'bureau': the bureau's own people."""
    if not value or value == "bureau":
        return None
    unit_id = parse_id(value, field="unit", label="单位")
    if db.session.get(Unit, unit_id) is None:
        raise InvalidInput("单位不存在", field="unit")
    return unit_id


def _page(unit_id: int | None, **extra):
    units = list(db.session.scalars(select(Unit).order_by(Unit.id)))
    return render_template("people/people.html", units=units, unit_id=unit_id,
                           people=services.people_of(unit_id, active_only=False),
                           **extra)


@bp.get("/")
@roles_required(*MANAGE)
def people_list():
    return _page(_unit_arg(request.args.get("unit")))


def _again(err: DomainError, **_kwargs):
    return _page(_unit_arg(request.form.get("unit")), error=err.message,
                 form=request.form), err.status


@bp.post("/")
@roles_required(*MANAGE)
@on_refusal(_again)
def person_create():
    unit_id = _unit_arg(request.form.get("unit"))
    services.create_person(actor=current_user._get_current_object(), unit=unit_id,
                           **{k: request.form.get(k) for k in ("name", "post", "mobile", "email")})
    flash("人员已添加", "success")
    return redirect(url_for(".people_list", unit=unit_id or "bureau"))


@bp.post("/<id:person_id>")
@roles_required(*MANAGE)
@on_refusal(_again)
def person_update(person_id: int):
    person = services.get_person(person_id)
    services.update_person(person, actor=current_user._get_current_object(),
                           active=request.form.get("active") == "1",
                           **{k: request.form.get(k) for k in ("name", "post", "mobile", "email")})
    flash("人员信息已更新", "success")
    return redirect(url_for(".people_list", unit=person.unit_id or "bureau"))


def datalists():
    """<datalist>s of names for the 交办 form: the bureau's people, and every unit's (the
    service matches a typed name within the chosen lead unit)."""
    from markupsafe import Markup, escape


    rows = db.session.scalars(select(Person).where(Person.active.is_(True))
                              .order_by(Person.unit_id, Person.name)).all()

    def options(people):
        return "".join(f'<option value="{escape(p.name)}">{escape(p.label)}</option>'
                       for p in people)

    bureau = [p for p in rows if p.unit_id is None]
    units = [p for p in rows if p.unit_id is not None]
    return Markup(f'<datalist id="people-bureau">{options(bureau)}</datalist>'  # noqa: S704
                  f'<datalist id="people-units">{options(units)}</datalist>')
