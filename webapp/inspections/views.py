"""Inspection pages for the office (list, detail, publish, finding → item), the photo file
routes, and the checklist editor. Every record goes through access.visible_inspections."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.auth.access import roles_required
from webapp.auth.models import Role
from webapp.database import local_today
from webapp.errors import DomainError, InvalidInput, NotFound
from webapp.extensions import db
from webapp.inspections import access, checklists, links, services
from webapp.inspections.body import UUID_RE
from webapp.inspections.figures import spec_from_args
from webapp.inspections.models import ChecklistItem, Inspection, InspectionState
from webapp.inspections.queries import MAX_QUERY, filter_inspections
from webapp.inspections.serialize import LIST_LOADS
from webapp.media.store import send_blob
from webapp.org.models import Unit, UnitKind
from webapp.supervision.models import Urgency
from webapp.transaction import on_refusal
from webapp.validation import page_arg, parse_date, parse_id

bp = Blueprint("inspections", __name__, url_prefix="/inspections", template_folder="templates")


def _uuid(value: str) -> str:
    value = value.lower()
    if not UUID_RE.fullmatch(value):
        abort(404)
    return value


def _int_arg(name: str) -> int | None:
    """A filter's id; anything that is no id ("²", 2^70) is no filter."""
    try:
        return parse_id(request.args.get(name), field=name, label=name, required=False)
    except InvalidInput:
        return None


