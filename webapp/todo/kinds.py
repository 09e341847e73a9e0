"""What waits for whom: one table of to-do kinds. Each kind is a query of entries (ref, title,
since, note) for an actor; its count is the count of that same query, so the menu's numbers
are exactly the lists they open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask import current_app
from sqlalchemy import Select, String, and_, cast, func, literal, null, or_, select, union_all
from sqlalchemy.orm import aliased

from webapp.assist.models import AssistingInput
from webapp.auth.models import Role, User
from webapp.database import local_today, local_zone
from webapp.documents.models import Document, DocumentDraft, DocumentKind, DocumentState, DraftState
from webapp.escalation.models import EscalationStep
from webapp.inspections.models import Inspection, InspectionState
from webapp.notify.models import DeliveryState, Notification
from webapp.people.models import Person
from webapp.people.services import person_for_user
from webapp.supervision.lights import overdue_condition
from webapp.supervision.models import (
    OPEN_STATES,
    WITH_UNIT_STATES,
    Adjustment,
    ExtensionRequest,
    Feedback,
    FeedbackKind,
    HandBackRequest,
    Instruction,
    ItemState,
    Milestone,
    Reminder,
    RequestState,
    ReviewState,
    SupervisionItem,
)
from webapp.supervision.workflow import ACTIONS

I = SupervisionItem  # noqa: E741 (short in queries)


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    roles: frozenset[Role]
    query: Callable[[User], Select]  # columns: ref, title, since, note, href
    action: str  # what to do, shown with the entry


def _recent() -> datetime:
    """The start of the window of recent results: whole local days (TODO_RECENT_DAYS)."""
    day = local_today() - timedelta(days=int(current_app.config["TODO_RECENT_DAYS"]))
    return datetime.combine(day, time(), local_zone()).astimezone(UTC)


def _items(*where, since, note=None) -> Select:
    return select(I.code.label("ref"), I.title.label("title"), since.label("since"),
                  (note if note is not None else null()).label("note"),
                  (literal("/items/") + I.code).label("href")).where(*where)


# --- liaison: their unit's items ------------------------------------------------------------

def _to_acknowledge(u: User) -> Select:
    return _items(I.lead_unit_id == u.unit_id, I.state == ItemState.ASSIGNED,
                  since=I.assigned_at)


def _feedback_due(u: User) -> Select:
    soon = local_today() + timedelta(days=int(current_app.config["YELLOW_LIGHT_DAYS"]))
    return _items(I.lead_unit_id == u.unit_id, I.state == ItemState.IN_PROGRESS,
                  I.due_date <= soon, since=I.due_date)


def _returned(u: User) -> Select:
    f = aliased(Feedback)
    last_final = (select(func.max(f.id)).where(f.item_id == I.id, f.kind == FeedbackKind.FINAL)
                  .correlate(I).scalar_subquery())
    return _items(I.lead_unit_id == u.unit_id, I.state == ItemState.IN_PROGRESS,
                  Feedback.id == last_final, Feedback.review_state == ReviewState.RETURNED,
                  since=Feedback.reviewed_at, note=Feedback.review_note
                  ).join(Feedback, Feedback.item_id == I.id)


def _reminded(u: User) -> Select:
    answered = select(Feedback.id).where(Feedback.item_id == Reminder.item_id,
                                         Feedback.submitted_at > Reminder.created_at).exists()
    return _items(Reminder.unit_id == u.unit_id, I.lead_unit_id == u.unit_id,
                  I.state.in_(WITH_UNIT_STATES), Reminder.created_at >= _recent(), ~answered,
                  since=Reminder.created_at, note=Reminder.note
                  ).join(Reminder, Reminder.item_id == I.id)


def _request_results(u: User) -> Select:
    def of(model, what):
        label = func.coalesce(model.decision_note, "")
        return _items(model.unit_id == u.unit_id, model.state != RequestState.PENDING,
                      model.decided_at >= _recent(), since=model.decided_at,
                      note=literal(what) + label).join(model, model.item_id == I.id)

    return union_all(of(ExtensionRequest, "延期申请已处理："),
                     of(HandBackRequest, "退回申请已处理："))


def _assisting_input(u: User) -> Select:
    return _items(I.lead_unit_id == u.unit_id, I.state.in_(OPEN_STATES),
                  AssistingInput.submitted_at >= _recent(), since=AssistingInput.submitted_at,
                  note=AssistingInput.text).join(AssistingInput, AssistingInput.item_id == I.id)


def _cadence_missed(u: User) -> Select:
    """Items whose latest progress report was not sent (their latest `cadence_missed` step)
    and that have had no feedback since: the lead unit's (liaison), every one (office). Read
    from the steps (few) towards the items (many)."""
    from webapp.recurring.models import FeedbackCadence

    later = aliased(EscalationStep)
    superseded = select(later.id).where(later.item_id == EscalationStep.item_id,
                                        later.rule == EscalationStep.rule,
                                        later.id > EscalationStep.id).exists()
    answered = select(Feedback.id).where(Feedback.item_id == I.id,
                                         Feedback.submitted_at > EscalationStep.created_at
                                         ).exists()
    query = (_items(EscalationStep.rule == "cadence_missed", ~superseded,
                    I.state == ItemState.IN_PROGRESS, ~answered,
                    FeedbackCadence.stopped_at.is_(None), since=EscalationStep.created_at,
                    note=literal("应于 ") + cast(EscalationStep.due_date, String) + " 前报送")
             .select_from(EscalationStep).join(I, I.id == EscalationStep.item_id)
             .join(FeedbackCadence, FeedbackCadence.item_id == I.id))
    return query.where(I.lead_unit_id == u.unit_id) if u.role == Role.LIAISON else query


def _milestone_due(u: User) -> Select:
    soon = local_today() + timedelta(days=int(current_app.config["YELLOW_LIGHT_DAYS"]))
    return _items(I.lead_unit_id == u.unit_id, I.state == ItemState.IN_PROGRESS,
                  Milestone.reached_at.is_(None), Milestone.due_date <= soon,
                  since=Milestone.due_date, note=Milestone.title
                  ).join(Milestone, Milestone.item_id == I.id)


# --- office -----------------------------------------------------------------------------------

def _approval_returned(u: User) -> Select:
    return _items(I.state == ItemState.REGISTERED, I.approval_required.is_(True),
                  I.approved_at.is_(None), I.approval_note.is_not(None),
                  since=I.registered_at, note=I.approval_note)


def _to_review(u: User) -> Select:
    return _items(I.state == ItemState.UNDER_REVIEW, since=I.final_feedback_on)


def _pending(model, what):
    def query(u: User) -> Select:
        return _items(model.state == RequestState.PENDING, I.state.in_(OPEN_STATES),
                      since=model.requested_at, note=literal(what) + model.reason
                      ).join(model, model.item_id == I.id)
    return query


def _overdue(u: User) -> Select:
    return _items(overdue_condition(local_today()), since=I.due_date)


def _supervised_overdue(u: User) -> Select:
    me = person_for_user(u)
    return _items(overdue_condition(local_today()),
                  I.supervising_leader_id == (me.id if me else -1), since=I.due_date)


# --- leader -----------------------------------------------------------------------------------

def _approval_pending(u: User) -> Select:
    return _items(I.state == ItemState.AWAITING_APPROVAL, since=I.registered_at)


def _confirm_pending(u: User) -> Select:
    """Items awaiting 复核 by this leader: whose first 批示 linked to a leader's account is
    theirs, or which name no such leader (then every leader may confirm)."""
    confirmer = (select(User.id).select_from(Instruction)
                 .join(Person, Person.id == Instruction.leader_id)
                 .join(User, User.id == Person.user_id)
                 .where(Instruction.item_id == I.id, User.active.is_(True))
                 .order_by(Instruction.id).limit(1).correlate(I).scalar_subquery())
    return _items(I.state == ItemState.AWAITING_CONFIRMATION,
                  or_(confirmer == u.id, confirmer.is_(None)), since=I.final_feedback_on)


def _adjustment_pending(u: User) -> Select:
    decidable = ACTIONS["decide_adjustment"].from_states
    return _items(Adjustment.state == RequestState.PENDING, I.state.in_(decidable),
                  since=Adjustment.requested_at,
                  note=Adjustment.reason).join(Adjustment, Adjustment.item_id == I.id)


def _marked(rule: str, doc_kind: DocumentKind, per_item: bool, states) -> Callable:
    """Items an escalation step marked (催办通知 to draft, 通报 to name them in) and no such
    document issued since the mark."""
    def query(u: User) -> Select:
        issued = select(Document.id).where(
            Document.kind == doc_kind, Document.state == DocumentState.ISSUED,
            Document.issued_at >= EscalationStep.created_at,
            *((Document.item_id == I.id,) if per_item else ())).exists()
        return _items(I.state.in_(states), ~issued, since=EscalationStep.created_at,
                      note=literal("逾期 ") + cast(EscalationStep.overdue_days, String)
                      + " 个工作日"
                      ).join(EscalationStep, and_(EscalationStep.item_id == I.id,
                                                  EscalationStep.rule == rule,
                                                  EscalationStep.due_date == I.due_date))
    return query


def _render_failed(u: User) -> Select:
    return select(Document.doc_number.label("ref"), Document.title.label("title"),
                  Document.issued_at.label("since"), Document.render_error.label("note"),
                  (literal("/documents/") + cast(Document.id, String)).label("href")).where(
        Document.state == DocumentState.ISSUED, Document.render_error.is_not(None),
        Document.pdf_sha256.is_(None))


def _drafts(*where, since) -> Select:
    """稿件 awaiting 签发 steps (webapp/documents/signoff.py); the note is a leader's comment."""
    ref = literal("稿件") + cast(DocumentDraft.id, String)
    return select(ref.label("ref"), DocumentDraft.title.label("title"), since.label("since"),
                  DocumentDraft.comment.label("note"),
                  (literal("/documents/drafts/") + cast(DocumentDraft.id, String)).label("href")
                  ).where(*where)


