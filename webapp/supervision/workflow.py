"""The item life cycle as one table: for each action, the states it starts from, the state it
leads to, the roles that may take it, whether a liaison must be the lead unit's, and what else
must hold (a pending request, feedback awaiting review).

Sub-items (分解) are items of their own and follow the same table; a parent in 分解办理中
waits for them. 立项 (a leader's approval before 交办) and 复核 (the leader confirms 办结) are
rows like the others; the admin's policy (supervision/policy.py) decides which items need them.

`refusal` is the one answer to "may this actor take this action on this item now?": the
services raise it, the pages show a form exactly when it is None, the API lists the action in
`allowed_actions` exactly when it is None, and the OpenAPI describes the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from webapp.auth.models import Role, User
from webapp.errors import DomainError, NotAllowed, NotFound, StateConflict
from webapp.supervision.models import (
    OPEN_STATES,
    WITH_UNIT_STATES,
    FeedbackKind,
    ItemState,
    RequestState,
    ReviewState,
    SupervisionItem,
)

S = ItemState


@dataclass(frozen=True)
class Condition:
    """Something besides the state that must hold, and the 409 when it does not."""

    holds: Callable[[SupervisionItem], bool]
    message: str
    code: str


def _pending(requests) -> bool:
    return any(r.state == RequestState.PENDING for r in requests)


def pending_final_feedback(item: SupervisionItem):
    """The final feedback awaiting review, or None."""
    return next((f for f in reversed(item.feedback)
                 if f.kind == FeedbackKind.FINAL and f.review_state == ReviewState.PENDING), None)


NO_HAND_BACK_PENDING = Condition(lambda i: not _pending(i.hand_back_requests),
                                 "已提出退回申请，请等待督办员处理", "hand_back_pending")
HAND_BACK_PENDING = Condition(lambda i: _pending(i.hand_back_requests),
                              "没有待处理的退回申请", "no_pending_request")
NO_EXTENSION_PENDING = Condition(lambda i: not _pending(i.extension_requests),
                                 "已有待审批的延期申请", "extension_pending")
EXTENSION_PENDING = Condition(lambda i: _pending(i.extension_requests),
                              "没有待审批的延期申请", "no_pending_request")
FEEDBACK_PENDING = Condition(lambda i: pending_final_feedback(i) is not None,
                             "没有待审核的办结反馈", "no_pending_feedback")
APPROVED = Condition(lambda i: not i.approval_required or i.approved_at is not None,
                     "该事项须经领导立项审批后才能交办，请先提请立项", "approval_required")
NEEDS_APPROVAL = Condition(lambda i: i.approval_required and i.approved_at is None,
                           "该事项无需立项审批或已经批准", "no_approval_needed")
NO_ADJUSTMENT_PENDING = Condition(lambda i: not _pending(i.adjustments),
                                  "已有待领导审批的调整，请等待审批", "adjustment_pending")
ADJUSTMENT_PENDING = Condition(lambda i: _pending(i.adjustments),
                               "没有待审批的调整", "no_pending_request")
OPEN_MILESTONE = Condition(lambda i: any(m.reached_at is None for m in i.milestones),
                           "没有未完成的节点", "no_open_milestone")


def confirming_user_id(item: SupervisionItem) -> int | None:
    """The account of the leader whose 批示 the item carries (the first one linked to a
    person with an active account): they confirm its 办结. None: any leader may."""
    for instruction in item.instructions:
        leader = instruction.leader
        if leader is not None and leader.user is not None and leader.user.active:
            return leader.user.id
    return None


@dataclass(frozen=True)
class Action:
    name: str
    label: str  # Chinese name, for buttons, the timeline and error messages
    from_states: frozenset[ItemState]
    to_state: ItemState | None  # None: the state does not change
    roles: frozenset[Role]
    requires: tuple[Condition, ...] = ()
    lead_unit_only: bool = True  # a liaison takes it only for the lead unit (not 协办)
    endpoint: bool = True  # False: taken inside another domain's flow (归档 files a scan)
    own_leader: bool = False  # a leader takes it only on items of their own 批示 (复核)


def _a(name, label, from_states, to_state, roles, *requires, endpoint=True,
       own_leader=False) -> Action:
    return Action(name, label, frozenset(from_states), to_state, frozenset(roles), requires,
                  endpoint=endpoint, own_leader=own_leader)


OFFICE = {Role.OFFICE}
LIAISON = {Role.LIAISON}
LEADER = {Role.LEADER}
REMIND_STATES = {S.ASSIGNED, S.IN_PROGRESS, S.UNDER_REVIEW}
# 调整: before assignment (after a returned 立项) and while the item is being handled
ADJUST_STATES = {S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS, S.UNDER_REVIEW, S.SPLIT}

ACTIONS: dict[str, Action] = {a.name: a for a in (
    _a("attach_source", "上传批示件/来文", OPEN_STATES | {S.SPLIT}, None, OFFICE),
    _a("submit_approval", "提请立项", {S.REGISTERED}, S.AWAITING_APPROVAL, OFFICE,
       NEEDS_APPROVAL),
    _a("decide_approval", "立项审批", {S.AWAITING_APPROVAL}, S.REGISTERED, LEADER),
    _a("assign", "交办", {S.REGISTERED}, S.ASSIGNED, OFFICE, APPROVED),
    _a("split", "分解交办", {S.REGISTERED}, S.SPLIT, OFFICE, APPROVED),
    _a("close", "办结分解事项", {S.SPLIT}, None, OFFICE),  # 已办结, or 待领导复核
    _a("acknowledge", "签收", {S.ASSIGNED}, S.IN_PROGRESS, LIAISON, NO_HAND_BACK_PENDING),
    _a("request_hand_back", "申请退回", WITH_UNIT_STATES, None, LIAISON, NO_HAND_BACK_PENDING),
    _a("decide_hand_back", "处理退回申请", WITH_UNIT_STATES, None, OFFICE, HAND_BACK_PENDING),
    _a("request_extension", "申请延期", WITH_UNIT_STATES, None, LIAISON, NO_EXTENSION_PENDING),
    _a("decide_extension", "审批延期", OPEN_STATES, None, {Role.OFFICE, Role.LEADER},
       EXTENSION_PENDING),
    _a("submit_progress", "阶段反馈", {S.IN_PROGRESS}, None, LIAISON),
    _a("submit_final", "办结反馈", {S.IN_PROGRESS}, S.UNDER_REVIEW, LIAISON),
    # 审核通过: 已办结, or 待领导复核 when the policy asks the 批示 leader to confirm
    _a("accept", "审核通过", {S.UNDER_REVIEW}, None, OFFICE, FEEDBACK_PENDING),
    _a("confirm", "领导复核", {S.AWAITING_CONFIRMATION}, None, LEADER, own_leader=True),
    _a("return", "退回重办", {S.UNDER_REVIEW}, S.IN_PROGRESS, OFFICE, FEEDBACK_PENDING),
    _a("remind", "催办", REMIND_STATES, None, OFFICE),
    _a("cancel", "撤销", OPEN_STATES, S.CANCELLED, OFFICE),
    _a("instruct", "领导批示", OPEN_STATES | {S.SPLIT, S.CLOSED}, None, LEADER),
    _a("adjust", "调整", ADJUST_STATES, None, OFFICE, NO_ADJUSTMENT_PENDING),
    _a("decide_adjustment", "审批调整", ADJUST_STATES, None, LEADER, ADJUSTMENT_PENDING),
    _a("add_milestone", "设置节点", {S.REGISTERED, S.ASSIGNED, S.IN_PROGRESS}, None, OFFICE),
    _a("reach_milestone", "节点完成", {S.IN_PROGRESS}, None, LIAISON, OPEN_MILESTONE),
    _a("archive", "归档", {S.CLOSED}, S.ARCHIVED, OFFICE, endpoint=False),
)}

# Actions on the item's life that have no transition of their own, for the timeline.
EVENT_LABELS = {
    "register": "登记",
    "hand_back_approved": "同意退回并转办",
    "hand_back_refused": "不同意退回",
    "extension_approved": "同意延期",
    "extension_refused": "不同意延期",
    "upload_attachment": "上传附件",
    "escalate": "逾期升级",  # webapp/escalation: told the 分管领导, marked for the 通报
    "assisting_input": "协办意见",  # webapp/assist
    "cadence": "进展报送周期",  # webapp/recurring: set or stopped by the office
    "approval_granted": "同意立项",
    "approval_returned": "退回立项",
    "confirmed": "复核同意，办结",
    "confirmation_returned": "复核未同意",
    "adjust_requested": "调整（待领导审批）",
    "adjustment_approved": "同意调整",
    "adjustment_refused": "不同意调整",
    **{name: a.label for name, a in ACTIONS.items()},
}


def refusal(item: SupervisionItem, name: str, actor: User | None) -> DomainError | None:
    """Why `actor` may not take action `name` on `item` now, or None when they may.

    Checked in this order: role (403), the liaison's unit (404 when the item is not theirs at
    all, 403 for an assisting unit), state (409), then the action's conditions (409).
    `actor=None` is the system itself (automatic reminders): only state and conditions count.
    """
    action = ACTIONS[name]
    if actor is not None:
        if actor.role not in action.roles:
            return NotAllowed(f"您的角色不能执行“{action.label}”")
        if actor.role == Role.LIAISON and action.lead_unit_only \
                and actor.unit_id != item.lead_unit_id:
            if actor.unit_id not in {u.id for u in item.assisting_units}:
                return NotFound("找不到该督办事项")
            return NotAllowed(f"只有承办单位可以执行“{action.label}”，协办单位请与承办单位联系")
        if actor.role == Role.LEADER and action.own_leader:
            owner = confirming_user_id(item)
            if owner is not None and owner != actor.id:
                return NotAllowed(f"只有作出批示的领导可以执行“{action.label}”")
    if item.state not in action.from_states:
        return StateConflict(f"事项当前状态为“{item.state.label}”，不能执行“{action.label}”",
                             code="invalid_state")
    for condition in action.requires:
        if not condition.holds(item):
            return StateConflict(condition.message, code=condition.code)
    return None


def allowed_actions(item: SupervisionItem, actor: User) -> list[str]:
    """The actions `actor` may take on `item` now and that have an endpoint of their own."""
    return [name for name, action in ACTIONS.items()
            if action.endpoint and refusal(item, name, actor) is None]
