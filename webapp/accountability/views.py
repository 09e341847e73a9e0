"""问责 pages (office, leaders; the admin reads): the overview (/accountability/), recording
one (/accountability/new, from an item's page or a person's), a person's history, 撤销, and
the overview as Excel. The item page's 问责 panel comes from `item_panel`."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp import spreadsheets
from webapp.accountability import services
from webapp.accountability.models import MAX_POINTS, MIN_POINTS, AccountabilityKind
from webapp.auth.access import roles_required
from webapp.database import local_today
from webapp.documents.models import Document, DocumentState
from webapp.errors import DomainError, InvalidInput
from webapp.extensions import db
from webapp.media.store import content_disposition
from webapp.org.models import Unit
from webapp.people.models import Person
from webapp.supervision.access import get_item
from webapp.transaction import on_refusal
from webapp.validation import MAX_YEAR, MIN_YEAR, page_arg, parse_choice, parse_id, parse_int

bp = Blueprint("accountability", __name__, url_prefix="/accountability",
               template_folder="templates")
READ = tuple(services.READERS)
RECORD = tuple(services.RECORDERS)
PER_PAGE = 50  # records per overview page
RANKED = 50  # people in the overview's ranking (the Excel has all)


def _user():
    return current_user._get_current_object()


def _units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).order_by(Unit.id)))


def parse_filters(args) -> services.Filters:
    """?year=2026 (default: this year; "all": every year) &kind= &unit=<id>|bureau."""
    year_arg = (args.get("year") or "").strip()
    year = None if year_arg == "all" else (
        parse_int(year_arg, field="year", label="年份", low=MIN_YEAR, high=MAX_YEAR)
        or local_today().year)
    unit = (args.get("unit") or "").strip()
    return services.Filters(
        year=year,
        kind=parse_choice(args.get("kind"), AccountabilityKind, field="kind", label="问责方式",
                          required=False),
        unit_id=0 if unit == "bureau" else parse_id(unit, field="unit", label="单位",
                                                     required=False),
        include_revoked=args.get("revoked") != "0")


# --- the overview --------------------------------------------------------------------------


@bp.get("/")
@roles_required(*READ)
def overview():
    try:
        filters, error = parse_filters(request.args), None
    except InvalidInput as err:
        filters, error = services.Filters(year=local_today().year), err.message
    total = services.count_records(filters)
    pages = max(1, -(-total // PER_PAGE))
    page = min(page_arg(request.args.get("page")), pages)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "accountability/overview.html", filters=filters, error=error, units=_units(),
        kinds=AccountabilityKind, tally=services.tally(filters),
        ranking=services.ranking(filters, limit=RANKED), total=total, page=page, pages=pages,
        records=services.list_records(filters, limit=PER_PAGE, offset=(page - 1) * PER_PAGE),
        page_url=lambda n: url_for(".overview", **args, page=n),
        years=range(local_today().year, local_today().year - 6, -1),
        may_record=services.may_record(_user()), export_args=args), 422 if error else 200


@bp.get("/export.xlsx")
@roles_required(*READ)
def export():
    filters = parse_filters(request.args)
    data = _workbook(filters)
    name = f"accountability-{filters.year or 'all'}.xlsx"
    return Response(data, mimetype=spreadsheets.MIME,
                    headers={"Content-Disposition": content_disposition(name,
                                                                        as_attachment=True)})


RECORD_HEADERS = ["问责日期", "姓名", "单位", "职务", "问责方式", "记分", "事实与理由",
                  "关联事项", "关联公文", "决定人", "状态", "撤销理由"]
RANK_HEADERS = ["排名", "姓名", "单位", "记分合计", "问责人次", "约谈", "通报批评", "记分次数"]


def _workbook(filters: services.Filters) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "问责记录"
    t = services.tally(filters)
    spreadsheets.append_row(ws, [f"{_period(filters)}：{t.records} 人次，{t.points} 分"])
    spreadsheets.append_row(ws, RECORD_HEADERS)
    for row in services.export_rows(filters):
        spreadsheets.append_row(ws, row)
    ranks = wb.create_sheet("人员记分排名")
    spreadsheets.append_row(ranks, RANK_HEADERS)
    for n, (person, s) in enumerate(services.ranking(filters, limit=100_000), 1):
        spreadsheets.append_row(ranks, [
            n, person.name, person.unit.name if person.unit else "局机关", s.points, s.records,
            s.interviews, s.criticisms, s.point_records])
    return spreadsheets.to_bytes(wb)


def _period(filters: services.Filters) -> str:
    return f"{filters.year}年" if filters.year else "全部年份"


# --- recording -----------------------------------------------------------------------------


def _form_context(form) -> dict:
    """The item (?item=) or the person (?person=) the form starts from, and their choices."""
    actor = _user()
    item = person = None
    code = (form.get("item") or "").strip()
    if code:
        item = get_item(code, actor)
    if form.get("person"):  # started from the person's page
        pid = parse_id(form.get("person"), field="person", label="被问责人员")
        person = db.session.get(Person, pid)
    named = services.item_people(item) if item else []
    their_items = services.items_naming(person, actor) if person and not item else []
    item_docs = list(db.session.scalars(
        select(Document).where(Document.item_id == item.id,
                               Document.state == DocumentState.ISSUED)
        .order_by(Document.id))) if item else []
    everyone = [] if item or person else list(db.session.scalars(
        select(Person).where(Person.active.is_(True)).order_by(Person.unit_id, Person.name)))
    return {"item": item, "person": person, "named": named, "their_items": their_items,
            "item_docs": item_docs, "everyone": everyone}


def _form_page(form, error: str | None = None, field: str | None = None, status: int = 200):
    return render_template(
        "accountability/new.html", form=form, error=error, error_field=field,
        kinds=AccountabilityKind, deciders=services.deciders(), today=local_today(),
        min_points=MIN_POINTS, max_points=MAX_POINTS, **_form_context(form)), status


@bp.get("/new")
@roles_required(*RECORD)
def record_new():
    return _form_page(request.args)


def _again(err: DomainError):
    return _form_page(request.form, err.message, err.field, err.status)


def _doc_refs(form) -> list[int | str]:
    refs: list[int | str] = [parse_id(v, field="documents", label="公文")
                             for v in form.getlist("documents") if v]
    for ref in services.split_refs([form.get("documents_text")]):
        refs.append(int(ref) if ref.isascii() and ref.isdigit() and len(ref) <= 9 else ref)
    return refs


@bp.post("/new")
@roles_required(*RECORD)
@on_refusal(_again)
def record_create():
    form = request.form
    record = services.create_record(
        actor=_user(),
        person_id=parse_id(form.get("person_id"), field="person_id", label="被问责人员"),
        kind=form.get("kind"), points=form.get("points"), decided_on=form.get("decided_on"),
        facts=form.get("facts"),
        items=services.split_refs([*form.getlist("items"), form.get("items_text")]),
        documents=_doc_refs(form),
        decided_by_id=parse_id(form.get("decided_by_id"), field="decided_by_id",
                               label="决定人", required=False))
    flash(f"已记录：{record.person.name} {record.summary}", "success")
    back = form.get("back")
    if back and back.startswith("/items/") and "//" not in back:
        return redirect(back)
    return redirect(url_for(".person_history", person_id=record.person_id))


# --- a person's history, revoking ----------------------------------------------------------


def _history(person: Person, error: str | None = None, status: int = 200):
    return render_template(
        "accountability/person.html", person=person, error=error,
        records=services.list_records(services.Filters(person_id=person.id)),
        years=services.years_of(person), this_year=local_today().year,
        this_year_points=services.points_in_year(person.id, local_today().year),
        may_record=services.may_record(_user())), status


@bp.get("/people/<id:person_id>")
@roles_required(*READ)
def person_history(person_id: int):
    return _history(services.get_person(person_id, _user()))


def _revoke_again(err: DomainError, record_id: int):
    record = services.get_record(record_id, _user())
    return _history(record.person, err.message, err.status)


@bp.post("/<id:record_id>/revoke")
@roles_required(*RECORD)
@on_refusal(_revoke_again)
def record_revoke(record_id: int):
    record = services.get_record(record_id, _user())
    services.revoke_record(record, actor=_user(), reason=request.form.get("reason"))
    flash("问责记录已撤销（记录保留，不再计入统计）", "success")
    return redirect(url_for(".person_history", person_id=record.person_id) + f"#r{record.id}")


# --- the item page's panel -----------------------------------------------------------------


def item_panel(item) -> dict | None:
    """The 问责 panel on an item's page: only office, leaders and admin see it."""
    actor = _user()
    if not services.may_read(actor):
        return None
    return {"named": services.item_people(item), "records": services.records_of_item(item),
            "may_record": services.may_record(actor)}

