"""The statistics cache: a repeat costs one query, and any change through a service (which
writes an audit event) is seen at once."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from webapp.auth.models import User
from webapp.database import local_today
from webapp.extensions import db
from webapp.supervision import services
from webapp.supervision.models import ReminderChannel, SupervisionItem
from webapp.supervision.stats import unit_statistics


@pytest.fixture
def cache_on(app):
    app.config["STATS_CACHE"] = True
    yield
    app.config["STATS_CACHE"] = False


def _count_queries(fn):
    statements = []

    def listen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        return fn(), len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)


def test_repeat_is_one_query_and_a_change_is_seen(app, cache_on, make_item, office):
    code = make_item("in_progress")
    with app.app_context():
        today = local_today()
        start, end = date(today.year, 1, 1), date(today.year, 12, 31) + timedelta(days=30)
        first, n_first = _count_queries(lambda: unit_statistics(start, end, "unit"))
        again, n_again = _count_queries(lambda: unit_statistics(start, end, "unit"))
        assert again == first
        assert n_again == 1 < n_first
        assert first.totals.reminders == 0
        item = db.session.query(SupervisionItem).filter_by(code=code).one()
        services.record_reminder(item, actor=db.session.get(User, office.id),
                                 channel=ReminderChannel.PHONE, note="电话催办")
        db.session.commit()
        after = unit_statistics(start, end, "unit")
        assert after.totals.reminders == 1


def test_a_cached_result_cannot_be_changed_by_its_caller(app, cache_on, make_item):
    make_item("in_progress")
    with app.app_context():
        today = local_today()
        start, end = date(today.year, 1, 1), date(today.year + 1, 12, 31)
        first = unit_statistics(start, end, "unit")
        first.rows.clear()
        assert unit_statistics(start, end, "unit").rows
