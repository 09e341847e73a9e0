"""Statistics (统计): every figure of a known set of items, for each grouping; page, Excel
export and API access rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.helpers import login
from webapp.database import local_today
from webapp.extensions import db
from webapp.supervision.models import (
    Feedback,
    FeedbackKind,
    HandBackRequest,
    ItemState,
    Reminder,
    ReminderChannel,
    RequestState,
    ReviewState,
    Source,
    SupervisionItem,
)
from webapp.supervision.stats import Period, period_bounds, unit_statistics

START, END = date(2025, 3, 1), date(2025, 3, 31)
QUERY = "start=2025-03-01&end=2025-03-31"
FIELDS = ("due", "closed", "on_time", "overdue_now", "reminders", "returns",
          "hand_back_requests", "closing_rate", "on_time_rate", "avg_days_to_close")
RETURN_FIELDS = ("returns_insufficient_evidence", "returns_not_as_required", "returns_too_brief",
                 "returns_other")  # returns per category (test_flow_statistics.py)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def world(app, make_item, units, office):
    """Items with known outcomes in March 2025 (see the expected tables below)."""
    today = None
    with app.app_context():
        today = local_today()
    b = {"lead_unit_id": units["B"].id, "first_responsible": "王队长",
         "direct_responsible": "赵中队长", "source": Source.MEETING}
    codes = {
        # closed on time: assigned 03-01 local, closed 03-08 → 7 days
        "i1": make_item("closed", due_date=date(2025, 3, 10), closed_on=date(2025, 3, 8),
                        assigned_at=utc(2025, 3, 1, 2)),
        # closed late; assigned 2025-03-04 20:00 UTC = 03-05 local → 20 days
        "i2": make_item("closed", due_date=date(2025, 3, 20), closed_on=date(2025, 3, 25),
                        assigned_at=utc(2025, 3, 4, 20)),
        # extended 03-05 → 03-15, closed (then archived) 03-12: on time; 20 days
        "i3": make_item("closed", due_date=date(2025, 3, 15), original_due_date=date(2025, 3, 5),
                        closed_on=date(2025, 3, 12), assigned_at=utc(2025, 2, 20, 1),
                        source=Source.SUPERIOR,
                        direct_responsible="周民警"),
        # open and overdue, due in the period
        "i4": make_item("in_progress", due_date=date(2025, 3, 18)),
        # cancelled: never counted
        "i5": make_item("cancelled", due_date=date(2025, 3, 15), lead_unit_id=units["A"].id,
                        first_responsible="张所长", direct_responsible="李副所长"),
        # unit B: overdue now, due after the period
        "i6": make_item("in_progress", due_date=date(2025, 4, 10), **b),
        # unit B: closed in the period but due after it → only in the average (11 days)
        "i7": make_item("closed", due_date=date(2025, 4, 5), closed_on=date(2025, 3, 28),
                        assigned_at=utc(2025, 3, 17, 3), **b),
        # unit B: open, not yet due → nothing
        "i8": make_item("in_progress", **b),
        # unit A: under review, due yesterday → overdue now
        "i9": make_item("under_review", due_date=today - timedelta(days=1)),
        # closed before the period → nothing
        "i10": make_item("closed", due_date=date(2025, 2, 15), closed_on=date(2025, 2, 10),
                         assigned_at=utc(2025, 2, 1, 3)),
        "registered": make_item("registered"),
    }
    with app.app_context():
        ids = dict(db.session.execute(select(SupervisionItem.code, SupervisionItem.id)).all())
        item = {name: ids[code] for name, code in codes.items()}
        a, bb, w = units["A"].id, units["B"].id, units["W"].id
        db.session.get(SupervisionItem, item["i3"]).state = ItemState.ARCHIVED

        def remind(name, unit, at):
            db.session.add(Reminder(item_id=item[name], unit_id=unit,
                                    channel=ReminderChannel.PHONE, created_at=at))

        remind("i4", a, utc(2025, 3, 19, 3))
        remind("i4", a, utc(2025, 3, 19, 4))
        remind("i4", a, utc(2025, 2, 28, 20))  # 2025-03-01 04:00 local: in
        remind("i4", a, utc(2025, 3, 31, 17))  # 2025-04-01 01:00 local: out
        remind("i6", bb, utc(2025, 3, 10, 3))
        remind("i6", bb, utc(2025, 6, 10, 3))  # out

        def feedback(name, unit, state, at):
            db.session.add(Feedback(item_id=item[name], unit_id=unit, kind=FeedbackKind.FINAL,
                                    actions_taken="已整改", submitted_by_id=office.id,
                                    submitted_at=at, review_state=state, reviewed_at=at))

        feedback("i2", a, ReviewState.RETURNED, utc(2025, 3, 15, 2))
        feedback("i2", a, ReviewState.RETURNED, utc(2025, 5, 1, 2))  # out
        feedback("i1", a, ReviewState.ACCEPTED, utc(2025, 3, 7, 2))  # accepted: not a return

        def hand_back(name, unit, at):
            db.session.add(HandBackRequest(item_id=item[name], unit_id=unit, reason="非本单位职责",
                                           requested_by_id=office.id, requested_at=at,
                                           state=RequestState.REFUSED))

        hand_back("i6", bb, utc(2025, 3, 3, 3))
        hand_back("i1", w, utc(2025, 3, 2, 3))  # asked by W before i1 went to A
        hand_back("i6", bb, utc(2024, 12, 3, 3))  # out
        db.session.commit()
    return codes


def _row(due=0, closed=0, on_time=0, overdue_now=0, reminders=0, returns=0,
         hand_back_requests=0, closing_rate=None, on_time_rate=None, avg_days_to_close=None):
    return {"due": due, "closed": closed, "on_time": on_time, "overdue_now": overdue_now,
            "reminders": reminders, "returns": returns,
            "hand_back_requests": hand_back_requests, "closing_rate": closing_rate,
            "on_time_rate": on_time_rate, "avg_days_to_close": avg_days_to_close}


TOTALS = _row(4, 3, 2, 3, 4, 1, 2, 0.75, 0.6667, 14.5)

EXPECTED = {
    "unit": [
        ("城关派出所", _row(4, 3, 2, 2, 3, 1, 0, 0.75, 0.6667, 15.7)),
        ("交警大队", _row(0, 0, 0, 1, 1, 0, 1, None, None, 11.0)),
        ("户政服务窗口", _row(hand_back_requests=1)),
    ],
    "first_responsible": [
        ("张所长", _row(4, 3, 2, 2, 3, 1, 1, 0.75, 0.6667, 15.7)),
        ("王队长", _row(0, 0, 0, 1, 1, 0, 1, None, None, 11.0)),
    ],
    "direct_responsible": [
        ("李副所长", _row(3, 2, 1, 2, 3, 1, 1, 0.6667, 0.5, 13.5)),
        ("周民警", _row(1, 1, 1, 0, 0, 0, 0, 1.0, 1.0, 20.0)),
        ("赵中队长", _row(0, 0, 0, 1, 1, 0, 1, None, None, 11.0)),
    ],
    "source": [
        ("群众反映/信访转办", _row(3, 2, 1, 2, 3, 1, 1, 0.6667, 0.5, 13.5)),
        ("上级交办", _row(1, 1, 1, 0, 0, 0, 0, 1.0, 1.0, 20.0)),
        ("会议议定", _row(0, 0, 0, 1, 1, 0, 1, None, None, 11.0)),
    ],
}


def _figures(row: dict) -> dict:
    return {k: row[k] for k in FIELDS}


@pytest.mark.parametrize("group", list(EXPECTED))
def test_every_figure_per_grouping(app, world, group):
    with app.app_context():
        stats = unit_statistics(START, END, group)
    got = [(r.label, _figures(r.as_dict())) for r in stats.rows]
    assert got == EXPECTED[group]
    assert _figures(stats.totals.as_dict()) == TOTALS


def test_empty_period_has_no_rows_and_null_rates(app, world):
    with app.app_context():
        stats = unit_statistics(date(2020, 1, 1), date(2020, 1, 31), "unit")
    # overdue-now is not bound to the period: the open overdue items still show
    assert [(r.label, r.due, r.overdue_now) for r in stats.rows] == [
        ("城关派出所", 0, 2), ("交警大队", 0, 1)]
    assert stats.totals.closing_rate is None
    assert stats.totals.on_time_rate is None
    assert stats.totals.avg_days_to_close is None


def test_period_bounds():
    today = date(2026, 11, 27)
    assert period_bounds(Period.MONTH, today) == (date(2026, 11, 1), date(2026, 11, 30))
    assert period_bounds(Period.QUARTER, today) == (date(2026, 10, 1), date(2026, 12, 31))
    assert period_bounds(Period.YEAR, today) == (date(2026, 1, 1), date(2026, 12, 31))
    assert period_bounds(Period.MONTH, date(2024, 2, 10)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_bounds(Period.QUARTER, date(2026, 2, 1)) == (date(2026, 1, 1), date(2026, 3, 31))


# --- page and export ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["office", "leader", "admin"])
def test_page_renders_for_staff(client, world, request, persona):
    login(client, request.getfixturevalue(persona))
    resp = client.get(f"/statistics?period=custom&{QUERY}&group=unit")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "2025-03-01" in html and "2025-03-31" in html
    assert "城关派出所" in html and "户政服务窗口" in html and "合计" in html
    assert "75.0%" in html and "66.7%" in html and "15.7" in html and "14.5" in html
    assert "—" in html  # rates with nothing due


def test_page_defaults_to_this_month_and_groups(app, client, world, office):
    with app.app_context():
        start, end = period_bounds(Period.MONTH, local_today())
    login(client, office)
    html = client.get("/statistics").get_data(as_text=True)
    assert f'name="start" value="{start.isoformat()}"' in html
    assert f'name="end" value="{end.isoformat()}"' in html
    html = client.get(f"/statistics?period=custom&{QUERY}&group=direct_responsible") \
        .get_data(as_text=True)
    assert "周民警" in html and "按直接责任人统计" in html


def test_page_escapes_names(client, make_item, office):
    make_item("in_progress", due_date=date(2025, 3, 3), first_responsible="<b>x</b>")
    login(client, office)
    html = client.get(f"/statistics?period=custom&{QUERY}&group=first_responsible") \
        .get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


def test_page_bad_params_are_422_with_message(client, office):
    login(client, office)
    resp = client.get("/statistics?period=custom&start=2025-03-31&end=2025-03-01")
    assert resp.status_code == 422
    assert "结束日期不能早于开始日期" in resp.get_data(as_text=True)
    assert client.get("/statistics?group=nobody").status_code == 422
    assert client.get("/statistics?period=custom&start=2025-13-01").status_code == 422


@pytest.mark.parametrize("persona", ["liaison_a", "inspector"])
def test_page_and_export_forbidden(client, request, persona):
    login(client, request.getfixturevalue(persona))
    assert client.get("/statistics").status_code == 403
    assert client.get("/statistics/export.xlsx").status_code == 403


def test_page_requires_login(client):
    assert client.get("/statistics").status_code == 302


def test_excel_export(client, world, office):
    login(client, office)
    resp = client.get(f"/statistics/export.xlsx?period=custom&{QUERY}&group=unit")
    assert resp.status_code == 200
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(BytesIO(resp.data)).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert rows[0][:4] == ("承办单位", "应办结", "已报结", "报结率")  # as on the page
    assert rows[1][:6] == ("城关派出所", 4, 3, 0.75, 2, 0.6667)
    assert rows[2][0] == "交警大队" and rows[2][3] is None
    assert rows[-1][0] == "合计" and rows[-1][-1] == 14.5
    assert ws["D3"].number_format == "0.0%"


# --- API -----------------------------------------------------------------------------------


def test_api_shape_and_figures(client, world, leader, api_headers):
    resp = client.get(f"/api/v1/statistics?{QUERY}&group=source", headers=api_headers(leader))
    assert resp.status_code == 200
    body = resp.json
    assert body["period"] == {"start": "2025-03-01", "end": "2025-03-31"}
    assert body["group"] == "source"
    assert [r["key"] for r in body["rows"]] == ["complaint", "superior", "meeting"]
    assert set(body["rows"][0]) == {"key", "label", *FIELDS, *RETURN_FIELDS}
    assert [(r["label"], _figures(r)) for r in body["rows"]] == EXPECTED["source"]
    assert _figures(body["totals"]) == TOTALS
    assert body["totals"]["key"] == "total"


def test_api_default_group_is_unit(client, world, units, office, api_headers):
    body = client.get(f"/api/v1/statistics?{QUERY}", headers=api_headers(office)).json
    assert body["group"] == "unit"
    assert [r["key"] for r in body["rows"]] == [str(units[k].id) for k in "ABW"]


@pytest.mark.parametrize(("query", "field"), [
    ("start=2025-02-30&end=2025-03-31", "start"),
    ("start=2025-03-01&end=tomorrow", "end"),
    ("start=&end=2025-03-31", "start"),
    ("start=2025-03-31&end=2025-03-01", "end"),
    ("start=2000-01-01&end=2025-03-01", "end"),
    (f"{QUERY}&group=everyone", "group"),
])
def test_api_bad_params_422(client, office, api_headers, query, field):
    resp = client.get(f"/api/v1/statistics?{query}", headers=api_headers(office))
    assert resp.status_code == 422
    assert resp.json["error"]["field"] == field


@pytest.mark.parametrize("persona", ["liaison_a", "inspector"])
def test_api_forbidden(client, request, api_headers, persona):
    resp = client.get(f"/api/v1/statistics?{QUERY}",
                      headers=api_headers(request.getfixturevalue(persona)))
    assert resp.status_code == 403
    assert resp.json["error"]["code"] == "forbidden"


def test_api_requires_auth_and_is_documented(client):
    assert client.get(f"/api/v1/statistics?{QUERY}").status_code == 401
    doc = client.get("/api/v1/openapi.json").json
    op = doc["paths"]["/statistics"]["get"]
    assert {p["name"] for p in op["parameters"]} == {"start", "end", "group"}
    assert "StatisticsRow" in doc["components"]["schemas"]