@bp.get("/")
@login_required
def inspection_list():
    state = request.args.get("state", "")
    state = state if state in {s.value for s in InspectionState} else ""
    unit_id = _int_arg("unit")
    q = request.args.get("q", "").strip()[:MAX_QUERY]
    figure = spec_from_args(request.args)
    stmt = filter_inspections(access.visible_inspections(current_user), state=state,
                              unit_id=unit_id, q=q, figure=figure)
    per_page = current_app.config["ITEMS_PER_PAGE"]
    page = page_arg(request.args.get("page"))
    total = access.count_visible(current_user, stmt)
    rows = db.session.scalars(
        stmt.options(*LIST_LOADS,
                     selectinload(Inspection.target_unit), selectinload(Inspection.inspector))
        .order_by(Inspection.started_at.desc(), Inspection.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    units = db.session.scalars(select(Unit).order_by(Unit.kind, Unit.code)).all()
    return render_template(
        "inspections/list.html", rows=rows, total=total, page=page, per_page=per_page,
        state=state, unit_id=unit_id, q=q, states=InspectionState, units=units,
        figure=figure, figure_args=figure.args() if figure else {},
        full=access.full_view(current_user))


@bp.get("/<uuid>")
@login_required
def inspection_detail(uuid: str):
    inspection = access.get_inspection(_uuid(uuid), current_user)
    return render_template(
        "inspections/detail.html", inspection=inspection, full=access.full_view(current_user),
        sees_items=access.sees_items(current_user),
        originals=access.may_download_original(current_user),
        exif=current_user.role in access.SEE_ALL,
        office=current_user.role == Role.OFFICE, urgencies=Urgency,
        item_links="supervision.item_detail" in current_app.view_functions,
        default_due=local_today() + timedelta(days=15))


def _back(uuid: str, message: str | None = None):
    if message:
        flash(message)
    return redirect(url_for("inspections.inspection_detail", uuid=uuid))


def _refused(err: DomainError, uuid: str, **_ids):
    if isinstance(err, NotFound):
        raise err
    flash(err.message, "error")
    return redirect(url_for("inspections.inspection_detail", uuid=_uuid(uuid)))


@bp.post("/<uuid>/publish")
@roles_required(Role.OFFICE)
@on_refusal(_refused)
def publish(uuid: str):
    inspection = access.get_inspection(_uuid(uuid), current_user)
    services.publish_inspection(uuid=inspection.uuid, actor=current_user,
                                result_summary=request.form.get("result_summary"))
    return _back(inspection.uuid, "检查结果已发布，被检查单位联络员现在可以看到")


@bp.post("/<uuid>/findings/<finding_uuid>/item")
@roles_required(Role.OFFICE)
@on_refusal(_refused)
def finding_item(uuid: str, finding_uuid: str):
    inspection = access.get_inspection(_uuid(uuid), current_user)
    form = request.form
    item = links.create_item_from_finding(
        finding_uuid=_uuid(finding_uuid), inspection_uuid=inspection.uuid,
        actor=current_user,
        due_date=parse_date(form.get("due_date"), field="due_date", label="办理时限"),
        first_responsible=form.get("first_responsible"),
        direct_responsible=form.get("direct_responsible"),
        title=form.get("title") or None, urgency=form.get("urgency"),
        requirements=form.get("requirements"))
    unit = inspection.target_unit.name
    return _back(inspection.uuid, f"已登记督办事项 {item.code} 并交办给 {unit}")


@bp.post("/<uuid>/findings/<finding_uuid>/link")
@roles_required(Role.OFFICE)
@on_refusal(_refused)
def finding_link(uuid: str, finding_uuid: str):
    inspection = access.get_inspection(_uuid(uuid), current_user)
    item = links.link_finding_to_item(
        finding_uuid=_uuid(finding_uuid), inspection_uuid=inspection.uuid,
        item_code=request.form.get("item_code"), actor=current_user)
    return _back(inspection.uuid, f"已关联督办事项 {item.code}")


VARIANTS = ("thumb", "display", "original")


@bp.get("/photos/<photo_uuid>/<variant>")
@login_required
def photo_file(photo_uuid: str, variant: str):
    if variant not in VARIANTS:
        abort(404)
    photo = access.get_photo(_uuid(photo_uuid), current_user)
    if variant == "original":
        if not access.may_download_original(current_user):
            abort(404)
        ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
               "image/heic": "heic"}.get(photo.received_type or "", "bin")
        ctype = photo.received_type or "application/octet-stream"
        return send_blob(photo.sha256, content_type=ctype, download_name=f"{photo.uuid}.{ext}",
                         as_attachment=True)
    sha = photo.thumb_sha256 if variant == "thumb" else photo.display_sha256
    return send_blob(sha, content_type="image/jpeg")


# --- checklist editor ---------------------------------------------------------------------


def _checklists_again(err: DomainError, **_ids):
    if isinstance(err, NotFound):
        raise err
    flash(err.message, "error")
    return redirect(url_for("inspections.checklist_admin"))


@bp.route("/checklists", methods=["GET", "POST"])
@roles_required(Role.OFFICE, Role.ADMIN)
@on_refusal(_checklists_again)
def checklist_admin():
    if request.method == "POST":
        form = request.form
        checklists.add_checklist_item(actor=current_user, unit_kind=form.get("unit_kind"),
                                      category=form.get("category"), text=form.get("text"),
                                      position=form.get("position"))
        flash("检查项已添加")
        return redirect(url_for("inspections.checklist_admin"))
    rows = db.session.scalars(select(ChecklistItem).order_by(
        ChecklistItem.unit_kind, ChecklistItem.position, ChecklistItem.id)).all()
    groups = {kind: [r for r in rows if r.unit_kind == kind] for kind in UnitKind}
    return render_template("inspections/checklists.html", groups=groups,
                           kinds=UnitKind)


@bp.post("/checklists/<id:item_id>")
@roles_required(Role.OFFICE, Role.ADMIN)
@on_refusal(_checklists_again)
def checklist_update(item_id: int):
    form = request.form
    if form.get("action") in ("activate", "deactivate"):
        checklists.set_checklist_item_active(actor=current_user, item_id=item_id,
                                             active=form["action"] == "activate")
    else:
        checklists.update_checklist_item(
            actor=current_user, item_id=item_id, unit_kind=form.get("unit_kind"),
            category=form.get("category"), text=form.get("text"),
            position=form.get("position"))
    flash("检查项已保存")
    return redirect(url_for("inspections.checklist_admin") + f"#item-{item_id}")