def _drafts_to_check(u: User) -> Select:
    return _drafts(DocumentDraft.state.in_((DraftState.DRAFTED, DraftState.RETURNED)),
                   since=func.coalesce(DocumentDraft.returned_at, DocumentDraft.drafted_at))


def _drafts_to_sign(u: User) -> Select:
    return _drafts(DocumentDraft.state == DraftState.CHECKED, DocumentDraft.signer_id == u.id,
                   since=DocumentDraft.checked_at)


def _inspections(*where, since, href=None) -> Select:
    return select(Inspection.uuid.label("ref"), Inspection.place.label("title"),
                  since.label("since"), null().label("note"),
                  (href if href is not None else literal("/inspections/") + Inspection.uuid
                   ).label("href")).where(*where)


def _to_publish(u: User) -> Select:
    return _inspections(Inspection.state == InspectionState.SUBMITTED,
                        since=Inspection.submitted_at)


def _unsent(u: User) -> Select:
    return _inspections(Inspection.inspector_id == u.id,
                        Inspection.state == InspectionState.DRAFT, since=Inspection.created_at,
                        href=literal("/m/"))


def _published(u: User) -> Select:
    return _inspections(Inspection.inspector_id == u.id,
                        Inspection.state == InspectionState.PUBLISHED,
                        Inspection.published_at >= _recent(), since=Inspection.published_at)


