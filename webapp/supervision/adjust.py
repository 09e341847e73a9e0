"""调整: after registration, an item's title, content, requirements, units, people and evidence
requirements change only here — with a reason, before and after on the timeline, the unit told
(notify/events.py), and, where the admin's policy asks it for assigned items, after a leader's
approval. A new lead unit must 签收 anew; the move is kept by day for the statistics."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from webapp.auth.models import User
from webapp.database import utcnow
from webapp.errors import InvalidInput, StateConflict
from webapp.extensions import db
from webapp.org.models import Unit
from webapp.people import services as people
from webapp.supervision import evidence, policy
from webapp.supervision.gate import change_lead_unit, gate, record, unit
from webapp.supervision.models import (
    WITH_UNIT_STATES,
    Adjustment,
    Evidence,
    ItemRole,
    ItemState,
    RequestState,
    SupervisionItem,
)
from webapp.validation import LONG, SHORT, clean_text

KEEP: Any = object()  # an argument left out: that field does not change
FIELDS = {"title": "标题", "content": "事项内容", "requirements": "办理要求",
          "lead_unit": "承办单位", "assisting_units": "协办单位", "evidence": "证据要求",
          **{role.value: role.label for role in ItemRole}}
PEOPLE = tuple(role.value for role in ItemRole)


def _unit_ref(u: Unit | None) -> dict | None:
    return {"id": u.id, "name": u.name} if u is not None else None


def _person_ref(item: SupervisionItem, role: str) -> dict:
    return {"id": getattr(item, f"{role}_id"), "name": getattr(item, role)}


def _evidence_ref(required: list[str] | None, figure: str | None) -> dict:
    return {"required": required or [], "figure": figure}


def _current(item: SupervisionItem) -> dict[str, Any]:
    return {"title": item.title, "content": item.content, "requirements": item.requirements,
            "lead_unit": _unit_ref(item.lead_unit),
            "assisting_units": [_unit_ref(u) for u in sorted(item.assisting_units,
                                                             key=lambda u: u.id)],
            "evidence": _evidence_ref(item.evidence_required, item.evidence_figure),
            **{role: _person_ref(item, role) for role in PEOPLE}}


def _wanted(item: SupervisionItem, given: dict[str, Any]) -> dict[str, Any]:
    """The new values the office gave, checked and resolved (units, people)."""
    out: dict[str, Any] = {}
    if given["title"] is not KEEP:
        out["title"] = clean_text(given["title"], field="title", label="标题", max_len=SHORT,
                                  single_line=True)
    if given["content"] is not KEEP:
        out["content"] = clean_text(given["content"], field="content", label="事项内容",
                                    max_len=LONG)
    if given["requirements"] is not KEEP:
        out["requirements"] = clean_text(given["requirements"], field="requirements",
                                         label="办理要求", required=False, max_len=LONG)
    units_given = given["lead_unit"] is not KEEP or given["assisting_units"] is not KEEP
    if units_given and item.lead_unit_id is None:
        raise InvalidInput("该事项没有承办单位（尚未交办或已分解），不能调整单位",
                           field="lead_unit")
    lead = item.lead_unit
    if given["lead_unit"] is not KEEP:
        lead = unit(given["lead_unit"], field="lead_unit", label="承办单位")
        out["lead_unit"] = _unit_ref(lead)
    if given["assisting_units"] is not KEEP:
        helpers = [unit(u, field="assisting_units", label="协办单位")
                   for u in given["assisting_units"]]
        out["assisting_units"] = [_unit_ref(u) for u in sorted(set(helpers), key=lambda u: u.id)
                                  if u != lead]
    moved = lead is not None and lead.id != item.lead_unit_id
    for role in PEOPLE:
        value = given[role]
        if value is KEEP:
            if moved and role != "supervising_leader":
                raise InvalidInput(f"调整承办单位时，请填写新单位的{ItemRole(role).label}",
                                   field=role)
            continue
        found = people.resolve(None if role == "supervising_leader" else lead, value,
                               field=role, label=ItemRole(role).label,
                               required=role != "supervising_leader")
        out[role] = {"id": found.person_id, "name": found.name}
    if given["evidence_required"] is not KEEP:
        out["evidence"] = _evidence_ref(*evidence.required(given["evidence_required"],
                                                           given["evidence_figure"]))
    return out


def _diff(item: SupervisionItem, wanted: dict[str, Any]) -> dict[str, dict]:
    now = _current(item)
    return {f: {"before": now[f], "after": wanted[f]} for f in FIELDS
            if f in wanted and wanted[f] != now[f]}


def _check_move(item: SupervisionItem, changes: dict) -> None:
    if "lead_unit" not in changes:
        return
    if item.state not in WITH_UNIT_STATES:
        raise StateConflict(f"事项当前状态为“{item.state.label}”，不能调整承办单位",
                            code="invalid_state")
    if any(r.state == RequestState.PENDING for r in item.hand_back_requests):
        raise StateConflict("该事项有待处理的退回申请，请先处理退回申请", code="hand_back_pending")


def adjust_item(item: SupervisionItem, *, actor: User, reason: object,
                title: object = KEEP, content: object = KEEP, requirements: object = KEEP,
                lead_unit: object = KEEP, assisting_units: Iterable[object] | Any = KEEP,
                supervising_leader: object = KEEP, first_responsible: object = KEEP,
                direct_responsible: object = KEEP, evidence_required: Any = KEEP,
                evidence_figure: object = None) -> Adjustment:
    """调整: the fields given (others stay); applied now, or pending a leader's approval."""
    gate(item, "adjust", actor)
    reason = clean_text(reason, field="reason", label="调整理由", max_len=LONG)
    given = {"title": title, "content": content, "requirements": requirements,
             "lead_unit": lead_unit, "assisting_units": assisting_units,
             "supervising_leader": supervising_leader, "first_responsible": first_responsible,
             "direct_responsible": direct_responsible, "evidence_required": evidence_required,
             "evidence_figure": evidence_figure}
    changes = _diff(item, _wanted(item, given))
    if not changes:
        raise InvalidInput("没有需要调整的内容：请修改至少一项", field="reason")
    _check_move(item, changes)
    row = Adjustment(item=item, changes=changes, reason=reason, requested_by_id=actor.id,
                     requested_at=utcnow())
    db.session.add(row)
    db.session.flush()
    needs_leader = policy.current().adjust_needs_approval and item.state != ItemState.REGISTERED
    if needs_leader:
        record(item, "adjust_requested", actor, reason=reason, changes=shown(changes),
               adjustment_id=row.id)
        return row
    row.state, row.decided_at = RequestState.APPROVED, utcnow()
    _apply(item, changes)
    record(item, "adjust", actor, reason=reason, changes=shown(changes), adjustment_id=row.id,
           **_moved(changes))
    return row


