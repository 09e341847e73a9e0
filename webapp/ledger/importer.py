"""督办台账 from Excel: the office fills the template (one item a row) and imports it.

All or nothing: every row is read and checked — by the same checks as the 登记 and 交办 forms
(supervision.services.new_item and assignment, the workflow's refusal), with the units, the
people named and the admin's policy read once — and only when every row passes are the items
numbered (one allocation), saved (one flush), and their 登记 and 交办 events written in one
batch of the audit chain, followed by one event naming the import (file, count, codes); the
交办 notifications are written with them (one insert). When any row is refused, nothing is
saved and every refusal is reported by row and column (行 5，列"办理时限"：…).
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from webapp.audit import services as audit
from webapp.auth.models import Role, User
from webapp.database import local_today
from webapp.errors import DomainError, InvalidInput, NotAllowed
from webapp.extensions import db
from webapp.numbering import next_numbers
from webapp.org.models import Unit
from webapp.people import services as people
from webapp.spreadsheets import append_row, to_bytes
from webapp.supervision import policy, services
from webapp.supervision.models import Source, SupervisionItem, Urgency
from webapp.supervision.workflow import refusal
from webapp.validation import day_problem

MAX_ROWS = 2000
MAX_BYTES = 10 * 1024 * 1024
MAX_COLUMNS = 60  # the header row is read this far
IMPORT_EVENT = "import_items"
SHEET = "督办事项"
FIRST_ROW = 2  # row 1: the headers


@dataclass(frozen=True)
class Column:
    header: str
    field: str  # the service's argument (its errors name it)
    required: bool = False
    note: str = ""


COLUMNS = (
    Column("标题", "title", True, "一行，最多 200 字"),
    Column("事项内容", "content", True),
    Column("来源", "source", True, "、".join(s.label for s in Source)),
    Column("紧急程度", "urgency", False, "、".join(u.label for u in Urgency) + "；空为平件"),
    Column("来文/批示编号", "source_ref"),
    Column("办理要求", "requirements"),
    Column("批示领导", "instruction_leader", False, "来源为领导批示时必填"),
    Column("批示内容", "instruction_text", False, "来源为领导批示时必填"),
    Column("批示日期", "instruction_date", False, "日期，如 2026-11-30"),
    Column("承办单位", "lead_unit", False, "单位全称；填写则同时交办"),
    Column("协办单位", "assisting_units", False, "单位全称，多个用“、”分隔"),
    Column("办理时限", "due_date", False, "交办时必填，日期，如 2026-12-31"),
    Column("分管领导", "supervising_leader", False, "姓名"),
    Column("第一责任人", "first_responsible", False, "交办时必填，承办单位人员姓名"),
    Column("直接责任人", "direct_responsible", False, "交办时必填，承办单位人员姓名"),
)
HEADER_OF = {c.field: c.header for c in COLUMNS}
HEADER_OF.update({"new_lead_unit": "承办单位", "evidence_required": "承办单位"})
_SEPARATORS = re.compile(r"[、,，;；\n]+")


class NotSpreadsheet(DomainError):
    """The upload is not an .xlsx workbook (checked by its content, not its name)."""

    status = 400
    code = "not_xlsx"


@dataclass(frozen=True)
class Problem:
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"行 {self.row}，列“{self.column}”" if self.column else f"行 {self.row}"
        return f"{where}：{self.message}"


class ImportRefused(InvalidInput):
    """Some rows were refused: nothing was saved; `problems` names each by row and column."""

    def __init__(self, problems: list[Problem]):
        shown = "；".join(str(p) for p in problems[:5])
        more = f"；另有 {len(problems) - 5} 处问题" if len(problems) > 5 else ""
        super().__init__(f"导入未完成，没有保存任何事项。{shown}{more}",
                         extra={"problems": [{"row": p.row, "column": p.column,
                                              "message": p.message} for p in problems]})
        self.problems = problems


@dataclass
class Row:
    number: int
    values: dict[str, object] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


# --- the template ---------------------------------------------------------------------------


def template() -> bytes:
    """The .xlsx template: headers (required ones marked *), lists for 来源 and 紧急程度, an
    example row to overwrite, and a sheet of notes."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    append_row(ws, [c.header + ("*" if c.required else "") for c in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, width in enumerate((30, 40, 16, 10, 16, 30, 10, 30, 12, 18, 24, 12, 10, 10, 10)):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    ws.freeze_panes = "A2"
    for header, enum_cls in (("来源", Source), ("紧急程度", Urgency)):
        letter = chr(ord("A") + [c.header for c in COLUMNS].index(header))
        rule = DataValidation(type="list", allow_blank=True,
                              formula1='"' + ",".join(m.label for m in enum_cls) + '"')
        rule.add(f"{letter}{FIRST_ROW}:{letter}{MAX_ROWS + 1}")
        ws.add_data_validation(rule)
    notes = wb.create_sheet("填写说明")
    append_row(notes, ["列", "必填", "说明"])
    for c in COLUMNS:
        append_row(notes, [c.header, "是" if c.required else "", c.note])
    append_row(notes, [])
    append_row(notes, ["说明", "", f"每行一个事项，第 {FIRST_ROW} 行起；最多 {MAX_ROWS} 行。"
                       "任一行有误则全部不导入，并逐行逐列说明原因。"])
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["C"].width = 60
    return to_bytes(wb)


