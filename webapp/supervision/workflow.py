"""The item life cycle as a table: which action moves which states, and who may take it."""

from __future__ import annotations

from dataclasses import dataclass

from webapp.auth.models import Role
from webapp.supervision.models import OPEN_STATES, WITH_UNIT_STATES, ItemState

S = ItemState


@dataclass(frozen=True)
class Transition:
    from_states: frozenset[ItemState]
    to_state: ItemState | None  # None: the state does not change
    roles: frozenset[Role]
    label: str  # Chinese name, for buttons, the timeline and error messages


def _t(from_states, to_state, roles, label) -> Transition:
    return Transition(frozenset(from_states), to_state, frozenset(roles), label)


OFFICE = {Role.OFFICE}
LIAISON = {Role.LIAISON}

TRANSITIONS: dict[str, Transition] = {
    "assign": _t({S.REGISTERED}, S.ASSIGNED, OFFICE, "交办"),
    "acknowledge": _t({S.ASSIGNED}, S.IN_PROGRESS, LIAISON, "签收"),
    "request_hand_back": _t(WITH_UNIT_STATES, None, LIAISON, "申请退回"),
    "decide_hand_back": _t(WITH_UNIT_STATES, None, OFFICE, "处理退回申请"),
    "request_extension": _t(WITH_UNIT_STATES, None, LIAISON, "申请延期"),
    "decide_extension": _t(OPEN_STATES, None, {Role.OFFICE, Role.LEADER}, "审批延期"),
    "submit_progress": _t({S.IN_PROGRESS}, None, LIAISON, "阶段反馈"),
    "submit_final": _t({S.IN_PROGRESS}, S.UNDER_REVIEW, LIAISON, "办结反馈"),
    "accept": _t({S.UNDER_REVIEW}, S.CLOSED, OFFICE, "审核通过"),
    "return": _t({S.UNDER_REVIEW}, S.IN_PROGRESS, OFFICE, "退回重办"),
    "remind": _t(
        {S.ASSIGNED, S.IN_PROGRESS, S.UNDER_REVIEW}, None, OFFICE, "催办"
    ),
    "cancel": _t(OPEN_STATES, S.CANCELLED, OFFICE, "撤销"),
    "instruct": _t(OPEN_STATES | {S.CLOSED}, None, {Role.LEADER}, "领导批示"),
    "archive": _t({S.CLOSED}, S.ARCHIVED, OFFICE, "归档"),
}

# Actions on the item's life that have no transition of their own, for the timeline.
EVENT_LABELS = {
    "register": "登记",
    "hand_back_approved": "同意退回并转办",
    "hand_back_refused": "不同意退回",
    "extension_approved": "同意延期",
    "extension_refused": "不同意延期",
    **{name: t.label for name, t in TRANSITIONS.items()},
}


def allowed_actions(state: ItemState, role: Role) -> list[str]:
    """Actions this role may take on an item in this state (for buttons and the API)."""
    return [
        name for name, t in TRANSITIONS.items() if state in t.from_states and role in t.roles
    ]