def decide_adjustment(item: SupervisionItem, *, actor: User, approve: bool,
                      note: object = None) -> None:
    """The leader approves a pending 调整 (applied now) or refuses it (with a comment)."""
    gate(item, "decide_adjustment", actor)
    row = next(a for a in item.adjustments if a.state == RequestState.PENDING)
    note = clean_text(note, field="note", label="审批意见", required=not approve, max_len=LONG)
    row.decided_by_id, row.decided_at, row.decision_note = actor.id, utcnow(), note
    if not approve:
        row.state = RequestState.REFUSED
        record(item, "adjustment_refused", actor, note=note, adjustment_id=row.id)
        return
    _check_move(item, row.changes)
    row.state = RequestState.APPROVED
    _apply(item, row.changes)
    record(item, "adjustment_approved", actor, note=note, reason=row.reason,
           changes=shown(row.changes), adjustment_id=row.id, **_moved(row.changes))


def _moved(changes: dict) -> dict:
    if "lead_unit" not in changes:
        return {}
    return {"from_unit": changes["lead_unit"]["before"]["name"],
            "to_unit": changes["lead_unit"]["after"]["name"]}


def _apply(item: SupervisionItem, changes: dict) -> None:
    for f, change in changes.items():
        after = change["after"]
        if f in ("title", "content", "requirements"):
            setattr(item, f, after)
        elif f == "lead_unit":
            change_lead_unit(item, db.session.get(Unit, after["id"]))
        elif f == "assisting_units":
            item.assisting_units = [db.session.get(Unit, u["id"]) for u in after
                                    if u["id"] != item.lead_unit_id]
        elif f == "evidence":
            item.evidence_required = after["required"] or None
            item.evidence_figure = after["figure"]
        else:
            setattr(item, f, after["name"])
            setattr(item, f"{f}_id", after["id"])


def _text(f: str, value: Any) -> str:
    if value in (None, "", []):
        return "无"
    if f == "assisting_units":
        return "、".join(u["name"] for u in value) or "无"
    if f == "evidence":
        parts = [Evidence(v).label for v in value["required"]]
        if value["figure"]:
            parts = [f"{p}（{value['figure']}）" if p == "量化数据" else p for p in parts]
        return "、".join(parts) or "无"
    if isinstance(value, dict):
        return value.get("name") or "无"
    return str(value)


def shown(changes: dict) -> dict[str, list[str]]:
    """{字段: [before, after]} as people read them, for the timeline and the audit log."""
    return {FIELDS[f]: [_text(f, c["before"]), _text(f, c["after"])] for f, c in changes.items()}
