"""Charts drawn on the server as SVG (驾驶舱, 统计, 通报): horizontal bars, one row per label,
each bar a link to the list that produced it, with a <title>, the values as text (read aloud
and printed) and a viewBox so the chart fits any width (a 360 px phone: no sideways scroll).

No JavaScript, no CDN: a chart is a string of markup, so a page includes it inline and
WeasyPrint draws it in a PDF.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from markupsafe import Markup, escape

WIDTH = 320  # viewBox units; the svg is width 100 %
LABEL_H = 16  # the row's label, above its bars
BAR_H = 14
GAP = 6
PALETTE = ("#1f5fa8", "#e08a00", "#2e8b57", "#b22222")
_ids = itertools.count(1)


@dataclass
class Bar:
    value: float  # drawn length, against the chart's maximum
    text: str  # the value as read: "12", "85.0%（17/20）"
    href: str | None = None
    series: int = 0  # colour and legend entry


@dataclass
class Row:
    label: str
    bars: list[Bar] = field(default_factory=list)


def bar_chart(title: str, rows: list[Row], *, series: tuple[str, ...] = (),
              max_value: float | None = None, empty: str = "暂无数据") -> Markup:
    """Horizontal bars; `series` names the colours in a legend when there is more than one."""
    uid = f"chart{next(_ids)}"
    top = 4
    legend = []
    if len(series) > 1:
        x = 0
        for i, name in enumerate(series):
            colour = PALETTE[i % len(PALETTE)]
            legend.append(f'<rect x="{x}" y="{top}" width="10" height="10" fill="{colour}"/>'
                          f'<text x="{x + 14}" y="{top + 9}" font-size="11">{escape(name)}</text>')
            x += 14 + 12 * len(name) + 16
        top += 20
    peak = max_value or max((b.value for r in rows for b in r.bars), default=0) or 1
    usable = WIDTH - 70  # room for the value text after the longest bar
    parts = []
    y = top
    for row in rows:
        parts.append(f'<text x="0" y="{y + 12}" font-size="12">{escape(row.label)}</text>')
        y += LABEL_H
        for bar in row.bars:
            colour = PALETTE[bar.series % len(PALETTE)]
            length = max(1.0, usable * max(bar.value, 0) / peak) if bar.value else 0
            name = f"{row.label} {series[bar.series] if len(series) > 1 else ''} {bar.text}"
            shape = (f'<title>{escape(" ".join(name.split()))}</title>'
                     f'<rect x="0" y="{y}" width="{length:.1f}" height="{BAR_H}" '
                     f'fill="{colour}" rx="2"/>'
                     f'<text x="{length + 4:.1f}" y="{y + 11}" font-size="11">'
                     f'{escape(bar.text)}</text>')
            if bar.href:
                shape = f'<a href="{escape(bar.href)}" class="chart-bar">{shape}</a>'
            parts.append(f"<g>{shape}</g>")
            y += BAR_H + 2
        y += GAP
    if not rows:
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(empty)}</text>')
        y += 24
    height = y + 2
    # every piece of text above went through escape(): the markup is ours
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{uid}-t" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" font-family="sans-serif">'
        f'<title id="{uid}-t">{escape(title)}</title>'
        + "".join(legend) + "".join(parts) + "</svg>")


def percent(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"
