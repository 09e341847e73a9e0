"""item_due_day, the dashboard's per-unit-per-day counts: kept by triggers through every change
of an item (assign, extend, move, close, cancel, delete), checked and rebuilt by the CLI."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from webapp.database import local_today
from webapp.extensions import db
from webapp.supervision.figures import due_day_differences
from webapp.supervision.models import (
    ItemDueDay,
    ItemState,
    Source,
    SupervisionItem,
    Urgency,
)


def test_kept_through_changes_and_checked_by_the_cli(app, runner, world, units, office):
    result = runner.invoke(args=["figures-check"])
    assert result.exit_code == 0, result.output
    assert "一致" in result.output
    with app.app_context():
        assert db.session.scalar(select(db.func.sum(ItemDueDay.due))) > 5
        items = db.session.scalars(select(SupervisionItem).order_by(SupervisionItem.id)).all()
        items[0].due_date = local_today() + timedelta(days=3)  # 延期
        items[1].lead_unit_id = units["W"].id  # moved
        items[2].state, items[2].closed_on = ItemState.CLOSED, local_today()
        items[3].state = ItemState.CANCELLED
        extra = SupervisionItem(code="X-1", title="t", content="c", source=Source.COMPLAINT,
                                urgency=Urgency.NORMAL, registered_by_id=office.id,
                                lead_unit_id=units["A"].id, due_date=local_today(),
                                state=ItemState.IN_PROGRESS)
        db.session.add(extra)
        db.session.flush()
        assert due_day_differences() == []
        db.session.execute(delete(SupervisionItem).where(SupervisionItem.id == extra.id))
        db.session.commit()
        assert due_day_differences() == []
        db.session.execute(update(ItemDueDay).values(due=ItemDueDay.due + 1))
        db.session.commit()
    result = runner.invoke(args=["figures-check"])
    assert result.exit_code == 1 and "不一致" in result.output
    result = runner.invoke(args=["figures-check", "--rebuild"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert due_day_differences() == []
