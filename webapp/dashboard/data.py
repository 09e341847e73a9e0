"""The dashboard's figures, computed on every request (never cached) from the figure
definitions of supervision/figures.py and inspections/figures.py: each figure carries the
list it came from, for the page (/items?…, /inspections?…) and for the API
(/api/v1/items?…, /api/v1/inspections?…), whose total equals its value."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from urllib.parse import quote_plus

from flask import current_app, g, url_for
from markupsafe import Markup
from sqlalchemy import select

from webapp import charts as svg
from webapp.charts import Bar, Row, percent
from webapp.database import local_today
from webapp.extensions import db
from webapp.inspections import figures as ins
from webapp.inspections.models import FindingCategory
from webapp.org.models import Unit
from webapp.supervision import figures as fig
from webapp.supervision.models import Source
from webapp.supervision.stats import NONE_KEY, Group

MONTHS = 12


@dataclass
class Figure:
    """One number: what it is, how many, and the lists that show exactly those."""

    section: str
    label: str
    value: int
    href: str  # the API list (its `total` equals `value`)
    page: str  # the same list on a page

    @property
    def link(self) -> Markup:
        """The number as a link to its list (the page's tables: built here, not by a template
        macro per number)."""
        return _LINK.format(self.page, self.value, self.href, self.label, self.value,
                            self.value)


_LINK = Markup('<a class="figure" href="{}" data-value="{}" data-api="{}" title="{}：{}">{}</a>')


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@dataclass
class UnitRank:
    label: str
    due: Figure
    closed: Figure
    on_time: Figure
    overdue: Figure

    @property
    def closing_rate(self) -> float | None:
        return self.closed.value / self.due.value if self.due.value else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time.value / self.closed.value if self.closed.value else None

    @property
    def closing_rate_text(self) -> str:
        return _rate(self.closing_rate)

    @property
    def on_time_rate_text(self) -> str:
        return _rate(self.on_time_rate)


@dataclass
class Dashboard:
    today: date
    start: date  # the twelve months: first day
    end: date  # last day
    cards: list[Figure] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)  # every figure, cards included
    ranking: list[UnitRank] = field(default_factory=list)
    charts: dict[str, Markup] = field(default_factory=dict)


def _months(today: date) -> list[tuple[date, date]]:
    """The twelve calendar months ending with this one: (first day, last day)."""
    out = []
    y, m = today.year, today.month
    for _ in range(MONTHS):
        first = date(y, m, 1)
        nxt = date(y + m // 12, m % 12 + 1, 1)
        out.append((first, nxt - timedelta(days=1)))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def _lists() -> dict[str, str]:
    """The four list paths, looked up once per dashboard (a few hundred links follow)."""
    return {"items_api": url_for("api.items_api.list_items"),
            "items": url_for("supervision.item_list"),
            "inspections_api": url_for("api.inspections_api.inspection_list"),
            "inspections": url_for("inspections.inspection_list")}


@lru_cache(maxsize=4096)
def _quoted(text: str) -> str:
    return quote_plus(text)


def _query(args: dict) -> str:
    """As urlencode(args), with each name and value quoted once per process: a dashboard has a
    few hundred links made of the same few dates, figures and keys."""
    return "&".join(f"{_quoted(str(k))}={_quoted(str(v))}" for k, v in args.items())


def _item_figure(section: str, label: str, value: int, spec: fig.FigureSpec) -> Figure:
    query = _query(spec.args())
    paths = g.dashboard_lists
    return Figure(section, label, value, f"{paths['items_api']}?{query}",
                  f"{paths['items']}?{query}")


def _inspection_figure(section: str, label: str, value: int, spec: ins.InspectionSpec,
                       unit_id: int | None = None) -> Figure:
    args = spec.args()
    api_query = _query({**args, **({"unit_id": unit_id} if unit_id else {})})
    page_query = _query({**args, **({"unit": unit_id} if unit_id else {})})
    paths = g.dashboard_lists
    return Figure(section, label, value, f"{paths['inspections_api']}?{api_query}",
                  f"{paths['inspections']}?{page_query}")


def _no_chart(*args, **kwargs) -> Markup:
    return Markup("")


def build(*, charts: bool = True) -> Dashboard:
    """Every figure; with `charts`, their SVG charts too (the page; the API has no use for
    them)."""
    bar_chart = svg.bar_chart if charts else _no_chart
    g.dashboard_lists = _lists()
    today = local_today()
    yellow = current_app.config["YELLOW_LIGHT_DAYS"]
    months = _months(today)
    d = Dashboard(today, months[0][0], months[-1][1])
    add = d.figures.append

    # the three cards (and the overdue buckets, sources and overdue per unit below)
    now = fig.open_counts(today, yellow)
    for f, value in ((fig.Figure.OPEN, now.open), (fig.Figure.OVERDUE, now.overdue),
                     (fig.Figure.DUE_SOON, now.due_soon)):
        spec = fig.FigureSpec(f)
        card = _item_figure("当前", f.label, value, spec)
        d.cards.append(card)
        add(card)

    # 报结率 and 按期办结率 by month: the units' items (as the statistics per unit count them)
    period = fig.period_counts(months, today, now.overdue_by_unit)
    rows = []
    for (first, last), (due, closed, on_time) in zip(months, period.periods, strict=True):
        name = f"{first.year}年{first.month}月"
        figs = [_item_figure("按月", f"{name}{f.label}", v,
                             fig.FigureSpec(f, first, last, Group.UNIT))
                for f, v in ((fig.Figure.DUE, due), (fig.Figure.CLOSED, closed),
                             (fig.Figure.ON_TIME, on_time))]
        for f in figs:
            add(f)
        rows.append(Row(name, [
            Bar(closed / due if due else 0, f"{percent(closed, due)}（{closed}/{due}）",
                figs[1].page, 0),
            Bar(on_time / closed if closed else 0,
                f"{percent(on_time, closed)}（{on_time}/{closed}）", figs[2].page, 1)]))
    d.charts["months"] = bar_chart("近12个月报结率与按期办结率", rows,
                                   series=("报结率", "按期办结率"), max_value=1)

    # units ranked by 按期办结率, then 报结率, over the twelve months
    names = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    for key, line in period.units.items():
        label = names.get(int(key), key) if key != NONE_KEY else "（未交办）"

        def unit_fig(f: fig.Figure, value: int, *, label=label, key=key) -> Figure:
            period = f in fig.PERIOD_FIGURES
            spec = fig.FigureSpec(f, d.start if period else None, d.end if period else None,
                                  Group.UNIT, key)
            return _item_figure("单位排名", f"{label}{f.label}", value, spec)

        rank = UnitRank(label, unit_fig(fig.Figure.DUE, line.due),
                        unit_fig(fig.Figure.CLOSED, line.closed),
                        unit_fig(fig.Figure.ON_TIME, line.on_time),
                        unit_fig(fig.Figure.OVERDUE, line.overdue))
        d.ranking.append(rank)
        for f in (rank.due, rank.closed, rank.on_time, rank.overdue):
            add(f)
    d.ranking.sort(key=lambda r: (-(r.on_time.value / r.due.value if r.due.value else -1),
                                  -(r.closing_rate or 0), r.overdue.value, r.label))
    d.charts["units"] = bar_chart("近12个月各单位按期办结（按期办结 ÷ 应办结）", [
        Row(r.label, [Bar(r.on_time.value / r.due.value if r.due.value else 0,
                          f"{percent(r.on_time.value, r.due.value)}"
                          f"（{r.on_time.value}/{r.due.value}）", r.on_time.page)])
        for r in d.ranking], max_value=1)

    # overdue by days overdue
    rows = []
    for bucket, n in now.buckets.items():
        f = _item_figure("逾期天数", bucket.label, n,
                         fig.FigureSpec(fig.Figure.OVERDUE, bucket=bucket))
        add(f)
        rows.append(Row(bucket.label, [Bar(n, str(n), f.page)]))
    d.charts["overdue"] = bar_chart("当前逾期事项按逾期天数", rows)

    # open items by source (the office's items: a split item once)
    rows = []
    for key, n in sorted(now.by_source.items(), key=lambda kv: -kv[1]):
        label = Source(key).label if key != NONE_KEY else "（未填写）"
        f = _item_figure("来源", f"在办·{label}", n,
                         fig.FigureSpec(fig.Figure.OPEN, group=Group.SOURCE, key=key))
        add(f)
        rows.append(Row(label, [Bar(n, str(n), f.page)]))
    d.charts["sources"] = bar_chart("在办事项按来源", rows)

    _inspections(d, names, bar_chart)
    return d


def _inspections(d: Dashboard, names: dict[int, str], bar_chart) -> None:
    start, end = d.start, d.end
    add = d.figures.append
    # per target unit (no unit included): the totals are their sums, as the same condition
    # grouped partitions what it counts
    per_unit = ins.per_unit(start, end)
    inspected_spec = ins.InspectionSpec(ins.InspectionFigure.INSPECTED, start, end)
    inspected = _inspection_figure("暗访检查", "检查次数",
                                   sum(n for n, _, _ in per_unit.values()), inspected_spec)
    add(inspected)
    repeat_spec = ins.InspectionSpec(ins.InspectionFigure.REPEAT, start, end)
    repeat = _inspection_figure("暗访检查", "同一地点再次发现问题",
                                sum(r for _, _, r in per_unit.values()), repeat_spec)
    add(repeat)
    d.cards.extend([inspected, repeat])
    total = inspected.value

    rows = []
    per_category = ins.per_category(start, end)
    for category in FindingCategory:
        n = per_category.get(category, 0)
        if not n:
            continue
        spec = ins.InspectionSpec(ins.InspectionFigure.WITH_PROBLEM, start, end, category)
        f = _inspection_figure("问题类别", f"发现{category.label}问题的检查", n, spec)
        add(f)
        rows.append(Row(category.label, [Bar(n / total if total else 0,
                                             f"{percent(n, total)}（{n}/{total}）", f.page)]))
    d.charts["categories"] = bar_chart("问题发现率（按类别：发现该类问题的检查 ÷ 检查次数）", rows,
                                       max_value=1)

    rows, repeat_rows = [], []
    lines = sorted(per_unit.items(),
                   key=lambda kv: (-(kv[1][1] / kv[1][0]), names.get(kv[0], "")))
    for unit_id, (n, problems, repeats) in lines:
        label = names.get(unit_id, str(unit_id))
        f_n = _inspection_figure("被检查单位", f"{label}检查次数", n, inspected_spec, unit_id)
        f_p = _inspection_figure(
            "被检查单位", f"{label}发现问题", problems,
            ins.InspectionSpec(ins.InspectionFigure.WITH_PROBLEM, start, end), unit_id)
        add(f_n)
        add(f_p)
        rows.append(Row(label, [Bar(problems / n, f"{percent(problems, n)}（{problems}/{n}）",
                                    f_p.page)]))
        if repeats:
            f_r = _inspection_figure("被检查单位", f"{label}同一地点再次发现", repeats,
                                     repeat_spec, unit_id)
            add(f_r)
            repeat_rows.append(Row(label, [Bar(repeats, str(repeats), f_r.page)]))
    d.charts["inspection_units"] = bar_chart(
        "问题发现率（按单位：发现问题的检查 ÷ 检查次数）", rows, max_value=1)
    d.charts["repeats"] = bar_chart("同一地点再次发现问题（按单位）", repeat_rows,
                                    empty="没有同一地点再次发现的问题")


def charts() -> dict[str, Markup]:
    """The dashboard's charts as SVG markup (months, units, overdue, sources, categories,
    inspection_units, repeats): for a 通报 or any page that places them inline."""
    return build().charts
