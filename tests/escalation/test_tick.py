"""End to end: assign → to-do and a message at the local receiver; overdue by one working day
across the National Day holiday and a 调休 Saturday → 催办 and a 催办通知 to draft in the
office's to-do; escalation to the 分管领导; repeats by urgency; tick twice → nothing twice;
everyone's to-do; 协办 input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import login
from webapp.auth.models import User
from webapp.escalation.models import EscalationStep
from webapp.escalation.services import tick
from webapp.extensions import db
from webapp.notify import worker
from webapp.notify.models import Notification
from webapp.supervision import services
from webapp.supervision.models import Reminder


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _set(app, code, **values):
    with app.app_context():
        item = services.item_by_code(code)
        for k, v in values.items():
            setattr(item, k, v)
        db.session.commit()


def test_assign_puts_it_in_the_liaisons_todo_and_sends_a_message(
        app, client, api_headers, office, liaison_a, make_item, units, receiver):
    with app.app_context():
        from webapp.people.services import person_for_user

        person_for_user(db.session.get(User, liaison_a.id)).mobile = "13900000002"
        db.session.commit()
    code = make_item("registered")
    due = (date.today() + timedelta(days=9)).isoformat()
    client.post(f"/api/v1/items/{code}/assign", headers=api_headers(office), json={
        "lead_unit_id": units["A"].id, "due_date": due, "first_responsible": "甲",
        "direct_responsible": "乙"})
    todo = client.get("/api/v1/todo", headers=api_headers(liaison_a)).json
    assert todo["counts"]["to_acknowledge"] == 1
    (entry,) = [e for e in todo["entries"] if e["kind"] == "to_acknowledge"]
    assert (entry["item_code"], entry["href"], entry["unread"]) == (code, f"/items/{code}", True)
    with app.app_context():
        worker.deliver_due()
    assert [m["to"]["mobile"] for m in receiver.messages] == ["13900000002"]
    login(client, liaison_a)
    page = client.get("/todo/").get_data(as_text=True)
    assert code in page and 'data-todo-total>1<' in page
    assert client.post("/todo/open", data={"ref": code, "href": f"/items/{code}"}
                       ).headers["Location"].endswith(f"/items/{code}")
    assert client.get("/api/v1/todo").json["entries"][0]["unread"] is False
    assert client.get("/").headers["Location"].endswith("/todo/")  # home is the to-do


def test_overdue_across_a_holiday_and_a_working_saturday(app, client, api_headers, office,
                                                         make_item):
    before_holiday = make_item("in_progress")
    before_saturday = make_item("in_progress")
    _set(app, before_holiday, due_date=date(2026, 9, 30))  # Wed; 1–7 Oct off
    _set(app, before_saturday, due_date=date(2026, 10, 9))  # Fri; Sat 10 Oct is worked
    with app.app_context():
        for day in (7, 7):  # in the holiday: not yet a working day late
            report = tick(date(2026, 10, day))
            db.session.commit()
        assert "first_overdue" not in report.applied
        assert tick(date(2026, 10, 8)).applied["first_overdue"] == 1
        db.session.commit()
        assert tick(date(2026, 10, 8)).applied == {}  # twice: nothing
        db.session.commit()
        assert tick(date(2026, 10, 10)).applied["first_overdue"] == 1  # the 调休 Saturday
        db.session.commit()
        first = services.item_by_code(before_holiday)
        notes = [r.note for r in db.session.scalars(select(Reminder).where(
            Reminder.item_id == first.id, Reminder.automatic.is_(True)))]
        assert notes.count("已逾期 1 个工作日") == 1
    office_todo = client.get("/api/v1/todo", headers=api_headers(office)).json
    drafts = {e["item_code"] for e in office_todo["entries"] if e["kind"] == "reminder_notice"}
    assert drafts == {before_holiday, before_saturday}
    assert office_todo["counts"]["reminder_notice"] == 2
    assert office_todo["counts"]["overdue"] == 2


def test_escalation_tells_the_leader_and_marks_for_the_circular(
        app, client, api_headers, office, leader, make_item, units):
    code = make_item("registered")
    with app.app_context():
        services.assign_item(services.item_by_code(code),
                             actor=db.session.get(User, office.id), lead_unit=units["A"].id,
                             due_date=date.today() + timedelta(days=3),
                             supervising_leader="李局长", first_responsible="甲",
                             direct_responsible="乙")
        db.session.commit()
    _set(app, code, due_date=date(2026, 11, 2), state="in_progress")  # Mon
    with app.app_context():
        report = tick(date(2026, 11, 9))  # Mon: 5 working days late
        db.session.commit()
        assert report.applied["escalate"] == 1 and report.applied["first_overdue"] == 1
        assert _count(Notification, Notification.event == "escalated",
                      Notification.channel == "inapp") == 2  # the 分管领导 and the office
    lt = client.get("/api/v1/todo", headers=api_headers(leader)).json
    assert lt["counts"]["supervised_overdue"] == 1
    ot = client.get("/api/v1/todo", headers=api_headers(office)).json
    assert ot["counts"]["circular"] == 1
    login(client, office)
    assert "逾期升级" in client.get(f"/items/{code}").get_data(as_text=True)  # timeline


@pytest.mark.parametrize(("urgency", "days"), [("very_urgent", [2, 3, 4, 5]),
                                               ("urgent", [3, 5]), ("normal", [4])])
def test_repeats_by_urgency(app, make_item, urgency, days):
    code = make_item("in_progress")
    _set(app, code, due_date=date(2026, 11, 2), urgency=urgency)  # Mon
    fired = []
    with app.app_context():
        for n in range(1, 6):  # 3 … 9 Nov: working days 1 … 5 after
            day = date(2026, 11, 2) + timedelta(days=n + (2 if n >= 5 else 0))
            if tick(day).applied.get(f"repeat_{urgency}"):
                fired.append(n)
            db.session.commit()
    assert fired == days


def test_tick_twice_from_the_command_line_changes_nothing(app, runner, make_item):
    code = make_item("in_progress")
    _set(app, code, due_date=date(2026, 9, 30))
    first = runner.invoke(args=["tick", "--today", "2026-10-08"])
    assert first.exit_code == 0 and "逾期首个工作日催办" in first.output
    with app.app_context():
        counts = (_count(Reminder), _count(Notification), _count(EscalationStep))
    again = runner.invoke(args=["tick", "--today", "2026-10-08"])
    assert again.exit_code == 0 and "：无" in again.output
    with app.app_context():
        assert (_count(Reminder), _count(Notification), _count(EscalationStep)) == counts
    bad = runner.invoke(args=["tick", "--today", "2026-13-01"])
    assert bad.exit_code == 2


def test_on_time_feedback_under_review_is_not_chased(app, make_item):
    code = make_item("under_review")
    _set(app, code, due_date=date(2026, 9, 30), final_feedback_on=date(2026, 9, 29))
    with app.app_context():
        assert tick(date(2026, 10, 12)).applied == {}


def test_every_roles_todo_counts_match_its_lists(app, client, api_headers, office, leader,
                                                 liaison_a, inspector, admin, make_item):
    make_item("under_review")
    code = make_item("in_progress")
    client.post(f"/api/v1/items/{code}/request_extension", headers=api_headers(liaison_a),
                json={"new_due_date": (date.today() + timedelta(days=30)).isoformat(),
                      "reason": "需要更多时间"})
    for persona in (office, leader, liaison_a, inspector, admin):
        todo = client.get("/api/v1/todo", headers=api_headers(persona)).json
        for kind, n in todo["counts"].items():
            listed = client.get(f"/api/v1/todo?kind={kind}", headers=api_headers(persona))
            assert len(listed.json["entries"]) == n, (persona.username, kind)
    assert client.get("/api/v1/todo", headers=api_headers(leader)).json["counts"][
        "extension_pending"] == 1
    assert client.get("/api/v1/todo", headers=api_headers(office)).json["counts"][
        "to_review"] == 1


def test_assisting_unit_sends_its_part(app, client, api_headers, office, liaison_a, liaison_b,
                                       make_item, units):
    code = make_item("in_progress", assisting_unit_ids=[units["B"].id])
    resp = client.post(f"/api/v1/items/{code}/assisting_input", headers=api_headers(liaison_b),
                       json={"text": "交警大队已配合完成路面巡查。"})
    assert resp.status_code == 201
    assert client.post(f"/api/v1/items/{code}/assisting_input",
                       headers=api_headers(liaison_a), json={"text": "x"}).status_code == 403
    todo = client.get("/api/v1/todo", headers=api_headers(liaison_a)).json
    assert todo["counts"]["assisting_input"] == 1
    login(client, office)
    page = client.get(f"/items/{code}").get_data(as_text=True)
    assert "交警大队已配合完成路面巡查。" in page and "协办意见" in page