def _dead_letters(u: User) -> Select:
    return select(cast(Notification.id, String).label("ref"),
                  Notification.title.label("title"), Notification.created_at.label("since"),
                  Notification.last_error.label("note"),
                  literal("/notifications/dead").label("href")).where(
        Notification.state == DeliveryState.DEAD)


L, OF, LE, INS, A = ({Role.LIAISON}, {Role.OFFICE}, {Role.LEADER}, {Role.INSPECTOR},
                     {Role.ADMIN})
KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind("to_acknowledge", "待签收", frozenset(L), _to_acknowledge, "签收或申请退回"),
    Kind("feedback_due", "待反馈", frozenset(L), _feedback_due, "即将到期或已逾期，请反馈"),
    Kind("returned", "被退回", frozenset(L), _returned, "按退回理由重新办理"),
    Kind("reminded", "催办", frozenset(L), _reminded, "收到催办，请反馈进展"),
    Kind("request_results", "申请结果", frozenset(L), _request_results, "查看处理结果"),
    Kind("assisting_input", "协办意见", frozenset(L), _assisting_input, "查看协办单位意见"),
    Kind("cadence_missed", "进展未报", frozenset(L | OF), _cadence_missed,
         "报送阶段进展（督办员：督促报送）"),
    Kind("milestone_due", "办理节点", frozenset(L), _milestone_due, "按节点完成并报告"),
    Kind("to_review", "待审核", frozenset(OF), _to_review, "审核办结反馈"),
    Kind("approval_returned", "立项被退回", frozenset(OF), _approval_returned,
         "按领导意见调整后重新提请立项"),
    Kind("extension_pending", "延期申请", frozenset(OF | LE),
         _pending(ExtensionRequest, "延期："), "审批延期申请"),
    Kind("hand_back_pending", "退回申请", frozenset(OF), _pending(HandBackRequest, "退回："),
         "处理退回申请"),
    Kind("overdue", "逾期事项", frozenset(OF), _overdue, "催办"),
    Kind("reminder_notice", "待拟催办通知", frozenset(OF),
         _marked("first_overdue", DocumentKind.REMINDER, True, WITH_UNIT_STATES),
         "拟制并印发催办通知"),
    Kind("circular", "待通报", frozenset(OF),
         _marked("escalate", DocumentKind.CIRCULAR, False, OPEN_STATES), "列入下期通报"),
    Kind("drafts_to_check", "待核稿", frozenset(OF), _drafts_to_check, "核稿后送领导签发"),
    Kind("render_failed", "公文生成失败", frozenset(OF), _render_failed, "重新生成"),
    Kind("to_publish", "待发布检查", frozenset(OF), _to_publish, "发布检查结果"),
    Kind("drafts_to_sign", "待签发", frozenset(LE), _drafts_to_sign, "审阅稿件，签发或退回"),
    Kind("approval_pending", "待立项审批", frozenset(LE), _approval_pending, "审批立项"),
    Kind("confirm_pending", "待复核", frozenset(LE), _confirm_pending, "复核办结"),
    Kind("adjustment_pending", "调整待审批", frozenset(LE), _adjustment_pending, "审批调整"),
    Kind("supervised_overdue", "分管逾期", frozenset(LE), _supervised_overdue, "督促承办单位"),
    Kind("unsent", "未发送的检查记录", frozenset(INS), _unsent, "在手机上联网发送"),
    Kind("published", "检查结果已发布", frozenset(INS), _published, "查看"),
    Kind("dead_letters", "发送失败的消息", frozenset(A), _dead_letters, "检查网关后重新发送"),
)}
