"""The statistics page (统计), its Excel export, and GET /api/v1/statistics.

Who may see statistics: office, leaders and admins (every unit). Liaisons and inspectors get
403 on the page and the API — a liaison sees their own unit's figures on their item list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, Response, render_template, request, url_for
from pydantic import Field
from werkzeug.datastructures import MultiDict

from webapp import api, spreadsheets
from webapp.api.declare import Day, DayText, Out, Query, operation
from webapp.auth.access import actor, roles_required
from webapp.auth.models import STAFF_ROLES
from webapp.database import local_today
from webapp.errors import InvalidInput, NotAllowed
from webapp.media.store import content_disposition
from webapp.spreadsheets import append_row, to_bytes
from webapp.supervision.figures import PERIOD_FIGURES, Figure, FigureSpec
from webapp.supervision.stats import (
    NONE_KEY,
    RETURN_COUNTS,
    Group,
    Period,
    Statistics,
    StatRow,
    check_period,
    period_bounds,
    unit_statistics,
)
from webapp.validation import parse_choice, parse_date

bp = Blueprint("stats", __name__, template_folder="templates")
api_bp = Blueprint("stats_api", __name__)


def _parse(args: MultiDict) -> tuple[Period, date, date, Group]:
    """Period, start, end and grouping from a query string; bad values raise InvalidInput.

    A date typed in means a custom period: with 本月/本季度/本年 chosen but a start or end
    other than that period's bounds (the form sends both, filled with the bounds), the typed
    dates win and the period becomes 自定义 — never silently ignored."""
    group = parse_choice(args.get("group"), Group, field="group", label="统计口径",
                         required=False) or Group.UNIT
    period = parse_choice(args.get("period"), Period, field="period", label="统计期间",
                          required=False)
    if period is None:
        period = Period.CUSTOM if args.get("start") or args.get("end") else Period.MONTH
    if period != Period.CUSTOM:
        bounds = period_bounds(period, local_today())
        typed = (parse_date(args.get("start"), field="start", label="开始日期", required=False),
                 parse_date(args.get("end"), field="end", label="结束日期", required=False))
        if any(t is not None and t != b for t, b in zip(typed, bounds, strict=True)):
            period = Period.CUSTOM
    default_start, default_end = period_bounds(
        Period.MONTH if period == Period.CUSTOM else period, local_today())
    if period == Period.CUSTOM:
        start = parse_date(args.get("start"), field="start", label="开始日期",
                           required=False) or default_start
        end = parse_date(args.get("end"), field="end", label="结束日期",
                         required=False) or default_end
    else:
        start, end = default_start, default_end
    check_period(start, end)
    return period, start, end, group


# --- page ----------------------------------------------------------------------------------


@bp.route("/statistics")
@roles_required(*STAFF_ROLES)
def statistics():
    error = None
    try:
        period, start, end, group = _parse(request.args)
    except InvalidInput as err:
        error = err.message
        period, group = Period.MONTH, Group.UNIT
        start, end = period_bounds(Period.MONTH, local_today())
    stats = unit_statistics(start, end, group)
    return render_template(
        "stats/statistics.html", stats=stats, period=period, error=error,
        periods=Period, groups=Group, columns=COLUMNS, shown=shown, links=_links(stats),
        period_start=start, period_end=end,
        export_args={"period": "custom", "start": start.isoformat(), "end": end.isoformat(),
                     "group": group.value},
    ), (422 if error else 200)


@bp.route("/statistics/export.xlsx")
@roles_required(*STAFF_ROLES)
def statistics_xlsx():
    _, start, end, group = _parse(request.args)
    data = _workbook(unit_statistics(start, end, group))
    name = f"statistics-{start.isoformat()}-{end.isoformat()}-{group.value}.xlsx"
    return Response(data, mimetype=spreadsheets.MIME,
                    headers={"Content-Disposition": content_disposition(name, as_attachment=True)})


@dataclass(frozen=True)
class Column:
    """A column of the table, on the page and in the Excel alike."""

    header: str
    name: str  # StatRow attribute
    kind: str = "count"  # count, rate or days
    figure: Figure | None = None  # the items the number counts (a link to their list)


COLUMNS = (
    Column("应办结", "due", figure=Figure.DUE),
    Column("已报结", "closed", figure=Figure.CLOSED),
    Column("报结率", "closing_rate", "rate"),
    Column("按期办结", "on_time", figure=Figure.ON_TIME),
    Column("按期办结率", "on_time_rate", "rate"),
    Column("当前逾期", "overdue_now", figure=Figure.OVERDUE),
    Column("催办次数", "reminders"),
    Column("反馈退回", "returns"),
    *(Column(f"退回：{r.label}", name) for r, name in RETURN_COUNTS.items()),
    Column("退回申请", "hand_back_requests"),
    Column("平均办结天数", "avg_days_to_close", "days"),
)
HEADERS = [c.header for c in COLUMNS]


def shown(row: StatRow, column: Column) -> str:
    """A cell as the page shows it (the Excel holds the same value, as a number)."""
    value = getattr(row, column.name)
    if value is None:
        return "—"
    if column.kind == "rate":
        return f"{value * 100:.1f}%"
    if column.kind == "days":
        return f"{value:.1f}"
    return str(value)


def _links(stats: Statistics) -> dict[tuple[str, str], tuple[str, str]]:
    """(row key, column name) → (page list, API list) for every number that counts items."""
    out = {}
    for row in [*stats.rows, stats.totals]:
        key = None if row is stats.totals else row.key
        if key == NONE_KEY and stats.group == Group.UNIT:
            continue
        for c in COLUMNS:
            if c.figure is None:
                continue
            period = c.figure in PERIOD_FIGURES
            args = FigureSpec(c.figure, stats.start if period else None,
                              stats.end if period else None, stats.group, key).args()
            out[(row.key, c.name)] = (url_for("supervision.item_list", **args),
                                      url_for("api.items_api.list_items", **args))
    return out


def _workbook(stats: Statistics) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "统计"
    append_row(ws, [f"督办工作统计（{stats.start.isoformat()} 至 {stats.end.isoformat()}，"
                    f"按{stats.group.label}）"])
    ws["A1"].font = Font(bold=True, size=14)
    append_row(ws, [stats.group.label, *HEADERS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in [*stats.rows, stats.totals]:
        append_row(ws, [r.label, *(getattr(r, c.name) for c in COLUMNS)])
    for row in ws.iter_rows(min_row=3):
        for cell, c in zip(row[1:], COLUMNS, strict=True):
            if c.kind == "rate":
                cell.number_format = "0.0%"
            elif c.kind == "days":
                cell.number_format = "0.0"
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 24
    for n in range(2, len(COLUMNS) + 2):
        ws.column_dimensions[get_column_letter(n)].width = 12
    ws.freeze_panes = "B3"
    return to_bytes(wb)


# --- API -----------------------------------------------------------------------------------


class StatisticsQuery(Query):
    start: Day | None = Field(None, title="开始日期",
                              description="first day (local); default: first day of this month")
    end: Day | None = Field(None, title="结束日期",
                            description="last day (local); default: last day of this month")
    group: Group = Field(Group.UNIT, title="统计口径")


class StatisticsRow(Out):
    key: str = Field(description="unit id, person's name or source code; '-' when not set")
    label: str
    due: int
    closed: int
    on_time: int
    overdue_now: int
    reminders: int
    returns: int
    returns_insufficient_evidence: int = Field(description="returns: 证据不足")
    returns_not_as_required: int = Field(description="returns: 未按要求整改")
    returns_too_brief: int = Field(description="returns: 内容过于简略")
    returns_other: int = Field(description="returns: 其他 (and returns before categories)")
    hand_back_requests: int
    closing_rate: float | None = Field(description="报结率 closed/due, 0..1; null when due = 0")
    on_time_rate: float | None = Field(
        description="按期办结率 on_time/closed, 0..1; null when closed = 0")
    avg_days_to_close: float | None = Field(description="over items closed in the period")


class StatisticsPeriod(Out):
    start: DayText
    end: DayText


class StatisticsTable(Out):
    """Statistics for a period"""

    period: StatisticsPeriod
    group: Group
    rows: list[StatisticsRow]
    totals: StatisticsRow


@operation(api_bp, "/statistics", summary="Statistics for a period per unit, responsible "
           "person or source (office, leader, admin; others 403)", query=StatisticsQuery,
           answers={200: StatisticsTable}, errors=(403,))
def statistics_api(query: StatisticsQuery):
    user = actor()
    if user is None or user.role not in STAFF_ROLES:
        raise NotAllowed("statistics are for office, leader and admin users")
    default_start, default_end = period_bounds(Period.MONTH, local_today())
    start, end = query.start or default_start, query.end or default_end
    check_period(start, end)
    stats = unit_statistics(start, end, query.group)
    return StatisticsTable(period=StatisticsPeriod(start=start.isoformat(), end=end.isoformat()),
                           group=query.group, rows=[r.as_dict() for r in stats.rows],
                           totals=stats.totals.as_dict())


api.register(api_bp)


def init_app(app) -> None:
    app.register_blueprint(bp)
