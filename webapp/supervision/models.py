"""Supervision items (督办事项) and what happens to them: instructions, hand-back and extension
requests, feedback, reminders."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.database import UTCDateTime, enum_column, utcnow
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.org.models import Unit
from webapp.people.models import Person


class ItemState(Labelled):
    REGISTERED = "registered", "已登记"
    AWAITING_APPROVAL = "awaiting_approval", "待立项审批"  # a leader approves before 交办
    ASSIGNED = "assigned", "待签收"  # 已交办 (awaiting 签收)
    IN_PROGRESS = "in_progress", "办理中"
    UNDER_REVIEW = "under_review", "待审核"
    AWAITING_CONFIRMATION = "awaiting_confirmation", "待领导复核"  # accepted, the leader confirms
    SPLIT = "split", "分解办理中"  # a parent item: its sub-items carry the work
    CLOSED = "closed", "已办结"
    ARCHIVED = "archived", "已归档"
    CANCELLED = "cancelled", "已撤销"


# Named groups of states (which states allow what).
OPEN_STATES = frozenset(
    {ItemState.REGISTERED, ItemState.AWAITING_APPROVAL, ItemState.ASSIGNED,
     ItemState.IN_PROGRESS, ItemState.UNDER_REVIEW, ItemState.AWAITING_CONFIRMATION}
)
WITH_UNIT_STATES = frozenset({ItemState.ASSIGNED, ItemState.IN_PROGRESS})
# The unit's 办结反馈 is in and the office (or the leader) decides: on time, not overdue.
REVIEW_STATES = frozenset({ItemState.UNDER_REVIEW, ItemState.AWAITING_CONFIRMATION})
DONE_STATES = frozenset({ItemState.CLOSED, ItemState.ARCHIVED})
# A sub-item no longer keeps its parent open.
FINISHED_STATES = DONE_STATES | {ItemState.CANCELLED}


class ItemRole(Labelled):
    """The people an item names (each a Person, or legacy text not yet linked to one)."""

    SUPERVISING_LEADER = "supervising_leader", "分管领导"
    FIRST_RESPONSIBLE = "first_responsible", "第一责任人"
    DIRECT_RESPONSIBLE = "direct_responsible", "直接责任人"


class Source(Labelled):
    LEADER_INSTRUCTION = "leader_instruction", "领导批示"
    MEETING = "meeting", "会议议定"
    SUPERIOR = "superior", "上级交办"
    INSPECTION = "inspection", "暗访发现"
    COMPLAINT = "complaint", "群众反映/信访转办"
    OTHER = "other", "其他"


class Urgency(Labelled):
    NORMAL = "normal", "平件"
    URGENT = "urgent", "急件"
    VERY_URGENT = "very_urgent", "特急"


class RequestState(Labelled):
    PENDING = "pending", "待处理"
    APPROVED = "approved", "已同意"
    REFUSED = "refused", "未同意"


class FeedbackKind(enum.StrEnum):
    PROGRESS = "progress"  # 阶段反馈
    FINAL = "final"  # 办结反馈


class ReviewState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class ReturnReason(Labelled):
    """Why the office returns a 办结反馈 (counted per category in the statistics)."""

    INSUFFICIENT_EVIDENCE = "insufficient_evidence", "证据不足"
    NOT_AS_REQUIRED = "not_as_required", "未按要求整改"
    TOO_BRIEF = "too_brief", "内容过于简略"
    OTHER = "other", "其他"


class Evidence(Labelled):
    """What an item's 办结反馈 must carry, as the office marked it."""

    PHOTO = "photo", "现场照片"
    DOCUMENT = "document", "书面材料"
    FIGURE = "figure", "量化数据"


class SourceKind(Labelled):
    """The scanned source of an item, attached at registration."""

    INSTRUCTION = "instruction", "批示件"
    INCOMING = "incoming", "来文"
    MINUTES = "minutes", "会议纪要"
    OTHER = "other", "其他材料"


