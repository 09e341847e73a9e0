"""Supervision items as plain dicts (JSON-ready): for the API and for document data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from webapp.auth.models import User
from webapp.supervision.adjust import shown
from webapp.supervision.models import (
    DONE_STATES,
    Adjustment,
    ExtensionRequest,
    Feedback,
    HandBackRequest,
    ItemState,
    Milestone,
    Reminder,
    SourceFile,
    SupervisionItem,
)
from webapp.supervision.queries import light_of
from webapp.supervision.sources import shown_with
from webapp.supervision.timeline import steps
from webapp.supervision.workflow import allowed_actions


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _unit(unit) -> dict | None:
    return {"id": unit.id, "name": unit.name} if unit is not None else None


def item_summary(item: SupervisionItem) -> dict[str, Any]:
    """The fields a list row shows."""
    light = light_of(item)
    return {
        "code": item.code,
        "title": item.title,
        "state": str(item.state),
        "state_label": item.state.label,
        "source": str(item.source),
        "source_label": item.source.label,
        "urgency": str(item.urgency),
        "urgency_label": item.urgency.label,
        "lead_unit": _unit(item.lead_unit),
        "due_date": _iso(item.due_date),
        "light": str(light),
        "light_label": light.label,
        "registered_at": _iso(item.registered_at),
    }


def item_facts(item: SupervisionItem) -> dict[str, Any]:
    """Every fact of the item itself (no related records)."""
    return {
        **item_summary(item),
        "content": item.content,
        "source_ref": item.source_ref,
        "requirements": item.requirements,
        "assisting_units": [_unit(u) for u in item.assisting_units],
        "supervising_leader": item.supervising_leader,
        "supervising_leader_id": item.supervising_leader_id,
        "first_responsible": item.first_responsible,
        "first_responsible_id": item.first_responsible_id,
        "direct_responsible": item.direct_responsible,
        "direct_responsible_id": item.direct_responsible_id,
        "original_due_date": _iso(item.original_due_date),
        "assigned_at": _iso(item.assigned_at),
        "acknowledged_at": _iso(item.acknowledged_at),
        "closed_at": _iso(item.closed_at),
        "closed_on": _iso(item.closed_on),
        "cancelled_at": _iso(item.cancelled_at),
        "cancel_reason": item.cancel_reason,
        "archived_at": _iso(item.archived_at),
        "review_opinion": item.review_opinion,
        "parent": _ref(item.parent) if item.parent is not None else None,
        "approval_required": item.approval_required,
        "approved_at": _iso(item.approved_at),
        "approval_note": item.approval_note,
        "confirmed_at": _iso(item.confirmed_at),
        "confirmation_note": item.confirmation_note,
        "evidence_required": list(item.evidence_required or []),
        "evidence_figure": item.evidence_figure,
    }


def _ref(item: SupervisionItem) -> dict[str, Any]:
    return {"code": item.code, "title": item.title, "state": str(item.state),
            "state_label": item.state.label}


def _child(item: SupervisionItem) -> dict[str, Any]:
    light = light_of(item)
    return {**_ref(item), "lead_unit": _unit(item.lead_unit), "due_date": _iso(item.due_date),
            "light": str(light), "light_label": light.label}


def progress(item: SupervisionItem) -> dict[str, int] | None:
    """A split item's sub-items: how many, closed, cancelled, still open."""
    if not item.children:
        return None
    states = [c.state for c in item.children]
    closed = sum(s in DONE_STATES for s in states)
    cancelled = states.count(ItemState.CANCELLED)
    return {"total": len(states), "closed": closed, "cancelled": cancelled,
            "open": len(states) - closed - cancelled}


def source_row(f: SourceFile) -> dict[str, Any]:
    return {"id": f.id, "kind": str(f.kind), "kind_label": f.kind.label,
            "filename": f.filename, "content_type": f.content_type, "size": f.size,
            "sha256": f.sha256, "uploaded_at": _iso(f.uploaded_at)}


def _milestone(m: Milestone) -> dict[str, Any]:
    return {"id": m.id, "title": m.title, "due_date": _iso(m.due_date),
            "reached_at": _iso(m.reached_at), "note": m.note}


def _adjustment(a: Adjustment) -> dict[str, Any]:
    return {"id": a.id, "state": str(a.state), "state_label": a.state.label, "reason": a.reason,
            "changes": shown(a.changes), "requested_at": _iso(a.requested_at),
            "decided_at": _iso(a.decided_at), "decision_note": a.decision_note}


def _request(req: HandBackRequest | ExtensionRequest) -> dict[str, Any]:
    row = {
        "id": req.id,
        "unit_id": req.unit_id,
        "reason": req.reason,
        "state": str(req.state),
        "state_label": req.state.label,
        "requested_at": _iso(req.requested_at),
        "decided_at": _iso(req.decided_at),
        "decision_note": req.decision_note,
    }
    if isinstance(req, ExtensionRequest):
        row["old_due_date"] = _iso(req.old_due_date)
        row["requested_due_date"] = _iso(req.requested_due_date)
    return row


def _feedback(fb: Feedback) -> dict[str, Any]:
    return {
        "id": fb.id,
        "kind": str(fb.kind),
        "unit_id": fb.unit_id,
        "actions_taken": fb.actions_taken,
        "result": fb.result,
        "completed": fb.completed,
        "not_done_reason": fb.not_done_reason,
        "next_steps": fb.next_steps,
        "submitted_by": fb.submitted_by.name,
        "submitted_at": _iso(fb.submitted_at),
        "review_state": str(fb.review_state) if fb.review_state else None,
        "review_note": fb.review_note,
        "return_category": str(fb.return_category) if fb.return_category else None,
        "figure": fb.figure,
        "reviewed_at": _iso(fb.reviewed_at),
        "attachments": [
            {"id": a.id, "filename": a.filename, "content_type": a.content_type,
             "size": a.size, "sha256": a.sha256}
            for a in fb.attachments
        ],
    }


def _reminder(r: Reminder) -> dict[str, Any]:
    return {"id": r.id, "channel": str(r.channel), "channel_label": r.channel.label,
            "note": r.note, "automatic": r.automatic, "created_at": _iso(r.created_at)}


def timeline(code: str) -> list[dict[str, Any]]:
    """The item's recorded steps, oldest first (supervision.timeline.steps)."""
    return [{"at": _iso(s.at), "action": s.action, "label": s.label,
             "actor": {"name": s.actor.name, "role": str(s.actor.role)} if s.actor else None,
             "details": s.details} for s in steps(code)]


def item_detail(item: SupervisionItem, actor: User) -> dict[str, Any]:
    """Everything about one item that `actor` (who may see it) is shown."""
    return {
        **item_facts(item),
        "allowed_actions": allowed_actions(item, actor),
        "instructions": [
            {"id": i.id, "leader": i.leader_name, "text": i.text,
             "date": _iso(i.instructed_on), "recorded_at": _iso(i.recorded_at)}
            for i in item.instructions
        ],
        "requests": {
            "hand_back": [_request(r) for r in item.hand_back_requests],
            "extension": [_request(r) for r in item.extension_requests],
        },
        "feedback": [_feedback(f) for f in item.feedback],
        "reminders": [_reminder(r) for r in item.reminders],
        "children": [_child(c) for c in item.children],
        "progress": progress(item),
        "source_files": [source_row(f) for f in shown_with(item)],
        "milestones": [_milestone(m) for m in item.milestones],
        "adjustments": [_adjustment(a) for a in item.adjustments],
        "timeline": timeline(item.code),
    }
