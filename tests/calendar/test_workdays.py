"""The working-day calendar: holidays and 调休 from chinese-calendar, an unknown year on
weekends plus the admin's days (a warning, never an exception), and the one overdue rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.helpers import login
from webapp.auth.models import User
from webapp.calendar import services as cal
from webapp.database import local_today
from webapp.extensions import db
from webapp.supervision import services
from webapp.supervision.lights import Light
from webapp.supervision.models import FeedbackKind


def test_national_day_and_its_working_saturday(app):
    with app.app_context():
        c = cal.WorkCalendar.around(date(2026, 10, 1))
        # due Wed 30 Sep: 1–7 Oct are holidays, Thu 8 Oct is the first working day after
        assert [c.offset(date(2026, 9, 30), date(2026, 10, d)) for d in (1, 7, 8, 9)] == \
            [0, 0, 1, 2]
        # Sat 10 Oct is a 调休 working day: due Fri 9 Oct is one working day late on the 10th
        assert c.is_workday(date(2026, 10, 10))
        assert c.offset(date(2026, 10, 9), date(2026, 10, 10)) == 1
        assert c.offset(date(2026, 10, 12), date(2026, 10, 8)) == -3  # 8, 9, 10 Oct
        assert c.add(date(2026, 9, 30), 1) == date(2026, 10, 8)
        assert cal.add_working_days(date(2026, 9, 29), 3) == date(2026, 10, 9)


def test_a_year_the_package_does_not_know_runs_on_weekends_and_the_admins_days(
        app, client, admin):
    with app.app_context():
        assert not cal.package_knows(2027)
        assert cal.is_workday(date(2027, 1, 4))  # a Monday: no exception
        assert not cal.is_workday(date(2027, 1, 9))  # a Saturday
        assert cal.missing_years(date(2026, 12, 1)) == [2027]
    login(client, admin)
    page = client.get("/admin/calendar/?year=2027").get_data(as_text=True)
    assert "2027 年的法定节假日和调休安排尚未录入" in page
    resp = client.post("/admin/calendar/", data={"day": "2027-01-01", "kind": "holiday",
                                                 "note": "元旦"})
    assert resp.status_code == 302
    client.post("/admin/calendar/", data={"day": "2027-02-06", "kind": "workday",
                                          "note": "春节调休上班"})
    with app.app_context():
        assert not cal.is_workday(date(2027, 1, 1))
        assert cal.is_workday(date(2027, 2, 6))  # a Saturday the admin made a working day
        assert cal.missing_years(date(2026, 12, 1)) == []
        c = cal.WorkCalendar.around(date(2027, 1, 1))
        assert c.offset(date(2026, 12, 31), date(2027, 1, 4)) == 1
    assert client.post("/admin/calendar/", data={"day": "2027-13-01", "kind": "holiday"}
                       ).status_code == 422


def test_only_the_admin_sets_days(client, office):
    login(client, office)
    assert client.post("/admin/calendar/", data={"day": "2027-01-01", "kind": "holiday"}
                       ).status_code == 403


@pytest.fixture
def under_review(app, make_item, liaison_a):
    """An item whose 办结反馈 was sent on time, now two days past its due date."""
    code = make_item("under_review")
    with app.app_context():
        item = services.item_by_code(code)
        item.due_date = local_today() - timedelta(days=2)
        item.final_feedback_on = item.due_date - timedelta(days=1)
        db.session.commit()
    return code


def test_feedback_in_time_is_not_overdue_while_reviewed(app, client, office, under_review,
                                                        make_item):
    from webapp.supervision.queries import light_of
    from webapp.supervision.reminders import remind_due
    from webapp.supervision.stats import unit_statistics

    late = make_item("in_progress", due_date=date.today() - timedelta(days=2))
    with app.app_context():
        item = services.item_by_code(under_review)
        assert light_of(item) == Light.GREEN
        today = local_today()
        stats = unit_statistics(today - timedelta(days=30), today)
        assert stats.totals.overdue_now == 1  # the late one only
        assert [line.code for line in remind_due(today=today, days_before=0)] == [late]
        # sent after the due date: overdue while reviewed
        item.final_feedback_on = item.due_date + timedelta(days=1)
        assert light_of(item) == Light.RED
        db.session.rollback()
    login(client, office)
    red = client.get("/items/?light=red").get_data(as_text=True)
    assert late in red and under_review not in red
    assert under_review in client.get("/items/?light=green").get_data(as_text=True)


def test_final_feedback_records_its_day(app, make_item, liaison_a):
    code = make_item("in_progress")
    with app.app_context():
        item = services.item_by_code(code)
        services.submit_feedback(item, actor=db.session.get(User, liaison_a.id),
                                 kind=FeedbackKind.FINAL, actions_taken="做了", result="好了")
        assert item.final_feedback_on == local_today()
