"""The leader's loop: 立项 (a leader approves an item before it is assigned, where the admin's
policy asks it) and 复核 (the leader whose 批示 the item carries confirms its 办结)."""

from __future__ import annotations

from webapp.auth.models import User
from webapp.database import utcnow
from webapp.supervision import closing
from webapp.supervision.gate import gate, move, record
from webapp.supervision.models import (
    FeedbackKind,
    ItemState,
    ReviewState,
    SupervisionItem,
)
from webapp.validation import LONG, clean_text


def submit_approval(item: SupervisionItem, *, actor: User) -> None:
    """提请立项: after a leader returned it (and the office revised it), ask again."""
    gate(item, "submit_approval", actor)
    move(item, "submit_approval")
    record(item, "submit_approval", actor)


def decide_approval(item: SupervisionItem, *, actor: User, approve: bool,
                    note: str | None = None) -> None:
    """立项审批: the leader approves (the office may assign it) or returns it with a comment
    (the office revises it through 调整 and asks again, or cancels it)."""
    gate(item, "decide_approval", actor)
    note = clean_text(note, field="note", label="审批意见", required=not approve, max_len=LONG)
    item.approval_note = note
    move(item, "decide_approval")
    if approve:
        item.approved_at, item.approved_by_id = utcnow(), actor.id
        record(item, "approval_granted", actor, note=note)
    else:
        record(item, "approval_returned", actor, note=note)


def confirm_closing(item: SupervisionItem, *, actor: User, approve: bool,
                    note: str | None = None) -> None:
    """复核: the leader confirms the 办结 (closed today, the closing report names it) or sends
    it back with a comment — to the office's review, or for a split item to its sub-items."""
    gate(item, "confirm", actor)
    note = clean_text(note, field="note", label="复核意见", required=not approve, max_len=LONG)
    item.confirmation_note = note
    if approve:
        item.confirmed_at, item.confirmed_by_id = utcnow(), actor.id
        closing.close_now(item, actor, "confirmed", note=note)
        return
    if item.split_at is not None:
        item.state = ItemState.SPLIT
    else:
        accepted = [f for f in item.feedback
                    if f.kind == FeedbackKind.FINAL and f.review_state == ReviewState.ACCEPTED]
        accepted[-1].review_state = ReviewState.PENDING  # the office reviews it again
        item.state = ItemState.UNDER_REVIEW
    record(item, "confirmation_returned", actor, note=note)
