"""进展报送周期 (每周一报进展) end to end: the office sets a weekly cadence through the API; the
tick reminds the unit the working day before a report is due and chases a report not sent
(a 催办, a message at the local receiver, an entry in the unit's and the office's to-do until
the unit reports), over the National Day holiday, twice, and not when the report was sent."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from tests.helpers import login
from webapp.auth.models import User
from webapp.escalation.services import tick
from webapp.extensions import db
from webapp.notify import worker
from webapp.notify.models import Notification
from webapp.recurring.models import FeedbackCadence
from webapp.supervision import services
from webapp.supervision.models import Feedback, Reminder

API = "/api/v1"
MONDAY = date(2026, 9, 21)  # reports due 28 Sep, 5 Oct (off: 8 Oct), 12 Oct …


def _tick(app, day: date) -> dict:
    with app.app_context():
        report = tick(day)
        db.session.commit()
        return dict(report.applied)


def _reminders(app, code: str) -> list[str]:
    with app.app_context():
        item = services.item_by_code(code)
        return [r.note for r in db.session.scalars(select(Reminder).where(
            Reminder.item_id == item.id).order_by(Reminder.id))]


def _weekly(app, client, api_headers, office, code: str) -> None:
    resp = client.post(f"{API}/items/{code}/cadence", headers=api_headers(office),
                       json={"every_days": 7})
    assert resp.status_code == 200 and resp.json["description"] == "每周报送一次阶段进展"
    with app.app_context():  # as if set on Monday 21 September 2026
        db.session.get(FeedbackCadence, services.item_by_code(code).id).start_on = MONDAY
        db.session.commit()


def test_a_weekly_report_is_reminded_chased_and_listed_until_sent(
        app, client, api_headers, office, liaison_a, make_item, receiver):
    code = make_item("in_progress")
    _weekly(app, client, api_headers, office, code)
    with app.app_context():
        from webapp.people.services import person_for_user

        person_for_user(db.session.get(User, liaison_a.id)).mobile = "13900000002"
        db.session.commit()

    assert _tick(app, date(2026, 9, 23)) == {}  # Wednesday: two working days ahead
    # Thursday is the working day before (Friday 25 Sep is the Mid-Autumn Festival)
    assert _tick(app, date(2026, 9, 24)) == {"cadence_soon": 1}
    assert _tick(app, date(2026, 9, 25)) == {}
    assert _tick(app, date(2026, 9, 28)) == {}  # the day it is due: not late yet
    assert _tick(app, date(2026, 9, 29)) == {"cadence_missed": 1}
    assert _tick(app, date(2026, 9, 29)) == {}  # twice: nothing
    assert _reminders(app, code) == ["请于 2026-09-28 前报送阶段进展",
                                     "未按期报送阶段进展（应于 2026-09-28 前报送）"]
    with app.app_context():
        worker.deliver_due()
        inapp = db.session.scalars(select(Notification.body).where(
            Notification.channel == "inapp", Notification.event == "cadence_missed")).all()
    assert inapp == [f"督办事项{code}《整改户籍窗口群众排队时间过长问题》未按期报送阶段进展"
                     "（应于2026-09-28前报送），请立即报送。"]
    # by SMS: the first of the two (one SMS per person, item and day unless 特急)
    assert [m["event"] for m in receiver.messages] == ["cadence_due"]
    assert "请于2026-09-28前报送阶段进展" in receiver.messages[0]["text"]

    # the unit's and the office's to-do list the missing report …
    for persona in (liaison_a, office):
        todo = client.get(f"{API}/todo?kind=cadence_missed", headers=api_headers(persona)).json
        assert todo["counts"]["cadence_missed"] == 1
        assert [(e["item_code"], e["note"]) for e in todo["entries"]] == [
            (code, "应于 2026-09-28 前报送")]
    # … until the unit reports
    resp = client.post(f"{API}/items/{code}/submit_progress", headers=api_headers(liaison_a),
                       json={"actions_taken": "已完成第一周排查", "completed": False,
                             "not_done_reason": "仍在整改", "next_steps": "下周复查"})
    assert resp.status_code == 200, resp.json
    assert client.get(f"{API}/todo", headers=api_headers(office)).json["counts"][
        "cadence_missed"] == 0

    # that report was sent on 29 Sep: it counts for the report due after the holiday
    with app.app_context():
        feedback = db.session.scalar(select(Feedback))
        feedback.submitted_at = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)  # 10:00 local
        db.session.commit()
    for day in (date(2026, 9, 30), date(2026, 10, 7), date(2026, 10, 8), date(2026, 10, 9)):
        assert _tick(app, day) == {}, day  # the report due 8 Oct was sent: no reminder
    # nothing sent for the report due Monday 12 Oct: reminded on the working day before, the
    # 调休 Saturday 10 Oct, and chased on Tuesday 13 Oct
    assert _tick(app, date(2026, 10, 10)) == {"cadence_soon": 1}
    assert _tick(app, date(2026, 10, 13)) == {"cadence_missed": 1}
    assert _reminders(app, code)[-1] == "未按期报送阶段进展（应于 2026-10-12 前报送）"


def test_the_office_sets_and_stops_a_cadence_on_the_item_page(
        app, client, api_headers, office, liaison_a, make_item):
    code = make_item("in_progress")
    login(client, office)
    page = client.get(f"/items/{code}").get_data(as_text=True)
    assert "周期与进展报送" in page and "未设置定期报送阶段进展" in page
    resp = client.post(f"/items/{code}/cadence", data={"every": "2", "unit": "week"})
    assert resp.status_code == 302
    page = client.get(f"/items/{code}").get_data(as_text=True)
    assert "每 2 周报送一次阶段进展" in page and "进展报送周期" in page  # and on the timeline
    assert client.post(f"/items/{code}/cadence", data={"every": "0"}).status_code == 422
    assert client.post(f"/items/{code}/cadence", data={"every": "x"}).status_code == 422
    liaison = login(app.test_client(), liaison_a)
    shown = liaison.get(f"/items/{code}").get_data(as_text=True)
    assert "每 2 周报送一次阶段进展，下次应于" in shown and "停止定期报送" not in shown
    assert liaison.post(f"/items/{code}/cadence", data={"every": "7"}).status_code == 403
    assert client.post(f"/items/{code}/cadence/stop").status_code == 302
    assert client.post(f"/items/{code}/cadence/stop").status_code == 409
    got = client.get(f"{API}/items/{code}/cadence", headers=api_headers(liaison_a)).json
    assert got["active"] is False
    closed = make_item("closed")
    assert client.post(f"{API}/items/{closed}/cadence", headers=api_headers(office),
                       json={"every_days": 7}).status_code == 409
    assert client.post(f"{API}/items/{code}/cadence", headers=api_headers(office),
                       json={"every_days": 93}).status_code == 422
