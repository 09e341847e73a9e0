"""A demo-like world for the dashboard and statistics figures: overdue (in every bucket), due
soon, closed on time and late, several units and sources, a split item (分解), an item moved
between units after it fell due, and inspections with problems in several categories, one
place found wanting twice."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from webapp.database import local_today
from webapp.extensions import db
from webapp.inspections.models import (
    Finding,
    FindingCategory,
    Inspection,
    InspectionMode,
    InspectionState,
    Severity,
)
from webapp.supervision.models import ItemUnitChange, Source, SupervisionItem

TODAY = None


def _days_ago(n: int):
    return TODAY - timedelta(days=n)


@pytest.fixture
def world(app, make_item, units, office, leader, inspector):
    global TODAY
    a, b, w = units["A"].id, units["B"].id, units["W"].id
    with app.app_context():
        TODAY = today = local_today()
    codes = {
        "overdue_3": make_item("in_progress", due_date=_days_ago(3)),
        "overdue_20": make_item("in_progress", due_date=_days_ago(20), lead_unit_id=b,
                                source=Source.MEETING),
        "overdue_50": make_item("assigned", due_date=_days_ago(50), lead_unit_id=w,
                                first_responsible="王队长", direct_responsible="周民警"),
        "overdue_200": make_item("in_progress", due_date=_days_ago(200), source=Source.SUPERIOR),
        "review_late": make_item("under_review", due_date=_days_ago(2), lead_unit_id=b),
        "soon": make_item("in_progress", due_date=today + timedelta(days=1)),
        "soon_b": make_item("assigned", due_date=today + timedelta(days=2), lead_unit_id=b),
        "later": make_item("in_progress", due_date=today + timedelta(days=30)),
        "on_time": make_item("closed", due_date=_days_ago(40), closed_on=_days_ago(45)),
        "late": make_item("closed", due_date=_days_ago(70), closed_on=_days_ago(60),
                          lead_unit_id=b, source=Source.MEETING),
        "on_time_w": make_item("closed", due_date=_days_ago(100), closed_on=_days_ago(100),
                               lead_unit_id=w, source=Source.COMPLAINT),
        "cancelled": make_item("cancelled", due_date=_days_ago(5)),
        "registered": make_item("registered"),
        "split": make_item("split"),
        # 转办: due 30 days ago at unit A, moved to B 10 days ago, closed late since
        "moved": make_item("closed", due_date=_days_ago(30), closed_on=_days_ago(5),
                           first_responsible="张所长"),
    }
    with app.app_context():
        ids = dict(db.session.execute(select(SupervisionItem.code, SupervisionItem.id)).all())
        moved = db.session.get(SupervisionItem, ids[codes["moved"]])
        moved.lead_unit_id = b
        db.session.add(ItemUnitChange(item_id=moved.id, from_unit_id=a, to_unit_id=b,
                                      changed_on=_days_ago(10)))
        # a sub-item of the split item falls due in the past: overdue
        child = db.session.scalar(select(SupervisionItem).where(
            SupervisionItem.parent_id == ids[codes["split"]]).order_by(SupervisionItem.id))
        child.due_date = _days_ago(9)

        def inspect(unit, place, days_ago, *categories, state=InspectionState.SUBMITTED):
            i = Inspection(uuid=str(uuid.uuid4()), target_unit_id=unit,
                           mode=InspectionMode.UNANNOUNCED, state=state,
                           started_at=datetime.now(UTC) - timedelta(days=days_ago),
                           place=place, inspector_id=inspector.id, body_hash="0" * 64)
            db.session.add(i)
            db.session.flush()
            for n, c in enumerate(categories):
                db.session.add(Finding(uuid=str(uuid.uuid4()), inspection_id=i.id, category=c,
                                       severity=Severity.MINOR, description="问题", position=n))

        inspect(a, "户籍窗口", 60, FindingCategory.SERVICE, FindingCategory.DISCIPLINE)
        inspect(a, "户籍窗口", 20, FindingCategory.SERVICE)  # found again, same place
        inspect(a, "值班室", 15)
        inspect(b, "事故处理中心", 30, FindingCategory.EFFICIENCY,
                state=InspectionState.PUBLISHED)
        inspect(b, "事故处理中心", 10, FindingCategory.DISCIPLINE)  # other category: no repeat
        inspect(w, "大厅", 5)
        inspect(w, "大厅", 3, FindingCategory.ENVIRONMENT, state=InspectionState.DRAFT)
        db.session.commit()
    return codes
