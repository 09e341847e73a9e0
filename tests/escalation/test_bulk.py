"""The day's round writes in bulk what each action must: the gate (an item taken from the unit
meanwhile is skipped), one reminder row and one audit event per item in item order, chained
and verifiable, the notifications (in-app, and an SMS at the local receiver), idempotency."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import func, select

from webapp.audit.models import AuditEvent
from webapp.audit.services import verify_chain
from webapp.auth.models import User
from webapp.escalation import services as escalation
from webapp.escalation.models import EscalationStep
from webapp.extensions import db
from webapp.notify import worker
from webapp.notify.models import Notification
from webapp.supervision import services
from webapp.supervision.models import FeedbackKind, Reminder, SupervisionItem

DUE = date(2026, 9, 30)  # Wed; 1–7 Oct off: 8 Oct is the first working day after it


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _overdue_items(app, make_item, n: int) -> list[str]:
    codes = [make_item("in_progress") for _ in range(n)]
    with app.app_context():
        db.session.execute(SupervisionItem.__table__.update().values(due_date=DUE))
        db.session.commit()
    return codes


def test_a_round_in_batches_writes_each_actions_rows_in_order(
        app, make_item, liaison_a, receiver, monkeypatch):
    monkeypatch.setattr(escalation, "BATCH", 4)  # 11 items: three batches
    codes = _overdue_items(app, make_item, 11)
    with app.app_context():
        from webapp.people.services import person_for_user

        person_for_user(db.session.get(User, liaison_a.id)).mobile = "13900000002"
        db.session.commit()
        head = db.session.scalar(select(func.max(AuditEvent.id)))
        report = escalation.tick(date(2026, 10, 8))
        db.session.commit()
        assert report.applied == {"first_overdue": 11}
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.id > head)
                                    .order_by(AuditEvent.id)).all()
        assert [e.object_id for e in events] == codes  # item order, one each
        for e in events:
            assert (e.action, e.actor_id, e.details) == ("remind", None, {
                "state": "in_progress", "channel": "system", "note": "已逾期 1 个工作日",
                "automatic": True})
        assert verify_chain().problem is None
        assert _count(Reminder, Reminder.automatic.is_(True)) == 11
        assert _count(EscalationStep) == 11
        assert _count(Notification, Notification.channel == "inapp",
                      Notification.event == "overdue") == 11
        worker.deliver_due()
        assert escalation.tick(date(2026, 10, 8)).applied == {}  # again: nothing
        db.session.commit()
    texts = [m["text"] for m in receiver.messages]
    assert len(texts) == 11 and all("已逾期1个工作日" in t for t in texts)
    assert {m["subject"] for m in receiver.messages} == set(codes)


def test_an_item_taken_from_the_unit_meanwhile_is_not_reminded(app, make_item, liaison_a):
    """A liaison's 办结反馈 holds the item's row while the round starts; the round waits for
    it (PostgreSQL: FOR UPDATE; SQLite: the write lock), then finds the item under review."""
    late, other = _overdue_items(app, make_item, 2)
    holding, results = threading.Event(), {}

    def submit_final():
        with app.app_context():
            item = services.item_by_code(late)
            services.submit_feedback(item, actor=db.session.get(User, liaison_a.id),
                                     kind=FeedbackKind.FINAL, actions_taken="已整改",
                                     result="已完成")
            holding.set()
            threading.Event().wait(0.5)  # the round is waiting for this row meanwhile
            db.session.commit()

    def round_():
        holding.wait(10)
        with app.app_context():
            results["report"] = escalation.tick(date(2026, 10, 8))
            db.session.commit()

    threads = [threading.Thread(target=submit_final), threading.Thread(target=round_)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results["report"].applied == {"first_overdue": 1}
    with app.app_context():
        reminded = db.session.scalars(select(SupervisionItem.code).join(
            Reminder, Reminder.item_id == SupervisionItem.id)).all()
        assert reminded == [other]
        assert _count(EscalationStep) == 1
        assert verify_chain().problem is None
