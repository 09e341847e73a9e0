"""Tables: widths from the content, the head row on every page, rows kept whole, short cells
never wrapped — the same in PDF and Word."""

from __future__ import annotations

import re

import pytest
from docx.oxml.ns import qn

from tests.documents.render_fixtures import MM, open_docx, pdf_lines, request, squash
from webapp.documents.rendering import render_docx, render_pdf, sample_data
from webapp.documents.rendering.layout import column_widths

LONG_CHECK = "窗口工作人员按规定着装、佩戴工作证，文明用语，一次性告知办事群众需补正的全部材料"


def checklist(rows: int) -> dict:
    data = sample_data("inspection_record")
    data["checklist"] = [
        {"text": f"第{i + 1:02d}项：{LONG_CHECK}", "result_label": "不符合" if i % 2 else "符合",
         "note": "100.0%" if i % 3 == 0 else ""}
        for i in range(rows)
    ]
    return data


def test_widths_follow_the_content():
    data = checklist(5)
    rows = [["序号", "检查项", "结果", "备注"]] + [
        [str(i + 1), c["text"], c["result_label"], c["note"]]
        for i, c in enumerate(data["checklist"])
    ]
    widths = column_widths(rows)
    assert sum(widths) == pytest.approx(156 * MM, abs=0.5)
    assert widths[1] > 3 * max(widths[0], widths[2], widths[3])  # 检查项 takes the room
    assert widths[0] >= 2 * 12 + 6  # 序号 fits on one line
    assert widths[2] >= 3 * 12 + 6  # 不符合 too


def test_pdf_rows_whole_heads_repeated_short_cells_unwrapped():
    pages = pdf_lines(render_pdf(request("inspection_record", data=checklist(40))))
    table_pages = [p for p in pages if any(line["text"].startswith("序号 检查项") for line in p)]
    assert len(table_pages) >= 2  # the head row again on every page the table reaches
    for page in pages:
        for line in page:
            assert not re.search(r"(^|\s)(序|不符|100\.0)$", line["text"]), line["text"]
            assert not re.match(r"^(号|合|%)(\s|$)", line["text"]), line["text"]
    rows = [["序号", "检查项", "结果", "备注"]] + [
        [str(i + 1), c["text"], c["result_label"], c["note"]]
        for i, c in enumerate(checklist(40)["checklist"])
    ]
    widths = column_widths(rows)
    lo, hi = 28 + widths[0] / MM, 28 + (widths[0] + widths[1]) / MM  # the 检查项 column
    text_by_page = [
        squash("".join(c["text"] for line in page for c in line["chars"] if lo < c["x0"] / MM < hi))
        for page in pages
    ]
    for i in range(40):  # each row's long text stands on one page
        whole = squash(f"第{i + 1:02d}项：{LONG_CHECK}")
        assert sum(whole in text for text in text_by_page) == 1, i


def test_word_table_matches():
    data = checklist(6)
    doc = open_docx(render_docx(request("inspection_record", data=data)))
    table = doc.tables[0]
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iterchildren(qn("w:gridCol"))]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert grid == [round(w * 20) for w in column_widths(rows)]
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    for r, row in enumerate(table.rows):
        tr_pr = row._tr.trPr
        assert tr_pr.find(qn("w:cantSplit")) is not None
        assert (tr_pr.find(qn("w:tblHeader")) is not None) == (r == 0)
    no_wrap = [cell.text for row in table.rows for cell in row.cells
               if cell._tc.tcPr.find(qn("w:noWrap")) is not None]
    assert {"序号", "不符合", "100.0%", "1"} <= set(no_wrap)
    assert LONG_CHECK not in "".join(no_wrap)
