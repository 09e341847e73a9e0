"""办结, the one way: an item closes now, or waits for the 批示 leader's 复核 when the admin's
policy asks it; a closed or cancelled sub-item closes its parent once none is left open."""

from __future__ import annotations

from sqlalchemy import select

from webapp.auth.models import User
from webapp.database import local_date, local_today, utcnow
from webapp.extensions import db
from webapp.supervision import policy
from webapp.supervision.gate import record
from webapp.supervision.models import FINISHED_STATES, ItemState, SupervisionItem
from webapp.transaction import lock_row

ALL_CANCELLED = "全部子事项均已撤销"


def finish(item: SupervisionItem, actor: User | None, action: str, **details) -> None:
    """The office's acceptance (or the last sub-item) ends the work: 办结 today, or 待领导复核."""
    if policy.current().needs_confirmation(item):
        item.state = ItemState.AWAITING_CONFIRMATION
        record(item, action, actor, awaiting_confirmation=True, **details)
        return
    close_now(item, actor, action, **details)


def close_now(item: SupervisionItem, actor: User | None, action: str, **details) -> None:
    """办结 today: recorded with whether it was on time; a parent may close with it."""
    item.state = ItemState.CLOSED
    item.closed_at = utcnow()
    item.closed_on = local_date(item.closed_at)
    record(item, action, actor, on_time=bool(item.due_date and item.closed_on <= item.due_date),
           **details)
    parent_check(item, actor)


def parent_check(child: SupervisionItem, actor: User | None) -> None:
    """After a sub-item is closed or cancelled: when none of its parent's sub-items is open,
    the parent closes (or is cancelled, when every sub-item was)."""
    parent = child.parent
    if parent is None:
        return
    lock_row(parent)  # two sub-items closing at once: the second sees the first
    if parent.state != ItemState.SPLIT:
        return
    states = db.session.scalars(select(SupervisionItem.state).where(
        SupervisionItem.parent_id == parent.id)).all()
    if any(s not in FINISHED_STATES for s in states):
        return
    if all(s == ItemState.CANCELLED for s in states):
        parent.state, parent.cancelled_at = ItemState.CANCELLED, utcnow()
        parent.cancel_reason = ALL_CANCELLED
        record(parent, "cancel", actor, reason=ALL_CANCELLED, automatic=True)
        return
    parent.final_feedback_on = local_today()
    finish(parent, actor, "close", automatic=True, child=child.code)
