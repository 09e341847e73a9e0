"""A scored period: unit A with an overdue item, an early close and a 表扬; unit B with a
returned 办结反馈 and a 通报批评; unit W with nothing (100)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from webapp.auth.models import User
from webapp.database import local_today
from webapp.extensions import db
from webapp.scores import services
from webapp.scores.models import CitationKind
from webapp.supervision import services as items
from webapp.supervision.models import SupervisionItem

RULES = {"base": 100, "overdue_item": 2, "overdue_day": 0.5, "overdue_item_cap": 5,
         "overdue_unit_cap": 20, "returned": 1, "criticism": 3, "praise": 2,
         "early_close": 0.5, "early_days": 5}


def item(code: str) -> SupervisionItem:
    return db.session.scalar(db.select(SupervisionItem).where(SupervisionItem.code == code))


def day(app):
    """Today in the bureau's time zone."""
    with app.app_context():
        return local_today()


@pytest.fixture
def make_period(app, office):
    def make(name="2026年第四季度", start=-60, end=30, **rules):
        with app.app_context():
            today = local_today()
            period = services.create_period(
                actor=db.session.get(User, office.id), name=name,
                start_on=today + timedelta(days=start), end_on=today + timedelta(days=end),
                rules={**RULES, **rules})
            db.session.commit()
            return period.id

    return make


@pytest.fixture
def scored(app, make_item, make_period, office, units, liaison_a, liaison_b):
    today = day(app)
    late = make_item("in_progress", title="逾期事项甲", due_date=today - timedelta(days=4))
    early = make_item("closed", title="提前办结事项")
    returned = make_item("under_review", title="被退回事项", lead_unit_id=units["B"].id)
    other = make_item("in_progress", title="未到期事项")
    with app.app_context():
        actor = db.session.get(User, office.id)
        item(early).due_date = today + timedelta(days=10)  # closed today, 10 days early
        items.return_feedback(item(returned), actor=actor, reason="证据不足，请补充照片")
        services.add_citation(actor=actor, unit_id=units["A"].id, kind=CitationKind.PRAISE,
                              cited_on=today, reason="窗口整改成效明显", item_code=early,
                              doc_number="某公督〔2026〕3号")
        services.add_citation(actor=actor, unit_id=units["B"].id,
                              kind=CitationKind.CRITICISM, cited_on=today,
                              reason="暗访发现值班脱岗")
        db.session.commit()
    return {"period": make_period(), "late": late, "early": early, "returned": returned,
            "other": other}
