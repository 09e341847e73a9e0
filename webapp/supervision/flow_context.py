"""What the item page shows of the bureau's workflow around an item: its 批示件 and 来文, a split
item's sub-items and progress, a sub-item's parent, milestones, adjustments, the leader's 立项
and 复核, and what the 办结反馈 must carry."""

from __future__ import annotations

from webapp.auth.models import User
from webapp.database import local_today
from webapp.extensions import db
from webapp.supervision import evidence, forms
from webapp.supervision.adjust import shown
from webapp.supervision.models import (
    Evidence,
    RequestState,
    ReturnReason,
    SupervisionItem,
)
from webapp.supervision.serialize import progress
from webapp.supervision.sources import shown_with
from webapp.supervision.workflow import confirming_user_id


def flow_context(item: SupervisionItem, actor: User) -> dict:
    confirmer = confirming_user_id(item)
    return {
        "source_files": shown_with(item),
        "progress": progress(item),
        "open_milestones": [m for m in item.milestones if m.reached_at is None],
        "pending_adjustment": next((a for a in item.adjustments
                                    if a.state == RequestState.PENDING), None),
        "evidence_asked": evidence.describe(item),
        "asks_figure": Evidence.FIGURE in evidence.asked(item),
        "confirmer": db.session.get(User, confirmer) if confirmer else None,
        "approved_by": db.session.get(User, item.approved_by_id) if item.approved_by_id
        else None,
        "confirmed_by": db.session.get(User, item.confirmed_by_id) if item.confirmed_by_id
        else None,
        "Evidence": Evidence, "ReturnReason": ReturnReason, "split_rows": forms.SPLIT_ROWS,
        "shown_changes": shown, "today": local_today(),
    }
