"""周期事项 end to end: the office sets one up through the API; the daily tick makes each
period's item (登记 + 交办 through the supervision services) with its own deadline — across a
month end, into the National Day holiday, on a weekend, twice, and catching up after
downtime — each with its lights, statistics, to-do entry and a message at the local
receiver; a stopped recurrence makes no more; a period that cannot be made waits."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from webapp.audit.services import verify_chain
from webapp.auth.models import User
from webapp.database import local_today
from webapp.escalation.services import tick
from webapp.extensions import db
from webapp.notify import worker
from webapp.org.models import Unit
from webapp.recurring.models import Recurrence, RecurringPeriod
from webapp.supervision.models import SupervisionItem

API = "/api/v1"
START = date(2026, 9, 1)


def _today(app) -> date:
    with app.app_context():
        return local_today()


def _body(app, units, **extra) -> dict:
    """A monthly report by the 5th; it starts far ahead, and the test moves it to START."""
    return {"title": "报送月度治安形势分析", "content": "每月 5 日前报送上月治安形势分析。",
            "lead_unit_id": units["A"].id, "first_responsible": "张所长",
            "direct_responsible": "李副所长", "frequency": "monthly", "due_day": 5,
            "start_on": (_today(app) + timedelta(days=400)).isoformat(), **extra}


def _set_up(app, client, headers, units, **extra) -> int:
    resp = client.post(f"{API}/recurrences", headers=headers, json=_body(app, units, **extra))
    assert resp.status_code == 201, resp.json
    assert resp.json["periods"] == []  # nothing opens until its start
    with app.app_context():
        rec = db.session.get(Recurrence, resp.json["id"])
        rec.start_on = START  # as if set up before September 2026
        db.session.commit()
        return rec.id


def _periods(app, rec_id) -> list[tuple[str, date, str]]:
    """(title, deadline, state) of the items made, by period."""
    with app.app_context():
        return [(i.title, i.due_date, str(i.state)) for i in db.session.scalars(
            select(SupervisionItem).join(RecurringPeriod, RecurringPeriod.item_id ==
                                         SupervisionItem.id)
            .where(RecurringPeriod.recurrence_id == rec_id)
            .order_by(RecurringPeriod.period_start))]


def _tick(app, day: date):
    with app.app_context():
        report = tick(day)
        db.session.commit()
        return report


def test_each_period_is_its_own_item_made_once_by_the_tick(
        app, client, api_headers, office, liaison_a, units, receiver):
    with app.app_context():
        from webapp.people.services import person_for_user

        person_for_user(db.session.get(User, liaison_a.id)).mobile = "13900000002"
        db.session.commit()
    rec_id = _set_up(app, client, api_headers(office), units)

    assert _tick(app, date(2026, 8, 31)).created == []  # before the start
    report = _tick(app, START)
    assert len(report.created) == 1 and "新建周期事项 1 件" in report.summary()
    assert _tick(app, START).created == []  # twice: nothing more
    # Saturday 5 Sep is no working day: due on Monday 7 Sep
    assert _periods(app, rec_id) == [("报送月度治安形势分析（2026年9月）", date(2026, 9, 7),
                                      "assigned")]

    # across the month end, in the National Day holiday: 5 Oct is off until 8 Oct
    assert len(_tick(app, date(2026, 10, 6)).created) == 1
    # downtime through November: December's tick makes November's and December's, once
    assert len(_tick(app, date(2026, 12, 2)).created) == 2
    assert _tick(app, date(2026, 12, 2)).created == []
    assert [(t.rsplit("（", 1)[1], d) for t, d, _ in _periods(app, rec_id)] == [
        ("2026年9月）", date(2026, 9, 7)), ("2026年10月）", date(2026, 10, 8)),
        ("2026年11月）", date(2026, 11, 5)), ("2026年12月）", date(2026, 12, 7))]

    # each is an item of its own: the unit's to-do, a red light when late, the statistics
    liaison = api_headers(liaison_a)
    todo = client.get(f"{API}/todo?kind=to_acknowledge", headers=liaison).json
    assert todo["counts"]["to_acknowledge"] == 4
    listed = client.get(f"{API}/items?q=月度治安形势分析", headers=liaison).json["items"]
    lights = {i["due_date"]: i["light"] for i in listed}
    assert lights["2026-09-07"] == "red"
    stats = client.get(f"{API}/statistics?start=2026-10-01&end=2026-10-31",
                       headers=api_headers(office)).json
    assert [r["due"] for r in stats["rows"] if r["label"] == units["A"].name] == [1]
    detail = client.get(f"{API}/recurrences/{rec_id}", headers=api_headers(office)).json
    assert [p["period"] for p in detail["periods"]] == ["2026年9月", "2026年10月", "2026年11月",
                                                       "2026年12月"]
    assert detail["upcoming"][0] == {"period": "2027年1月", "opens_on": "2027-01-01",
                                     "due_date": "2027-01-05"}
    # the unit heard of each by SMS at the local receiver (交办, one per item)
    with app.app_context():
        worker.deliver_due()
        assert verify_chain().problem is None
    texts = [m["text"] for m in receiver.messages if m["event"] == "assigned"]
    assert len(texts) == 4 and all("月度治安形势分析" in t for t in texts)


def test_stopped_recurrences_make_no_more_and_a_blocked_period_waits(
        app, client, api_headers, office, liaison_a, units):
    headers = api_headers(office)
    rec_id = _set_up(app, client, headers, units)
    _tick(app, START)
    with app.app_context():  # the unit is closed: October cannot be assigned to it
        db.session.get(Unit, units["A"].id).active = False
        db.session.commit()
    report = _tick(app, date(2026, 10, 9))
    assert report.created == [] and "2026年10月未能生成：承办单位不存在" in report.problems[0]
    assert client.get(f"{API}/recurrences/{rec_id}", headers=headers).json[
        "last_error"] == "2026年10月：承办单位不存在"
    with app.app_context():
        db.session.get(Unit, units["A"].id).active = True
        db.session.commit()
    assert len(_tick(app, date(2026, 10, 9)).created) == 1  # made once the unit is back
    stop = client.post(f"{API}/recurrences/{rec_id}/stop", headers=headers,
                       json={"reason": "专项工作结束"})
    assert stop.status_code == 200 and stop.json["stopped_at"] and stop.json["upcoming"] == []
    assert client.post(f"{API}/recurrences/{rec_id}/stop", headers=headers,
                       json={"reason": "再停"}).status_code == 409
    assert _tick(app, date(2026, 12, 2)).created == []
    assert len(_periods(app, rec_id)) == 2


def test_deadlines_in_working_days_and_quarterly(app, client, api_headers, office, units):
    headers = api_headers(office)
    working = _set_up(app, client, headers, units, due_day=None, due_working_days=5)
    quarterly = _set_up(app, client, headers, units, frequency="quarterly", due_month=1,
                        due_day=10, title="报送季度工作总结")
    _tick(app, date(2026, 10, 9))
    # the 5th working day of October 2026 is 13 Oct: 8 (after the holiday), 9, the 调休
    # Saturday 10, 12, 13; of September: 7 Sep (1 Sep is a Tuesday)
    assert [d for _, d, _ in _periods(app, working)] == [date(2026, 9, 7), date(2026, 10, 13)]
    # quarterly: the period opening 1 Oct, due 10 Oct (a 调休 Saturday: a working day)
    assert [(t, d) for t, d, _ in _periods(app, quarterly)] == [
        ("报送季度工作总结（2026年第4季度）", date(2026, 10, 10))]


def test_what_the_api_refuses(app, client, api_headers, office, leader, liaison_a, units):
    headers = api_headers(office)
    cases = [
        ({"due_working_days": 3}, 422, "二选一"),  # both a day and working days
        ({"due_day": None}, 422, "二选一"),  # neither
        ({"due_day": 32}, 422, None),
        ({"frequency": "weekly"}, 422, None),
        ({"start_on": "2020-01-01"}, 422, "开始日期不能早于今天"),
        ({"frequency": "quarterly", "due_month": 4}, 422, "第 1 至 3 个月"),
        ({"source": "leader_instruction"}, 422, "领导批示"),
        ({"first_responsible": None}, 422, "第一责任人"),
        ({"lead_unit_id": 99999}, 422, "承办单位不存在"),
        ({"start_on": "2098-06-10", "end_on": "2098-06-20"}, 422, "没有一期"),  # 5 Jun, 5 Jul
    ]
    for extra, status, words in cases:
        resp = client.post(f"{API}/recurrences", headers=headers, json=_body(app, units, **extra))
        assert resp.status_code == status, (extra, resp.json)
        if words:
            assert words in resp.json["error"]["message"], (extra, resp.json)
    assert client.post(f"{API}/recurrences", headers=api_headers(leader),
                       json=_body(app, units)).status_code == 403
    assert client.get(f"{API}/recurrences", headers=api_headers(liaison_a)).status_code == 403
    assert client.get(f"{API}/recurrences/12345", headers=headers).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Recurrence)) == 0


def test_set_up_today_makes_the_open_period_at_once(app, client, api_headers, office, units):
    """Started today, a period whose deadline is still ahead is made now, not tomorrow."""
    today = _today(app)
    body = _body(app, units, due_day=31, start_on=today.isoformat())  # by the month's last day
    resp = client.post(f"{API}/recurrences", headers=api_headers(office), json=body)
    assert resp.status_code == 201
    (period,) = resp.json["periods"]
    assert period["period_start"] == today.replace(day=1).isoformat()
    assert period["state"] == "assigned" and period["due_date"] >= today.isoformat()
