"""Items from the Excel template: all rows or none, refusals by row and column, one audited
import beside each item's own 登记 and 交办 events; only .xlsx by content."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests.helpers import login
from webapp.audit.models import AuditEvent
from webapp.database import local_today
from webapp.extensions import db
from webapp.ledger.importer import COLUMNS, IMPORT_EVENT
from webapp.people.models import Person
from webapp.supervision.models import ItemState, SupervisionItem


def _file(rows: list[dict], *, formula_title: str | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append([c.header + ("*" if c.required else "") for c in COLUMNS])
    for row in rows:
        ws.append([row.get(c.header) for c in COLUMNS])
    if formula_title:
        ws["A2"] = formula_title  # openpyxl writes a leading "=" as a formula
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _good(n: int, due) -> list[dict]:
    return [{"标题": f"整改第{i}号窗口排队问题", "事项内容": "群众反映排队时间长，请整改。",
             "来源": "群众反映/信访转办", "紧急程度": "急件" if i % 2 else None,
             "承办单位": "城关派出所" if i % 3 else None, "办理时限": due if i % 3 else None,
             "第一责任人": "张所长" if i % 3 else None, "直接责任人": "李副所长" if i % 3 else None}
            for i in range(1, n + 1)]


def _post(client, data: bytes, name: str = "台账.xlsx"):
    return client.post("/items/import", data={"file": (BytesIO(data), name)},
                       content_type="multipart/form-data")


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(SupervisionItem.id)))


def test_the_template_downloads_and_a_good_file_creates_every_item(app, client, office, units):
    login(client, office)
    page = client.get("/items/import")
    assert page.status_code == 200 and "下载导入模板" in page.get_data(as_text=True)
    template = client.get("/items/import/template.xlsx")
    ws = load_workbook(BytesIO(template.get_data())).worksheets[0]
    assert [c.value for c in ws[1]][:3] == ["标题*", "事项内容*", "来源*"]

    with app.app_context():
        due = local_today() + timedelta(days=20)
        chief = Person(unit_id=units["A"].id, name="张所长", post="所长")
        db.session.add(chief)
        db.session.commit()
        chief_id = chief.id
    resp = _post(client, _file(_good(6, due)))
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    assert "已导入 6 个督办事项" in client.get("/items/").get_data(as_text=True)
    with app.app_context():
        items = db.session.scalars(select(SupervisionItem).order_by(SupervisionItem.id)).all()
        assert len(items) == 6
        assigned = [i for i in items if i.state == ItemState.ASSIGNED]
        assert len(assigned) == 4 and {i.lead_unit.name for i in assigned} == {"城关派出所"}
        assert {i.due_date for i in assigned} == {due}
        assert {(i.first_responsible_id, i.first_responsible) for i in assigned} == {
            (chief_id, "张所长")}  # a person of the unit, linked
        assert {(i.direct_responsible_id, i.direct_responsible) for i in assigned} == {
            (None, "李副所长")}  # nobody of that name: kept as text
        assert items[0].urgency == "urgent" and items[1].urgency == "normal"
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == IMPORT_EVENT)).all()
        assert len(events) == 1
        assert events[0].details["count"] == 6
        assert events[0].details["codes"] == [i.code for i in items]
        per_item = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "item")).all()
        assert per_item.count("register") == 6 and per_item.count("assign") == 4


def test_one_bad_row_names_row_and_column_and_saves_nothing(app, client, office, units):
    login(client, office)
    with app.app_context():
        due = local_today() + timedelta(days=20)
    rows = _good(5, due)
    rows[3]["办理时限"] = "2026-02-30"  # spreadsheet row 5
    rows[1]["承办单位"] = "不存在的派出所"  # row 3
    rows[4]["标题"] = None  # row 6: required, refused by the service
    resp = _post(client, _file(rows))
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert "没有保存任何事项" in text
    assert "<td>行 5</td><td>办理时限</td>" in text
    assert "<td>行 3</td><td>承办单位</td>" in text and "不存在的派出所" in text
    assert "<td>行 6</td><td>标题</td>" in text
    assert _count(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.object_type.in_(("item", "item_import")))) == 0


def test_a_formula_is_read_as_its_text(app, client, office, api_headers, units):
    data = _file([
        {"标题": "x", "事项内容": "核查", "来源": "其他"}], formula_title="=1+1")
    resp = client.post("/api/v1/items/import", data=data, headers={
        **api_headers(office), "Content-Type":
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    assert resp.status_code == 201, resp.json
    with app.app_context():
        item = db.session.scalar(select(SupervisionItem))
        assert item.title == "=1+1" and item.code == resp.json["codes"][0]


def test_wrong_files_are_refused_in_chinese(app, client, office, liaison_a, api_headers):
    login(client, office)
    resp = _post(client, b"%PDF-1.7 not a workbook", "台账.xlsx")
    assert resp.status_code == 400 and "不是 .xlsx 格式" in resp.get_data(as_text=True)
    resp = _post(client, b"PK\x03\x04garbage", "台账.xlsx")
    assert resp.status_code == 400 and ".xlsx" in resp.get_data(as_text=True)
    api = client.post("/api/v1/items/import", data=b"a,b,c\n", headers=api_headers(office))
    assert api.status_code == 400 and "xlsx" in api.json["error"]["message"]
    wrong = Workbook()
    wrong.active.append(["名称", "内容"])
    out = BytesIO()
    wrong.save(out)
    resp = _post(client, out.getvalue())
    assert resp.status_code == 422 and "表头与模板不一致" in resp.get_data(as_text=True)
    too_many = _file([{"标题": "t", "事项内容": "c", "来源": "其他"}] * 2001)
    resp = _post(client, too_many)
    assert resp.status_code == 422 and "一次最多导入 2000 行" in resp.get_data(as_text=True)
    assert _count(app) == 0
    login(client, liaison_a)
    assert client.get("/items/import").status_code == 403
    assert _post(client, _file([{"标题": "t", "事项内容": "c", "来源": "其他"}])).status_code == 403


def test_api_refusals_list_every_problem(app, client, office, api_headers, units):
    rows = [{"标题": "a", "事项内容": "b", "来源": "其他"},
            {"标题": "a", "事项内容": "b", "来源": "领导交办", "紧急程度": "很急"}]
    resp = client.post("/api/v1/items/import", data=_file(rows), headers=api_headers(office))
    assert resp.status_code == 422
    assert resp.json["error"]["problems"] == [
        {"row": 3, "column": "来源", "message": "来源应为：领导批示、会议议定、上级交办、暗访发现、"
                                               "群众反映/信访转办、其他"},
        {"row": 3, "column": "紧急程度", "message": "紧急程度应为：平件、急件、特急"}]
    assert "行 3，列“来源”" in resp.json["error"]["message"]
    assert _count(app) == 0


def test_a_sheet_of_empty_rows_is_refused_early(app, client, office, units):
    wb = Workbook()
    ws = wb.active
    ws.append([c.header for c in COLUMNS])
    ws.cell(row=50_000, column=1, value="藏在很远处的一行")
    out = BytesIO()
    wb.save(out)
    login(client, office)
    resp = _post(client, out.getvalue())
    assert resp.status_code == 422 and "表格行数过多" in resp.get_data(as_text=True)
    assert _count(app) == 0
