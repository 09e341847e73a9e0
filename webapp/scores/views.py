"""考核 pages: periods, the score table, a unit's reasons and the items behind each, appeals,
the office's 表扬 / 通报批评 records, and the table's Excel."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from webapp import spreadsheets
from webapp.auth.access import roles_required
from webapp.auth.models import STAFF_ROLES, Role
from webapp.errors import DomainError, NotFound
from webapp.extensions import db
from webapp.media.store import content_disposition
from webapp.org.models import Unit
from webapp.scores import rules as R
from webapp.scores import services, table
from webapp.scores.models import CitationKind, ReasonKind
from webapp.transaction import on_refusal
from webapp.validation import parse_bool, parse_choice, parse_date, parse_id

bp = Blueprint("scores", __name__, url_prefix="/scores", template_folder="templates")
VIEWERS = (*STAFF_ROLES, Role.LIAISON)
RULE_FIELDS = [(f, R.LABELS[f]) for f in R.LABELS]


def _me():
    return current_user._get_current_object()


def _units():
    return list(db.session.scalars(select(Unit).where(Unit.active.is_(True))
                                   .order_by(Unit.code)))


# --- periods -------------------------------------------------------------------------------


def _list_page(error: str | None = None, status: int = 200, form=None):
    services.check_viewer(_me())
    return render_template("scores/periods.html", periods=services.periods(), error=error,
                           form=form or {}, rule_fields=RULE_FIELDS,
                           defaults=R.asdict(R.Rules()), managers=services.MANAGERS), status


@bp.get("")
@roles_required(*VIEWERS)
def period_list():
    return _list_page()


def _rules_form() -> dict:
    """The rule values the form sent (a missing one keeps its value or the default)."""
    return {f: request.form[f] for f in R.LABELS if f in request.form}


@bp.post("")
@roles_required(Role.OFFICE, Role.ADMIN)
@on_refusal(lambda err: _list_page(err.message, err.status, request.form))
def period_create():
    period = services.create_period(
        actor=_me(), name=request.form.get("name"),
        start_on=parse_date(request.form.get("start_on"), field="start_on", label="开始日期",
                            required=False),
        end_on=parse_date(request.form.get("end_on"), field="end_on", label="结束日期",
                          required=False),
        rules=_rules_form())
    flash(f"考核周期“{period.name}”已设立", "success")
    return redirect(url_for(".period_page", period_id=period.id))


def _period_page(period_id: int, error: str | None = None, status: int = 200):
    me = _me()
    period = services.get_period(period_id, me)
    if not services.may_see_all(me):  # a liaison: their unit's page
        return _unit_page(period_id, me.unit_id, error, status)
    result = services.visible_result(period, me)
    return render_template(
        "scores/period.html", period=period, result=result, headers=table.HEADERS,
        rows=table.rows(result), kinds=list(ReasonKind), fmt=R.fmt,
        rules=R.describe(result.rules), rule_fields=RULE_FIELDS, error=error,
        pending=[a for r in result.rows for a in r.appeals if a.state == "pending"],
        may_manage=me.role in services.MANAGERS, may_decide=me.role in services.DECIDERS,
    ), status


@bp.get("/<id:period_id>")
@roles_required(*VIEWERS)
def period_page(period_id: int):
    return _period_page(period_id)


def _again(err: DomainError, period_id: int, **_):
    return _period_page(period_id, err.message, err.status)


@bp.post("/<id:period_id>/rules")
@roles_required(Role.OFFICE, Role.ADMIN)
@on_refusal(_again)
def rules_update(period_id: int):
    period = services.get_period(period_id, _me())
    services.update_rules(period, actor=_me(), rules=_rules_form())
    flash("考核规则已保存", "success")
    return redirect(url_for(".period_page", period_id=period_id))


@bp.post("/<id:period_id>/freeze")
@roles_required(Role.OFFICE, Role.ADMIN)
@on_refusal(_again)
def period_freeze(period_id: int):
    services.freeze(services.get_period(period_id, _me()), actor=_me())
    flash("考核结果已冻结：之后的数据变化不再影响本周期的结果", "success")
    return redirect(url_for(".period_page", period_id=period_id))


@bp.post("/<id:period_id>/recompute")
@roles_required(Role.OFFICE, Role.ADMIN)
@on_refusal(_again)
def period_recompute(period_id: int):
    changed = services.recompute(services.get_period(period_id, _me()), actor=_me())
    flash(f"已按当前数据重新计算，{len(changed)} 个单位的得分有变化", "success")
    return redirect(url_for(".period_page", period_id=period_id))


# --- a unit, its reasons, appeals ------------------------------------------------------------


def _unit_page(period_id: int, unit_id: int, error: str | None = None, status: int = 200):
    me = _me()
    period = services.get_period(period_id, me)
    services.check_unit(me, unit_id)
    result = services.visible_result(period, me)
    row = result.row(unit_id)
    if row is None:
        raise NotFound("找不到该单位的考核结果")
    return render_template(
        "scores/unit.html", period=period, result=result, row=row, fmt=R.fmt, error=error,
        units_count=len(result.rows) if services.may_see_all(me) else None,
        may_appeal=me.role == Role.LIAISON and me.unit_id == unit_id,
        may_decide=me.role in services.DECIDERS,
    ), status


@bp.get("/<id:period_id>/units/<id:unit_id>")
@roles_required(*VIEWERS)
def unit_page(period_id: int, unit_id: int):
    return _unit_page(period_id, unit_id)


@bp.get("/<id:period_id>/units/<id:unit_id>/<kind>")
@roles_required(*VIEWERS)
def reason_page(period_id: int, unit_id: int, kind: str):
    me = _me()
    period = services.get_period(period_id, me)
    services.check_unit(me, unit_id)
    try:
        kind = ReasonKind(kind)
    except ValueError:
        raise NotFound("找不到该考核事项") from None
    row = services.visible_result(period, me).row(unit_id)
    line = row.line(kind) if row else None
    if line is None:
        raise NotFound("该单位在本周期没有这一项")
    return render_template("scores/reason.html", period=period, row=row, line=line, fmt=R.fmt)


def _unit_again(err: DomainError, period_id: int, unit_id: int):
    return _unit_page(period_id, unit_id, err.message, err.status)


@bp.post("/<id:period_id>/units/<id:unit_id>/appeals")
@roles_required(Role.LIAISON)
@on_refusal(_unit_again)
def appeal_file(period_id: int, unit_id: int):
    period = services.get_period(period_id, _me())
    services.check_unit(_me(), unit_id)
    services.file_appeal(period, actor=_me(), unit_id=unit_id,
                         kind=parse_choice(request.form.get("kind"), ReasonKind, field="kind",
                                           label="申诉事项", required=False),
                         reason=request.form.get("reason"))
    flash("申诉已提交，等待办公室或局领导处理", "success")
    return redirect(url_for(".unit_page", period_id=period_id, unit_id=unit_id))


def _decide_again(err: DomainError, appeal_id: int):
    appeal = services.get_appeal(appeal_id, _me())
    return _unit_page(appeal.period_id, appeal.unit_id, err.message, err.status)


@bp.post("/appeals/<id:appeal_id>/decide")
@roles_required(Role.OFFICE, Role.LEADER)
@on_refusal(_decide_again)
def appeal_decide(appeal_id: int):
    appeal = services.get_appeal(appeal_id, _me())
    accept = parse_bool(request.form.get("accept"))
    services.decide_appeal(appeal, actor=_me(), accept=accept,
                           points=R.parse_points(request.form.get("points"), field="points",
                                                 label="调整后的分值") if accept else None,
                           comment=request.form.get("comment"))
    flash("申诉已采纳，得分已调整" if accept else "申诉未采纳", "success")
    return redirect(url_for(".unit_page", period_id=appeal.period_id, unit_id=appeal.unit_id))


# --- Excel ---------------------------------------------------------------------------------


@bp.get("/<id:period_id>/export.xlsx")
@roles_required(*VIEWERS)
def period_xlsx(period_id: int):
    me = _me()
    period = services.get_period(period_id, me)
    data = workbook(services.visible_result(period, me))
    return Response(data, mimetype=spreadsheets.MIME, headers={
        "Content-Disposition": content_disposition(f"scores-{period.id}.xlsx",
                                                   as_attachment=True)})


def workbook(result) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "考核得分"
    p = result.period
    state = "已冻结" if p.frozen else "实时计算"
    spreadsheets.append_row(ws, [f"{p.name} 考核得分（{p.start_on.isoformat()} 至 "
                                 f"{p.end_on.isoformat()}，{state}）"])
    ws["A1"].font = Font(bold=True, size=14)
    spreadsheets.append_row(ws, table.HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for values in table.rows(result):
        spreadsheets.append_row(ws, values)
    ws.column_dimensions["B"].width = 24
    ws.freeze_panes = "C3"
    detail = wb.create_sheet("扣分加分明细")
    spreadsheets.append_row(detail, table.REASON_HEADERS)
    for values in table.reason_rows(result):
        spreadsheets.append_row(detail, values)
    rules = wb.create_sheet("考核规则")
    for label, value in R.describe(result.rules):
        spreadsheets.append_row(rules, [label, value])
    return spreadsheets.to_bytes(wb)


# --- 表扬 / 通报批评 ---------------------------------------------------------------------------


def _citations_page(error: str | None = None, status: int = 200, form=None):
    return render_template("scores/citations.html", citations=services.citations(),
                           units=_units(), kinds=CitationKind, error=error,
                           form=form or {}), status


@bp.get("/citations")
@roles_required(*STAFF_ROLES)
def citation_list():
    return _citations_page()


@bp.post("/citations")
@roles_required(Role.OFFICE, Role.ADMIN)
@on_refusal(lambda err: _citations_page(err.message, err.status, request.form))
def citation_add():
    f = request.form
    services.add_citation(
        actor=_me(), unit_id=parse_id(f.get("unit_id"), field="unit_id", label="单位",
                                      required=False),
        kind=parse_choice(f.get("kind"), CitationKind, field="kind", label="类别",
                          required=False),
        cited_on=parse_date(f.get("cited_on"), field="cited_on", label="日期", required=False),
        reason=f.get("reason"), item_code=f.get("item_code"), doc_number=f.get("doc_number"))
    flash("已登记", "success")
    return redirect(url_for(".citation_list"))
