"""Pages of the 督办台账: the list to Excel, items from Excel, batch 催办 / 交办 from the list,
and the 督办单 print layout of an item. The item list itself stays in webapp.supervision."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp import spreadsheets
from webapp.auth.access import roles_required
from webapp.auth.models import Role, User
from webapp.database import local_today
from webapp.errors import InvalidInput, NotAllowed
from webapp.extensions import db, login_manager
from webapp.ledger import batch, export, importer
from webapp.media.store import content_disposition
from webapp.org.models import Unit
from webapp.supervision.access import get_item
from webapp.supervision.models import MANUAL_CHANNELS, FeedbackKind, Source, Urgency
from webapp.supervision.queries import ItemFilters, light_of
from webapp.transaction import on_refusal

bp = Blueprint("ledger", __name__, template_folder="templates", static_folder="static",
               static_url_path="/ledger-static", url_prefix="/items")


def init_app(app):
    app.register_blueprint(bp)


@bp.before_request
def _login_required():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _actor() -> User:
    return current_user._get_current_object()


# --- export -------------------------------------------------------------------------------


@bp.get("/export.xlsx")
def export_xlsx():
    """The item list with the filters (and order) of its query string, as an Excel file."""
    actor = _actor()
    if actor.role == Role.INSPECTOR:
        raise NotAllowed("督查员不使用督办事项列表")
    return export.send(export.write(actor, ItemFilters.from_args(request.args))[0],
                      f"督办台账-{local_today().isoformat()}.xlsx")


# --- import -------------------------------------------------------------------------------


def _import_page(err=None):
    problems = getattr(err, "problems", None)
    return render_template("ledger/import.html", error=err.message if err else None,
                           problems=problems, max_rows=importer.MAX_ROWS,
                           columns=importer.COLUMNS), (err.status if err else 200)


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.OFFICE)
@on_refusal(_import_page)
def import_items():
    """导入: the template's rows registered (and assigned) all together, or none."""
    if request.method == "GET":
        return _import_page()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("请选择要导入的 Excel 文件", field="file")
    codes = importer.import_items(upload.read(importer.MAX_BYTES + 1), actor=_actor(),
                                  filename=upload.filename)
    flash(f"已导入 {len(codes)} 个督办事项：{codes[0]} 至 {codes[-1]}", "success")
    return redirect(url_for("supervision.item_list"))


@bp.get("/import/template.xlsx")
@roles_required(Role.OFFICE)
def import_template():
    return Response(importer.template(), mimetype=spreadsheets.MIME, headers={
        "Content-Disposition": content_disposition("督办事项导入模板.xlsx", as_attachment=True)})


# --- batch 催办 / 交办 ----------------------------------------------------------------------


def _units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.id)))


def _batch_page(err=None, outcome=None, status=200):
    codes = request.values.getlist("code")
    return render_template("ledger/batch.html", codes=codes, units=_units(),
                           channels=MANUAL_CHANNELS, error=err.message if err else None,
                           outcome=outcome, form=request.form), (err.status if err else status)


@bp.route("/batch", methods=["GET", "POST"])
@roles_required(Role.OFFICE)
@on_refusal(_batch_page)
def batch_action():
    """批量催办 / 批量交办 of the items ticked on the list: each through its own service and
    gate, each its own audit event; the answer says what happened to every item."""
    if request.method == "GET":
        return _batch_page()
    outcome = batch.run(_actor(), request.form.get("action", ""),
                        request.form.getlist("code"), batch.args_from_form(request.form))
    return _batch_page(outcome=outcome)


# --- print --------------------------------------------------------------------------------


@bp.get("/<code>/print")
def print_item(code: str):
    """督办单: the item on one A4 page, without the menus."""
    item = get_item(code, _actor())
    finals = [f for f in item.feedback]
    return render_template("ledger/print.html", item=item, light=light_of(item),
                           latest=finals[-1] if finals else None, FeedbackKind=FeedbackKind,
                           Source=Source, Urgency=Urgency, today=local_today())