# --- reading --------------------------------------------------------------------------------


def _open(data: bytes):
    if len(data) > MAX_BYTES:
        raise NotSpreadsheet(f"文件过大：最多 {MAX_BYTES // (1024 * 1024)} MB")
    if not data.startswith(b"PK\x03\x04"):
        raise NotSpreadsheet("请上传 Excel 工作簿（.xlsx）：该文件不是 .xlsx 格式")
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        raise NotSpreadsheet("请上传 Excel 工作簿（.xlsx）：文件已损坏或不是 .xlsx 格式") from None
    if "xl/workbook.xml" not in names:
        raise NotSpreadsheet("请上传 Excel 工作簿（.xlsx）：该文件不是 Excel 工作簿")
    if "xl/vbaProject.bin" in names:
        raise NotSpreadsheet("请另存为不含宏的 .xlsx 后再导入")
    try:
        # Formulas are read as their text (data_only=False): what was typed, never computed.
        return load_workbook(BytesIO(data), read_only=True, data_only=False)
    except Exception:
        raise NotSpreadsheet("无法读取该 Excel 文件，请用模板另存为 .xlsx 后再导入") from None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else str(value)
    return text.strip() or None


def _day(value: object, label: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("请填写日期，如 2026-12-31")
    text = value.strip().replace("/", "-").replace(".", "-")
    text = re.sub(r"(\d{4})年(\d{1,2})月(\d{1,2})日?", r"\1-\2-\3", text)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        text = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    day, problem = day_problem(text)
    if problem:
        raise ValueError(f"{label}{problem}")
    return day


def _choice(value: str | None, enum_cls, label: str, *, default=None):
    if value is None:
        if default is None:
            raise ValueError(f"请填写{label}")
        return default
    for member in enum_cls:
        if value in (member.label, member.value):
            return member
    raise ValueError(f"{label}应为：" + "、".join(m.label for m in enum_cls))


def read_rows(data: bytes) -> list[Row]:
    """Every filled row of the first sheet as service arguments, with the problems of each
    cell it could not read (a date, a choice, a unit's name)."""
    wb = _open(data)
    try:
        ws = wb.worksheets[0]
        header = next(ws.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True), None)
        headers = [(_text(h) or "").rstrip("*").strip() for h in (header or ())]
        missing = [c.header for c in COLUMNS if c.header not in headers]
        if missing:
            raise InvalidInput("表头与模板不一致，缺少列：" + "、".join(missing)
                               + "。请下载模板，按模板填写", field="file")
        where = {c.field: headers.index(c.header) for c in COLUMNS}
        units = {u.name: u for u in db.session.scalars(select(Unit).where(Unit.active.is_(True)))}
        rows = []
        # Only the template's columns are read, and the rows up to a bound: a small file can
        # claim a sheet of a million empty rows or 16,384 columns.
        lines = ws.iter_rows(min_row=FIRST_ROW, max_col=len(headers), values_only=True)
        for number, line in enumerate(lines, start=FIRST_ROW):
            if number > MAX_ROWS * 2 + FIRST_ROW:
                raise InvalidInput(f"表格行数过多：一次最多导入 {MAX_ROWS} 行", field="file")
            if not any(v not in (None, "") for v in line):
                continue
            if len(rows) >= MAX_ROWS:
                raise InvalidInput(f"一次最多导入 {MAX_ROWS} 行，请分批导入", field="file")
            cells = {f: (line[i] if i < len(line) else None) for f, i in where.items()}
            rows.append(_row(number, cells, units))
    finally:
        wb.close()
    if not rows:
        raise InvalidInput("文件中没有要导入的事项（第 2 行起每行一个事项）", field="file")
    return rows


