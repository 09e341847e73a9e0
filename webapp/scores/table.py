"""The score table as rows of values: the page and the Excel both show exactly these."""

from __future__ import annotations

from webapp.scores.compute import PeriodResult, UnitScore
from webapp.scores.models import ReasonKind
from webapp.scores.rules import fmt

HEADERS = ["排名", "单位", "得分", *(k.label for k in ReasonKind)]


def row_values(row: UnitScore) -> list:
    """rank, unit, total, then each reason's points (None: nothing counted)."""
    cells = []
    for kind in ReasonKind:
        line = row.line(kind)
        cells.append(None if line is None else line.effective)
    return [row.rank, row.unit_name, row.total, *cells]


def rows(result: PeriodResult) -> list[list]:
    return [row_values(r) for r in result.rows]


def reason_rows(result: PeriodResult) -> list[list]:
    """One row per reason line: unit, reason, points (as decided), count, how, items."""
    out = []
    for r in result.rows:
        for ln in r.lines:
            codes = "、".join(e.code for e in ln.entries if e.code)
            adjusted = "" if ln.adjusted is None else f"申诉采纳，原为 {fmt(ln.points)} 分"
            out.append([r.unit_name, ln.kind.label, ln.effective, ln.count, ln.detail,
                        adjusted, codes])
    return out


REASON_HEADERS = ["单位", "事项", "分值", "次数/件数", "计算说明", "申诉调整", "涉及事项"]
