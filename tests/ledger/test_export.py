"""督办台账 to Excel: the list's rows and filters, as the list shows them, plus people, dates,
light, days overdue and the latest feedback; visibility as the list; user text as text."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from tests.helpers import login
from webapp.database import local_today
from webapp.extensions import db
from webapp.ledger.export import HEADERS
from webapp.supervision.models import SupervisionItem


def _sheet(resp):
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in resp.headers["Content-Disposition"]
    ws = load_workbook(BytesIO(resp.get_data())).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    return ws, [dict(zip(HEADERS, r, strict=True)) for r in rows[1:]]


def _day(value):
    return value.date() if value is not None else None


def test_export_matches_the_list(app, client, api_headers, make_item, office, units):
    with app.app_context():
        today = local_today()
    late = make_item("in_progress", due_date=today - timedelta(days=3),
                     title="整改交通信号灯故障")
    closed = make_item("closed")
    fresh = make_item("registered", title="核查群众反映噪音扰民问题")
    login(client, office)
    listed = client.get("/api/v1/items?per_page=100", headers=api_headers(office)).json["items"]
    page = client.get("/items/").get_data(as_text=True)
    assert "导出 Excel（按当前筛选）" in page and "/items/export.xlsx" in page

    _, rows = _sheet(client.get("/items/export.xlsx"))
    assert [r["编号"] for r in rows] == [i["code"] for i in listed] == [fresh, closed, late]
    for row, item in zip(rows, listed, strict=True):
        assert row["标题"] == item["title"]
        assert row["状态"] == item["state_label"]
        assert row["紧急程度"] == item["urgency_label"]
        assert row["来源"] == item["source_label"]
        assert row["承办单位"] == (item["lead_unit"]["name"] if item["lead_unit"] else "未交办")
        assert row["红黄绿灯"] == ("不亮灯" if item["light"] == "none" else item["light_label"])
        assert (_day(row["办理时限"]).isoformat() if row["办理时限"] else None) == item["due_date"]
    by_code = {r["编号"]: r for r in rows}
    assert by_code[late]["红黄绿灯"] == "红灯（逾期）" and by_code[late]["逾期天数"] == 3
    assert by_code[late]["第一责任人"] == "张所长" and by_code[late]["直接责任人"] == "李副所长"
    assert _day(by_code[late]["登记日期"]) == today and _day(by_code[late]["交办日期"]) == today
    assert by_code[closed]["逾期天数"] is None
    assert by_code[closed]["最新反馈摘要"].startswith("增开两个窗口，实行预约办理。 办理结果：排队")
    assert _day(by_code[closed]["最新反馈日期"]) == today
    assert _day(by_code[closed]["办结反馈日期"]) == today
    assert by_code[fresh]["承办单位"] == "未交办" and by_code[fresh]["第一责任人"] is None


def test_export_keeps_the_filters_and_order(app, client, make_item, office, units):
    a = make_item("in_progress")
    b = make_item("assigned", lead_unit_id=units["B"].id)
    c = make_item("closed")
    login(client, office)
    _, rows = _sheet(client.get("/items/export.xlsx?state=in_progress&state=assigned"))
    assert [r["编号"] for r in rows] == [b, a]
    _, rows = _sheet(client.get(f"/items/export.xlsx?unit={units['B'].id}"))
    assert [r["编号"] for r in rows] == [b]
    _, rows = _sheet(client.get("/items/export.xlsx?sort=code&dir=asc"))
    assert [r["编号"] for r in rows] == [a, b, c]
    _, rows = _sheet(client.get(f"/items/export.xlsx?q={c}"))
    assert [r["编号"] for r in rows] == [c]
    assert client.get("/items/export.xlsx?due_from=2026-13-01").status_code == 422


def test_a_liaison_exports_only_their_units_items(app, client, api_headers, make_item,
                                                  liaison_b, units):
    make_item("in_progress")
    theirs = make_item("in_progress", lead_unit_id=units["B"].id)
    login(client, liaison_b)
    _, rows = _sheet(client.get("/items/export.xlsx"))
    assert [r["编号"] for r in rows] == [theirs]
    _, rows = _sheet(client.get("/api/v1/items/export.xlsx", headers=api_headers(liaison_b)))
    assert [r["编号"] for r in rows] == [theirs]


def test_user_text_stays_text(app, client, make_item, office):
    code = make_item("in_progress", title='=HYPERLINK("http://x.example/","点击")')
    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        item.direct_responsible = "+1-2"
        item.direct_responsible_id = None
        db.session.commit()
    login(client, office)
    ws, rows = _sheet(client.get("/items/export.xlsx"))
    assert rows[0]["标题"] == '=HYPERLINK("http://x.example/","点击")'
    assert rows[0]["直接责任人"] == "+1-2"
    title, person = ws["B2"], ws["K2"]
    assert title.data_type == "s" and person.data_type == "s"
    assert title.quotePrefix and person.quotePrefix


def test_api_export_needs_a_caller_and_refuses_inspectors(client, api_headers, inspector,
                                                          office, make_item):
    make_item("in_progress")
    assert client.get("/api/v1/items/export.xlsx").status_code == 401
    assert client.get("/api/v1/items/export.xlsx",
                      headers=api_headers(inspector)).status_code == 403
    _, rows = _sheet(client.get("/api/v1/items/export.xlsx?light=green",
                                headers=api_headers(office)))
    assert len(rows) == 1


def test_export_queries_do_not_grow_with_the_items(app, client, make_item, office):
    from sqlalchemy import event

    login(client, office)
    counts = []
    for n in (2, 12):
        for _ in range(n - (2 if counts else 0)):
            code = make_item("in_progress")
        seen: list[str] = []
        with app.app_context():
            engine = db.engine

        def listener(conn, cursor, statement, *rest, seen=seen):
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", listener)
        try:
            _, rows = _sheet(client.get("/items/export.xlsx"))
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert len(rows) == n and rows[0]["编号"] == code
        counts.append(len(seen))
    assert counts[0] == counts[1]  # one query for the rows, one per batch for the feedback