def _row(number: int, cells: dict[str, object], units: dict[str, Unit]) -> Row:
    row = Row(number)

    def read(name: str, fn):
        try:
            row.values[name] = fn(cells[name])
        except ValueError as err:
            row.problems.append(Problem(number, HEADER_OF[name], str(err)))

    for name in ("title", "content", "source_ref", "requirements", "instruction_leader",
                 "instruction_text", "supervising_leader", "first_responsible",
                 "direct_responsible"):
        read(name, _text)
    read("source", lambda v: _choice(_text(v), Source, "来源"))
    read("urgency", lambda v: _choice(_text(v), Urgency, "紧急程度", default=Urgency.NORMAL))
    read("instruction_date", lambda v: _day(v, "批示日期"))
    read("due_date", lambda v: _day(v, "办理时限"))

    def unit(name: str | None) -> Unit | None:
        if name is None:
            return None
        if name not in units:
            raise ValueError(f"没有名为“{name}”的单位（请填写单位全称）")
        return units[name]

    read("lead_unit", lambda v: unit(_text(v)))
    read("assisting_units", lambda v: [unit(n) for n in _SEPARATORS.split(_text(v) or "")
                                       if n.strip()])
    return row


# --- saving ---------------------------------------------------------------------------------


def import_items(data: bytes, *, actor: User, filename: str | None = None) -> list[str]:
    """Register (and assign) every row, or none: the new items' codes, or ImportRefused."""
    if actor.role != Role.OFFICE:
        raise NotAllowed("只有督办员可以导入督办事项")
    rows = read_rows(data)
    problems = [p for r in rows for p in r.problems]
    approval, resolve = policy.current(), _Remembered()
    made: list[tuple[SupervisionItem, list[tuple]]] = []
    for row in rows:
        if row.problems:
            continue
        try:
            made.append(_prepare(row.values, actor, approval, resolve))
        except DomainError as err:
            problems.append(Problem(row.number, HEADER_OF.get(err.field or ""), err.message))
    if problems:
        problems.sort(key=lambda p: p.row)
        raise ImportRefused(problems)
    year = local_today().year
    for (item, _), number in zip(made, next_numbers("item", year, len(made)), strict=True):
        item.code = f"{year}-{number:03d}"
    db.session.add_all([item for item, _ in made])
    db.session.flush()
    codes = [item.code for item, _ in made]
    entries = [(action, object_type, item.code, details)
               for item, events in made for action, object_type, _, details in events]
    entries.append((IMPORT_EVENT, "item_import", hashlib.sha256(data).hexdigest()[:16],
                    {"count": len(codes), "codes": codes, "filename": filename}))
    audit.record_many(entries, actor=actor)
    return codes


class _Remembered:
    """people.resolve, remembered per (unit, name) for one import: a thousand rows naming the
    same twelve 所长 look each up once. Refusals are not remembered (each row reports its
    own)."""

    def __init__(self) -> None:
        self.known: dict = {}

    def __call__(self, unit: Unit | None, value: object, **kw) -> people.Named:
        key = (unit.id if isinstance(unit, Unit) else unit, value, tuple(sorted(kw.items())))
        if key not in self.known:
            self.known[key] = people.resolve(unit, value, **kw)
        return self.known[key]


def _prepare(v: dict, actor: User, approval: policy.Policy, resolve: _Remembered
             ) -> tuple[SupervisionItem, list[tuple]]:
    """One row's item, checked and assigned as the forms would, not yet numbered nor saved,
    with its 登记 (and 交办) audit entries (their codes filled in once numbered)."""
    item = services.new_item(
        actor=actor, title=v["title"] or "", content=v["content"] or "", source=v["source"],
        urgency=v["urgency"], source_ref=v["source_ref"], requirements=v["requirements"],
        instruction_text=v["instruction_text"], instruction_leader=v["instruction_leader"],
        instruction_date=v["instruction_date"], approval=approval, resolve=resolve)
    events = [services.registered(item)]
    lead = v["lead_unit"]
    if lead is not None:
        refused = refusal(item, "assign", actor)
        if refused is not None:
            raise refused
        events.append(services.assignment(
            item, lead_unit=lead, due_date=v["due_date"], assisting_units=v["assisting_units"],
            supervising_leader=v["supervising_leader"],
            first_responsible=v["first_responsible"],
            direct_responsible=v["direct_responsible"], resolve=resolve))
    elif v["due_date"] or v["assisting_units"] or v["first_responsible"] \
            or v["direct_responsible"] or v["supervising_leader"]:
        raise InvalidInput("填写了交办信息，请同时填写承办单位", field="lead_unit")
    return item, events
