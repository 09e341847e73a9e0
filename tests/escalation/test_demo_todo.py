"""Demo data gives each demo account a populated to-do (the admin: the calendar warning)."""

from __future__ import annotations

from sqlalchemy import select

from webapp.auth.models import User
from webapp.extensions import db
from webapp.recurring.models import Recurrence
from webapp.todo import services


def test_each_demo_account_has_something_to_do(app):
    from webapp.demo import load_demo

    with app.app_context():
        load_demo(password="duban-demo-2026")
        db.session.commit()
        for name in ("office", "leader", "inspector", "liaison1", "liaison2"):
            user = db.session.scalar(select(User).where(User.username == name))
            assert sum(services.counts(user).values()) > 0, name
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        assert services.counts(admin) is not None
        # one recurring item, this month's period made and assigned to the station
        (rec,) = db.session.scalars(select(Recurrence)).all()
        (period,) = rec.periods
        assert period.item.state == "assigned" and period.item.lead_unit.name == "城关派出所"
        liaison = db.session.scalar(select(User).where(User.username == "liaison1"))
        assert period.item.code in {e.ref for e in services.entries(liaison, "to_acknowledge")}
