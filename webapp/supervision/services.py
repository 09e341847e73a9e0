"""Every life-cycle action on a supervision item is one function here: it checks the actor's
role and the item's state against the workflow table, changes the item, and writes the audit
event. Functions flush; the request commits once. Web pages and the API both call them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from webapp.auth.models import Role, User
from webapp.database import local_date, local_today, utcnow
from webapp.errors import InvalidInput, NotAllowed
from webapp.extensions import db
from webapp.numbering import next_number
from webapp.org.models import Unit
from webapp.people import services as people
from webapp.supervision import closing, evidence, gate, policy
from webapp.supervision.models import (
    ExtensionRequest,
    Feedback,
    FeedbackAttachment,
    FeedbackKind,
    HandBackRequest,
    Instruction,
    ItemRole,
    ItemState,
    Reminder,
    ReminderChannel,
    RequestState,
    ReturnReason,
    ReviewState,
    Source,
    SupervisionItem,
    Urgency,
)
from webapp.supervision.workflow import pending_final_feedback
from webapp.validation import LONG, SHORT, clean_text

_gate, _move, _record, _name = gate.gate, gate.move, gate.record, gate.name


def _unit(unit_id: object, *, field: str, label: str) -> Unit:
    return gate.unit(unit_id, field=field, label=label)


# --- registration and assignment ---------------------------------------------------------


def register_item(
    *,
    actor: User,
    title: str,
    content: str,
    source: Source,
    urgency: Urgency = Urgency.NORMAL,
    source_ref: str | None = None,
    requirements: str | None = None,
    instruction_text: str | None = None,
    instruction_leader: str | None = None,
    instruction_date: date | None = None,
    standing: bool = False,
) -> SupervisionItem:
    """登记: a new item with its code (2026-045); a leader's instruction is recorded with it
    (linked to the leader when one person of the bureau has that name). When the admin's
    policy asks a leader's 立项 for the item's source, the item waits for it — unless it is
    one period of a `standing` arrangement (a recurrence, decided once for all its periods)."""
    item = new_item(actor=actor, title=title, content=content, source=source, urgency=urgency,
                    source_ref=source_ref, requirements=requirements,
                    instruction_text=instruction_text, instruction_leader=instruction_leader,
                    instruction_date=instruction_date, standing=standing)
    year = local_today().year
    item.code = f"{year}-{next_number('item', year):03d}"
    db.session.add(item)
    db.session.flush()
    gate.write(registered(item), actor)
    return item


def new_item(
    *,
    actor: User,
    title: str,
    content: str,
    source: Source,
    urgency: Urgency = Urgency.NORMAL,
    source_ref: str | None = None,
    requirements: str | None = None,
    instruction_text: str | None = None,
    instruction_leader: str | None = None,
    instruction_date: date | None = None,
    standing: bool = False,
    approval: policy.Policy | None = None,
    resolve=people.resolve,
) -> SupervisionItem:
    """The checks of 登记 and the item they give (with its instruction), not yet numbered nor
    added to the session: `register_item` numbers and saves one; an import numbers and saves
    many at once (`approval`: the policy read once; `resolve`: people.resolve, or the same
    remembered per name)."""
    if actor.role != Role.OFFICE:
        raise NotAllowed("只有督办员可以登记督办事项")
    title = clean_text(title, field="title", label="标题", max_len=SHORT, single_line=True)
    content = clean_text(content, field="content", label="事项内容", max_len=LONG)
    source_ref = clean_text(source_ref, field="source_ref", label="来文/批示编号",
                            required=False, max_len=SHORT, single_line=True)
    requirements = clean_text(requirements, field="requirements", label="办理要求",
                              required=False, max_len=LONG)
    instruction_text = clean_text(instruction_text, field="instruction_text",
                                  label="领导批示内容", required=False, max_len=LONG)
    if source == Source.LEADER_INSTRUCTION and not instruction_text:
        raise InvalidInput("来源为领导批示时，请填写批示内容", field="instruction_text")
    if instruction_text:
        instruction_leader = _name(instruction_leader, field="instruction_leader",
                                   label="批示领导", required=True)
        if instruction_date is None:
            raise InvalidInput("请填写批示日期", field="instruction_date")
        if instruction_date > local_today():
            raise InvalidInput("批示日期不能晚于今天", field="instruction_date")

    needs_approval = not standing and (approval or policy.current()).needs_approval(source)
    item = SupervisionItem(
        title=title, content=content, source=source, urgency=urgency, source_ref=source_ref,
        requirements=requirements, registered_by_id=actor.id, registered_at=utcnow(),
        state=ItemState.AWAITING_APPROVAL if needs_approval else ItemState.REGISTERED,
        approval_required=needs_approval,
    )
    if instruction_text:
        leader = resolve(None, instruction_leader, field="instruction_leader", label="批示领导")
        item.instructions.append(Instruction(
            leader_name=instruction_leader, leader_id=leader.person_id, text=instruction_text,
            instructed_on=instruction_date, recorded_by_id=actor.id))
    return item


def registered(item: SupervisionItem) -> tuple[str, str, str, dict]:
    """The 登记 audit event of a new, numbered `item` (an entry of audit.record_many)."""
    return gate.entry(item, "register", title=item.title, source=str(item.source),
                      approval_required=item.approval_required)


def _check_due(due_date: date | None, not_before: date | None = None) -> date:
    if due_date is None:
        raise InvalidInput("请填写办理时限", field="due_date")
    if due_date < (not_before or local_today()):
        raise InvalidInput("办理时限不能早于今天", field="due_date")
    return due_date


def assign_item(
    item: SupervisionItem,
    *,
    actor: User,
    lead_unit: Unit | int,
    due_date: date | None,
    assisting_units: Iterable[Unit | int] = (),
    supervising_leader: str | int | None = None,
    first_responsible: str | int | None = None,
    direct_responsible: str | int | None = None,
    not_before: date | None = None,
    evidence_required: Iterable[str] = (),
    evidence_figure: str | None = None,
) -> None:
    """交办: lead unit, assisting units, named responsible people (a person's id or a name),
    what the 办结反馈 must carry (evidence.required), and the deadline — not before today, or
    `not_before` (a recurring period's first day, when `tick` catches up on a period missed
    during downtime: webapp/recurring)."""
    _gate(item, "assign", actor)
    entry = assignment(item, lead_unit=lead_unit, due_date=due_date,
                       assisting_units=assisting_units, supervising_leader=supervising_leader,
                       first_responsible=first_responsible,
                       direct_responsible=direct_responsible, not_before=not_before,
                       evidence_required=evidence_required, evidence_figure=evidence_figure)
    gate.write(entry, actor)


def assignment(
    item: SupervisionItem,
    *,
    lead_unit: Unit | int,
    due_date: date | None,
    assisting_units: Iterable[Unit | int] = (),
    supervising_leader: str | int | None = None,
    first_responsible: str | int | None = None,
    direct_responsible: str | int | None = None,
    not_before: date | None = None,
    evidence_required: Iterable[str] = (),
    evidence_figure: str | None = None,
    resolve=people.resolve,
) -> tuple[str, str, str, dict]:
    """The checks and changes of 交办 once the gate has let it pass (`assign_item`; an import
    asks workflow.refusal for its new items): the item is assigned, and its 交办 audit event
    returned (an entry of audit.record_many, written by the caller)."""
    item.evidence_required, item.evidence_figure = evidence.required(evidence_required,
                                                                     evidence_figure)
    lead = lead_unit if isinstance(lead_unit, Unit) else _unit(lead_unit, field="lead_unit",
                                                               label="承办单位")
    helpers = [u if isinstance(u, Unit) else _unit(u, field="assisting_units", label="协办单位")
               for u in assisting_units]
    helpers = [u for u in dict.fromkeys(helpers) if u.id != lead.id]
    due_date = _check_due(due_date, not_before)
    _name_people(item, lead, resolve, supervising_leader=supervising_leader,
                 first_responsible=first_responsible, direct_responsible=direct_responsible)
    item.lead_unit = lead
    item.assisting_units = helpers
    item.due_date = item.original_due_date = due_date
    item.assigned_at = utcnow()
    _move(item, "assign")
    return gate.entry(item, "assign", lead_unit=lead.name, due_date=due_date,
                      assisting_units=[u.name for u in helpers],
                      first_responsible=item.first_responsible,
                      direct_responsible=item.direct_responsible,
                      evidence=evidence.describe(item),
                      parent=item.parent.code if item.parent else None)


def _name_people(item: SupervisionItem, lead: Unit, resolve=people.resolve,
                 **named: object) -> None:
    """分管领导 from the bureau's people, 责任人 from the lead unit's: a person's id, or a name
    matched to one person, else kept as legacy text (webapp.people.services.resolve)."""
    for role, value in named.items():
        found = resolve(None if role == "supervising_leader" else lead, value,
                        field=role, label=ItemRole(role).label,
                        required=role != "supervising_leader")
        setattr(item, role, found.name)
        setattr(item, f"{role}_id", found.person_id)


def acknowledge_item(item: SupervisionItem, *, actor: User) -> None:
    """签收: the lead unit's liaison takes the item on."""
    _gate(item, "acknowledge", actor)
    item.acknowledged_at = utcnow()
    _move(item, "acknowledge")
    _record(item, "acknowledge", actor)


# --- hand-back (退回申请 / 转办) ---------------------------------------------------------


def _pending(requests: Sequence[HandBackRequest] | Sequence[ExtensionRequest]):
    return next((r for r in requests if r.state == RequestState.PENDING), None)


def request_hand_back(item: SupervisionItem, *, actor: User, reason: str) -> HandBackRequest:
    """退回申请: the unit says the item is not theirs, with a reason."""
    _gate(item, "request_hand_back", actor)
    reason = clean_text(reason, field="reason", label="退回理由", max_len=LONG)
    req = HandBackRequest(item=item, unit_id=actor.unit_id, reason=reason,
                          requested_by_id=actor.id, requested_at=utcnow())
    db.session.add(req)
    _record(item, "request_hand_back", actor, reason=reason)
    return req


def decide_hand_back(
    item: SupervisionItem,
    *,
    actor: User,
    approve: bool,
    note: str | None = None,
    new_lead_unit: Unit | int | None = None,
    due_date: date | None = None,
) -> None:
    """Office: approve (转办 to another unit, which must acknowledge anew) or refuse."""
    _gate(item, "decide_hand_back", actor)
    req = _pending(item.hand_back_requests)
    note = clean_text(note, field="note", label="处理意见", required=not approve, max_len=LONG)
    req.decided_by_id, req.decided_at, req.decision_note = actor.id, utcnow(), note
    if not approve:
        req.state = RequestState.REFUSED
        _record(item, "hand_back_refused", actor, note=note)
        return
    if new_lead_unit is None:
        raise InvalidInput("同意退回时，请选择新的承办单位", field="new_lead_unit")
    lead = new_lead_unit if isinstance(new_lead_unit, Unit) else _unit(
        new_lead_unit, field="new_lead_unit", label="新的承办单位")
    if lead.id == item.lead_unit_id:
        raise InvalidInput("新的承办单位不能与原承办单位相同", field="new_lead_unit")
    req.state = RequestState.APPROVED
    if due_date is not None:
        item.due_date = _check_due(due_date)
    old = gate.change_lead_unit(item, lead)
    _record(item, "hand_back_approved", actor, note=note, from_unit=old, to_unit=lead.name,
            due_date=item.due_date)


# --- extensions (延期) -------------------------------------------------------------------


def request_extension(
    item: SupervisionItem, *, actor: User, new_due_date: date | None, reason: str
) -> ExtensionRequest:
    """延期申请: a later date and the reason."""
    _gate(item, "request_extension", actor)
    reason = clean_text(reason, field="reason", label="延期理由", max_len=LONG)
    if new_due_date is None:
        raise InvalidInput("请填写申请延至的日期", field="new_due_date")
    if item.due_date and new_due_date <= item.due_date:
        raise InvalidInput("申请的日期必须晚于现在的办理时限", field="new_due_date")
    req = ExtensionRequest(item=item, unit_id=actor.unit_id, old_due_date=item.due_date,
                           requested_due_date=new_due_date, reason=reason,
                           requested_by_id=actor.id, requested_at=utcnow())
    db.session.add(req)
    _record(item, "request_extension", actor, new_due_date=new_due_date, reason=reason)
    return req


def decide_extension(
    item: SupervisionItem, *, actor: User, approve: bool, note: str | None = None
) -> None:
    """Office or leader approves (the due date moves) or refuses a pending extension."""
    _gate(item, "decide_extension", actor)
    req = _pending(item.extension_requests)
    note = clean_text(note, field="note", label="审批意见", required=not approve, max_len=LONG)
    req.decided_by_id, req.decided_at, req.decision_note = actor.id, utcnow(), note
    req.state = RequestState.APPROVED if approve else RequestState.REFUSED
    if approve:
        item.due_date = req.requested_due_date
        _record(item, "extension_approved", actor, due_date=item.due_date, note=note)
    else:
        _record(item, "extension_refused", actor, note=note)


# --- feedback and review -----------------------------------------------------------------


def submit_feedback(
    item: SupervisionItem,
    *,
    actor: User,
    kind: FeedbackKind,
    actions_taken: str,
    result: str | None = None,
    completed: bool = True,
    not_done_reason: str | None = None,
    next_steps: str | None = None,
    attachments: Sequence[tuple[str, Any]] = (),
    figure: object = None,
) -> Feedback:
    """反馈: progress (阶段) or final (办结, goes to review). Attachments are
    (client filename, media FileInfo) pairs already stored by the media domain. A final one
    carries what the item asks (photos, a document, the number `figure`: evidence.py)."""
    action = "submit_final" if kind == FeedbackKind.FINAL else "submit_progress"
    _gate(item, action, actor)
    actions_taken = clean_text(actions_taken, field="actions_taken", label="主要做法",
                               max_len=LONG)
    result = clean_text(result, field="result", label="办理结果",
                        required=kind == FeedbackKind.FINAL and completed, max_len=LONG)
    not_done_reason = clean_text(not_done_reason, field="not_done_reason", label="未完成原因",
                                 required=not completed, max_len=LONG)
    next_steps = clean_text(next_steps, field="next_steps", label="下步措施",
                            required=not completed, max_len=LONG)
    figure = evidence.figure_value(figure)
    if kind == FeedbackKind.FINAL:
        evidence.check_final(item, [info.content_type for _, info in attachments], figure)
    feedback = Feedback(
        item=item, unit_id=actor.unit_id, kind=kind, actions_taken=actions_taken, result=result,
        completed=completed, not_done_reason=not_done_reason, next_steps=next_steps,
        submitted_by_id=actor.id, submitted_at=utcnow(), figure=figure,
        review_state=ReviewState.PENDING if kind == FeedbackKind.FINAL else None,
    )
    db.session.add(feedback)
    for filename, info in attachments:
        name = clean_text(filename, field="attachments", label="附件名称", required=False,
                          max_len=255, single_line=True) or "附件"
        feedback.attachments.append(FeedbackAttachment(
            filename=name, content_type=info.content_type, size=info.size, sha256=info.sha256))
    if kind == FeedbackKind.FINAL:
        item.final_feedback_on = local_date(feedback.submitted_at)
    _move(item, action)
    db.session.flush()
    _record(item, action, actor, feedback_id=feedback.id, completed=completed,
            attachments=[a.sha256 for a in feedback.attachments])
    return feedback


def accept_feedback(item: SupervisionItem, *, actor: User, opinion: str | None = None) -> None:
    """审核通过: the item is closed (办结) today — or waits for the 批示 leader's 复核 when
    the admin's policy asks it (supervision/closing.py)."""
    _gate(item, "accept", actor)
    fb = pending_final_feedback(item)
    opinion = clean_text(opinion, field="opinion", label="审核意见", required=False,
                         max_len=LONG)
    fb.review_state, fb.review_note = ReviewState.ACCEPTED, opinion
    fb.reviewed_by_id, fb.reviewed_at = actor.id, utcnow()
    item.review_opinion = opinion
    closing.finish(item, actor, "accept", opinion=opinion)


def return_feedback(item: SupervisionItem, *, actor: User, reason: str,
                    category: ReturnReason = ReturnReason.OTHER) -> None:
    """退回重办: the feedback is not good enough — a category (证据不足, 未按要求整改, 内容过于
    简略, 其他) and the reason; the unit goes on, and the return is counted per category."""
    _gate(item, "return", actor)
    fb = pending_final_feedback(item)
    reason = clean_text(reason, field="reason", label="退回理由", max_len=LONG)
    fb.review_state, fb.review_note, fb.return_category = ReviewState.RETURNED, reason, category
    fb.reviewed_by_id, fb.reviewed_at = actor.id, utcnow()
    _move(item, "return")
    _record(item, "return", actor, reason=reason, category=str(category), feedback_id=fb.id)


# --- reminders, instructions, cancel, archive ---------------------------------------------


def record_reminder(
    item: SupervisionItem,
    *,
    actor: User | None,
    channel: ReminderChannel,
    note: str | None = None,
    automatic: bool = False,
) -> Reminder:
    """催办: every reminder is kept and counted — phone calls and visits included."""
    if not automatic and actor is None:
        raise NotAllowed("催办需要经办人")
    _gate(item, "remind", None if automatic else actor)
    note = clean_text(note, field="note", label="催办说明", required=False, max_len=LONG)
    reminder = Reminder(item=item, unit_id=item.lead_unit_id, channel=channel, note=note,
                        automatic=automatic, created_by_id=actor.id if actor else None,
                        created_at=utcnow())
    db.session.add(reminder)
    _record(item, "remind", actor, channel=str(channel), note=note, automatic=automatic)
    return reminder


def add_instruction(
    item: SupervisionItem, *, actor: User, text: str, instructed_on: date | None = None
) -> Instruction:
    """领导批示: a leader writes an instruction on the item."""
    _gate(item, "instruct", actor)
    text = clean_text(text, field="text", label="批示内容", max_len=LONG)
    instructed_on = instructed_on or local_today()
    if instructed_on > local_today():
        raise InvalidInput("批示日期不能晚于今天", field="instructed_on")
    me = people.person_for_user(actor)
    row = Instruction(item=item, leader_name=actor.name, leader_id=me.id if me else None,
                      text=text, instructed_on=instructed_on, recorded_by_id=actor.id)
    db.session.add(row)
    _record(item, "instruct", actor, text=text)
    return row


def cancel_item(item: SupervisionItem, *, actor: User, reason: str) -> None:
    """撤销: never deleted — cancelled with a reason, kept on record."""
    _gate(item, "cancel", actor)
    item.cancel_reason = clean_text(reason, field="reason", label="撤销理由", max_len=LONG)
    item.cancelled_at = utcnow()
    _move(item, "cancel")
    _record(item, "cancel", actor, reason=item.cancel_reason)
    closing.parent_check(item, actor)


def archive_item(item: SupervisionItem, *, actor: User, archive_code: str) -> None:
    """归档: called by the archive domain when the signed closing report is filed."""
    _gate(item, "archive", actor)
    item.archived_at = utcnow()
    _move(item, "archive")
    _record(item, "archive", actor, archive_code=archive_code)


def item_by_code(code: str) -> SupervisionItem | None:
    """Unfiltered lookup for other domains' services (they apply their own access rules)."""
    return db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