class ReminderChannel(Labelled):
    SYSTEM = "system", "系统提醒"
    PHONE = "phone", "电话催办"
    IN_PERSON = "in_person", "当面催办"
    DOCUMENT = "document", "催办通知"


# Reminders a person records by hand; a 催办通知 is recorded by issuing the document.
MANUAL_CHANNELS = (ReminderChannel.PHONE, ReminderChannel.IN_PERSON, ReminderChannel.SYSTEM)


item_assisting_unit = Table(
    "item_assisting_unit",
    db.metadata,
    Column("item_id", ForeignKey("supervision_item.id"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id"), primary_key=True),
)


_PEOPLE = ("split_at", "parent_id", "source", "first_responsible_id", "first_responsible",
           "direct_responsible_id", "direct_responsible")


class SupervisionItem(db.Model):
    __tablename__ = "supervision_item"
    __table_args__ = (
        Index("ix_supervision_item_state_due", "state", "due_date"),
        Index("ix_supervision_item_lead_unit", "lead_unit_id", "state", "due_date"),
        # statistics per unit (stats.py): index-only range scans, see migration 0005
        Index("ix_supervision_item_unit_due", "lead_unit_id", "due_date", "state", "closed_on"),
        Index("ix_supervision_item_unit_closed", "lead_unit_id", "closed_on", "state",
              "assigned_at"),
        Index("ix_supervision_item_registered_at", "registered_at"),
        # the dashboard's open-item figures (supervision/figures.py), index-only: 0022
        Index("ix_supervision_item_open_figures", "state", "due_date", "final_feedback_on",
              "split_at", "lead_unit_id", "parent_id", "source"),
        # statistics per person and per source, index-only: 0022
        Index("ix_supervision_item_people_due", "due_date", "state", "closed_on", *_PEOPLE),
        Index("ix_supervision_item_people_closed", "closed_on", "state", "assigned_at",
              *_PEOPLE),
        # a leader's overdue items (the to-do count on every page), index-only: 0025
        Index("ix_supervision_item_leader_open", "supervising_leader_id", "state", "due_date",
              "final_feedback_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # 2026-045
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    source: Mapped[Source] = mapped_column(enum_column(Source, "item_source"))
    source_ref: Mapped[str | None] = mapped_column(String(200))  # 来文/会议/批示件编号
    urgency: Mapped[Urgency] = mapped_column(enum_column(Urgency, "urgency"))
    state: Mapped[ItemState] = mapped_column(
        enum_column(ItemState, "item_state"), default=ItemState.REGISTERED
    )
    requirements: Mapped[str | None] = mapped_column(Text)  # 办理要求

    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    # 分管领导, 第一责任人, 直接责任人: the person when known (webapp/people), and the name
    # shown (the person's name, or legacy text not yet linked to a person).
    supervising_leader_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"),
                                                              index=True)
    supervising_leader: Mapped[str | None] = mapped_column(String(64))
    first_responsible_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    first_responsible: Mapped[str | None] = mapped_column(String(64))
    direct_responsible_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    direct_responsible: Mapped[str | None] = mapped_column(String(64))
    due_date: Mapped[date | None] = mapped_column(Date)  # current (possibly extended) 办理时限
    original_due_date: Mapped[date | None] = mapped_column(Date)
    # local date the 办结反馈 under review was sent: on time, the item is not overdue while
    # the office reviews it (supervision/lights.py, is_overdue)
    final_feedback_on: Mapped[date | None] = mapped_column(Date)

    registered_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_on: Mapped[date | None] = mapped_column(Date)  # local date of closing, for 按期
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_opinion: Mapped[str | None] = mapped_column(Text)  # 审核意见 on acceptance

    # 分解: a sub-item points at its parent; a parent was split at `split_at`
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_item.id"),
                                                  index=True)
    split_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 立项: required by the admin's policy when registered (supervision/policy.py)
    approval_required: Mapped[bool] = mapped_column(default=False)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approval_note: Mapped[str | None] = mapped_column(Text)  # the leader's comment
    # 复核: the leader's confirmation of 办结
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmation_note: Mapped[str | None] = mapped_column(Text)
    # What the 办结反馈 must carry: Evidence values, and the number's name for FIGURE
    evidence_required: Mapped[list[str] | None] = mapped_column(JSON)
    evidence_figure: Mapped[str | None] = mapped_column(String(64))

    lead_unit: Mapped[Unit | None] = relationship(foreign_keys=[lead_unit_id])
    assisting_units: Mapped[list[Unit]] = relationship(secondary=item_assisting_unit)
    registered_by: Mapped[User] = relationship(foreign_keys=[registered_by_id])
    instructions: Mapped[list[Instruction]] = relationship(
        back_populates="item", order_by="Instruction.id"
    )
    feedback: Mapped[list[Feedback]] = relationship(back_populates="item", order_by="Feedback.id")
    reminders: Mapped[list[Reminder]] = relationship(back_populates="item", order_by="Reminder.id")
    extension_requests: Mapped[list[ExtensionRequest]] = relationship(
        back_populates="item", order_by="ExtensionRequest.id"
    )
    hand_back_requests: Mapped[list[HandBackRequest]] = relationship(
        back_populates="item", order_by="HandBackRequest.id"
    )
    parent: Mapped[SupervisionItem | None] = relationship(
        remote_side=[id], back_populates="children")
    children: Mapped[list[SupervisionItem]] = relationship(
        back_populates="parent", order_by="SupervisionItem.id")
    source_files: Mapped[list[SourceFile]] = relationship(
        back_populates="item", order_by="SourceFile.id")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="item", order_by="(Milestone.due_date, Milestone.id)")
    adjustments: Mapped[list[Adjustment]] = relationship(
        back_populates="item", order_by="Adjustment.id")

    def __repr__(self) -> str:
        return f"<SupervisionItem {self.code} {self.state}>"


class Instruction(db.Model):
    """领导批示: a leader's written instruction on an item."""

    __tablename__ = "instruction"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supervision_item.id"), index=True)
    leader_name: Mapped[str] = mapped_column(String(64))
    # the leader as a person of the bureau, when the name is linked (webapp/people)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    instructed_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[SupervisionItem] = relationship(back_populates="instructions")
    leader: Mapped[Person | None] = relationship()


class HandBackRequest(db.Model):
    """退回申请: the unit asks to hand an item back (wrong unit, not its duty)."""

    __tablename__ = "hand_back_request"
    __table_args__ = (Index("ix_hand_back_request_unit_requested", "unit_id", "requested_at"),
                      Index("ix_hand_back_request_requested", "requested_at", "item_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supervision_item.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[RequestState] = mapped_column(
        enum_column(RequestState, "hand_back_state"), default=RequestState.PENDING
    )
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    item: Mapped[SupervisionItem] = relationship(back_populates="hand_back_requests")
    unit: Mapped[Unit] = relationship()


class ExtensionRequest(db.Model):
    """延期申请: a new due date with a reason, approved by office or leader."""

    __tablename__ = "extension_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supervision_item.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    old_due_date: Mapped[date] = mapped_column(Date)
    requested_due_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[RequestState] = mapped_column(
        enum_column(RequestState, "extension_state"), default=RequestState.PENDING
    )
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    item: Mapped[SupervisionItem] = relationship(back_populates="extension_requests")


class Feedback(db.Model):
    """反馈: progress (阶段) or final (办结); final feedback is reviewed by the office."""

    __tablename__ = "feedback"
    __table_args__ = (
        # statistics per unit: returns per category, read from the index alone (stats.py)
        Index("ix_feedback_unit_review", "unit_id", "review_state", "reviewed_at",
              "return_category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supervision_item.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[FeedbackKind] = mapped_column(enum_column(FeedbackKind, "feedback_kind"))
    actions_taken: Mapped[str] = mapped_column(Text)  # 主要做法 (what was done)
    result: Mapped[str | None] = mapped_column(Text)  # 办理结果
    completed: Mapped[bool] = mapped_column(default=True)
    not_done_reason: Mapped[str | None] = mapped_column(Text)  # 未完成原因
    next_steps: Mapped[str | None] = mapped_column(Text)  # 下步措施
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    review_state: Mapped[ReviewState | None] = mapped_column(
        enum_column(ReviewState, "review_state")
    )
    review_note: Mapped[str | None] = mapped_column(Text)
    return_category: Mapped[ReturnReason | None] = mapped_column(
        enum_column(ReturnReason, "return_category"))
    figure: Mapped[str | None] = mapped_column(String(32))  # 量化数据, when the item asks one
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[SupervisionItem] = relationship(back_populates="feedback")
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    attachments: Mapped[list[FeedbackAttachment]] = relationship(
        back_populates="feedback", order_by="FeedbackAttachment.id"
    )


class FeedbackAttachment(db.Model):
    """An evidence file of a feedback; the bytes live in the media store under `sha256`."""

    __tablename__ = "feedback_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))  # the client's name: metadata only
    content_type: Mapped[str] = mapped_column(String(127))  # e.g. the OOXML types (71)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))

    feedback: Mapped[Feedback] = relationship(back_populates="attachments")


class Reminder(db.Model):
    """催办: every reminder is recorded and counted, phone calls included."""

    __tablename__ = "reminder"
    __table_args__ = (
        Index("ix_reminder_unit_created", "unit_id", "created_at"),
        Index("ix_reminder_created_item", "created_at", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supervision_item.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    channel: Mapped[ReminderChannel] = mapped_column(
        enum_column(ReminderChannel, "reminder_channel")
    )
    note: Mapped[str | None] = mapped_column(Text)
    automatic: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[SupervisionItem] = relationship(back_populates="reminders")


class SourceFile(db.Model):
    """批示件 / 来文 / 会议纪要: a scan (PDF or photo) of the item's source; bytes in the media
    store under `sha256`."""

    __tablename__ = "source_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supervision_item.id"), index=True)
    kind: Mapped[SourceKind] = mapped_column(enum_column(SourceKind, "source_kind"))
    filename: Mapped[str] = mapped_column(String(255))  # the client's name: metadata only
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[SupervisionItem] = relationship(back_populates="source_files")


class Milestone(db.Model):
    """节点: a dated step of an item, reminded like its deadline until the unit reports it."""

    __tablename__ = "milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supervision_item.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(Date, index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reached_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str | None] = mapped_column(Text)  # what the unit reported

    item: Mapped[SupervisionItem] = relationship(back_populates="milestones")


class Adjustment(db.Model):
    """调整: a change of an assigned item's facts, with a reason; pending while a leader's
    approval is required. `changes` maps each field to {"before": …, "after": …}."""

    __tablename__ = "adjustment"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supervision_item.id"), index=True)
    changes: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[RequestState] = mapped_column(
        enum_column(RequestState, "adjustment_state"), default=RequestState.PENDING)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    item: Mapped[SupervisionItem] = relationship(back_populates="adjustments")


class ItemDueDay(db.Model):
    """Items due on a day per lead unit — due (not cancelled), closed, closed on time — kept
    by database triggers in the same transaction as every change of an item (migration 0022),
    for the dashboard's twelve months (supervision/figures.py). `flask figures-check`
    compares it with the items and rebuilds it."""

    __tablename__ = "item_due_day"
    __table_args__ = (Index("ix_item_due_day_counts", "due_date", "unit_id", "due", "closed",
                            "on_time"),)

    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    unit_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    due: Mapped[int]
    closed: Mapped[int]
    on_time: Mapped[int]


class ItemUnitChange(db.Model):
    """The lead unit changed (转办 or 调整) on a local day: statistics count an item that fell
    due before the change for the unit that had it then (supervision/stats.py)."""

    __tablename__ = "item_unit_change"
    __table_args__ = (Index("ix_item_unit_change_item_day", "item_id", "changed_on"),
                      Index("ix_item_unit_change_day", "changed_on", "item_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supervision_item.id"))
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    changed_on: Mapped[date] = mapped_column(Date)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
