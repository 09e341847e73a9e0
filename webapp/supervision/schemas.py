"""The items API's bodies and answers, declared once: they check what clients send and what
we answer, and the OpenAPI document is generated from them (webapp.api.declare)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from webapp.api.declare import Body, Day, DayText, Id, Out, TimeText
from webapp.supervision.lights import Light
from webapp.supervision.models import (
    MANUAL_CHANNELS,
    Evidence,
    ItemState,
    ReturnReason,
    Source,
    SourceKind,
    Urgency,
)

# --- bodies ---------------------------------------------------------------------------------


class AssignBody(Body):
    """交办: lead unit, assisting units, responsible people, deadline."""

    service_fields: ClassVar[dict[str, str]] = {"lead_unit": "lead_unit_id",
                                                "assisting_units": "assisting_unit_ids"}

    lead_unit_id: Id = Field(title="承办单位", description="承办单位 id")
    assisting_unit_ids: list[Id] | None = Field(None, title="协办单位", description="协办单位 ids")
    # Each person by id (GET /people), or by name for older clients: a name matching exactly
    # one of the unit's people is linked to them, any other is kept as a legacy name.
    supervising_leader_id: Id | None = Field(None, title="分管领导",
                                             description="a person of the bureau (no unit)")
    supervising_leader: str | None = Field(None, title="分管领导", description="or a name")
    first_responsible_id: Id | None = Field(None, title="第一责任人",
                                            description="a person of the lead unit")
    first_responsible: str | None = Field(None, title="第一责任人",
                                          description="or a name; one of the two is required")
    direct_responsible_id: Id | None = Field(None, title="直接责任人",
                                             description="a person of the lead unit")
    direct_responsible: str | None = Field(None, title="直接责任人",
                                           description="or a name; one of the two is required")
    due_date: Day = Field(title="办理时限", description="not in the past")
    evidence: list[Evidence] | None = Field(
        None, title="证据要求", description="what the 办结反馈 must carry")
    evidence_figure: str | None = Field(
        None, title="数据名称", description="the number asked, required with `figure`")

    def service_args(self) -> dict[str, Any]:
        people = {role: getattr(self, f"{role}_id") or getattr(self, role)
                  for role in ("supervising_leader", "first_responsible", "direct_responsible")}
        return {"lead_unit": self.lead_unit_id, "assisting_units": self.assisting_unit_ids or (),
                "due_date": self.due_date, "evidence_required": self.evidence or (),
                "evidence_figure": self.evidence_figure, **people}


class ChildBody(AssignBody):
    """One sub-item: its unit, deadline and people as 交办 takes them; its own title and
    requirements (default: the parent's)."""

    title: str | None = Field(None, title="子事项标题", description="default: the parent's")
    requirements: str | None = Field(None, title="办理要求", description="default: the parent's")

    def service_args(self) -> dict[str, Any]:
        return {**super().service_args(), "title": self.title,
                "requirements": self.requirements}


class SplitBody(Body):
    """分解交办: one sub-item per unit (or per task)."""

    children: list[ChildBody] = Field(title="子事项", min_length=1, max_length=50)


class CloseBody(Body):
    """办结 of a split item; a reason is required while sub-items are open."""

    reason: str | None = Field(None, title="提前办结理由")


class SubmitApprovalBody(Body):
    """提请立项 takes no fields."""


class AdjustBody(Body):
    """调整: only the fields sent change (null or "" clears 办理要求 and 分管领导)."""

    service_fields: ClassVar[dict[str, str]] = {"lead_unit": "lead_unit_id",
                                                "assisting_units": "assisting_unit_ids",
                                                "evidence_required": "evidence"}

    reason: str = Field(title="调整理由")
    title: str | None = Field(None, title="标题")
    content: str | None = Field(None, title="事项内容")
    requirements: str | None = Field(None, title="办理要求")
    lead_unit_id: Id | None = Field(None, title="承办单位",
                                    description="the new unit must 签收 anew")
    assisting_unit_ids: list[Id] | None = Field(None, title="协办单位")
    supervising_leader_id: Id | None = Field(None, title="分管领导")
    supervising_leader: str | None = Field(None, title="分管领导", description="or a name")
    first_responsible_id: Id | None = Field(None, title="第一责任人")
    first_responsible: str | None = Field(
        None, title="第一责任人", description="or a name; required when the unit changes")
    direct_responsible_id: Id | None = Field(None, title="直接责任人")
    direct_responsible: str | None = Field(
        None, title="直接责任人", description="or a name; required when the unit changes")
    evidence: list[Evidence] | None = Field(None, title="证据要求")
    evidence_figure: str | None = Field(None, title="数据名称")

    def service_args(self) -> dict[str, Any]:
        sent = self.model_fields_set
        args: dict[str, Any] = {"reason": self.reason}
        for name in ("title", "content", "requirements"):
            if name in sent:
                args[name] = getattr(self, name)
        if "lead_unit_id" in sent:
            args["lead_unit"] = self.lead_unit_id
        if "assisting_unit_ids" in sent:
            args["assisting_units"] = self.assisting_unit_ids or []
        for role in ("supervising_leader", "first_responsible", "direct_responsible"):
            if f"{role}_id" in sent or role in sent:
                args[role] = getattr(self, f"{role}_id") or getattr(self, role)
        if "evidence" in sent:
            args["evidence_required"] = self.evidence or []
            args["evidence_figure"] = self.evidence_figure
        return args


class AddMilestoneBody(Body):
    """设置节点: a name and a date (not after the deadline)."""

    title: str = Field(title="节点名称")
    due_date: Day = Field(title="节点日期")


class ReachMilestoneBody(Body):
    """节点完成: which milestone, and what was done."""

    milestone_id: Id = Field(title="节点")
    note: str | None = Field(None, title="完成情况")


class InstructionBody(Body):
    text: str = Field(title="批示内容")
    leader: str = Field(title="批示领导")
    date: Day = Field(title="批示日期")


class RegisterBody(Body):
    """登记, optionally with 交办 in the same call (all or nothing)."""

    service_fields: ClassVar[dict[str, str]] = {"instruction_text": "instruction.text",
                      "instruction_leader": "instruction.leader",
                      "instruction_date": "instruction.date"}

    title: str = Field(title="标题")
    content: str = Field(title="事项内容")
    source: Source = Field(title="来源")
    urgency: Urgency | None = Field(None, title="缓急", description="default normal")
    source_ref: str | None = Field(None, title="来文/批示编号")
    requirements: str | None = Field(None, title="办理要求")
    instruction: InstructionBody | None = Field(
        None, title="领导批示", description="required when source is leader_instruction")
    assign: AssignBody | None = Field(None, title="交办", description="交办 in the same call")

    def service_args(self) -> dict[str, Any]:
        ins = self.instruction
        return {"title": self.title, "content": self.content, "source": self.source,
                "urgency": self.urgency or Urgency.NORMAL, "source_ref": self.source_ref,
                "requirements": self.requirements,
                "instruction_text": ins.text if ins else None,
                "instruction_leader": ins.leader if ins else None,
                "instruction_date": ins.date if ins else None}


class AcknowledgeBody(Body):
    """签收 takes no fields (an empty body or {})."""


class ReasonBody(Body):
    reason: str = Field(title="理由")


class RequestHandBackBody(ReasonBody):
    """申请退回: why the item is not the unit's."""


class ReturnBody(ReasonBody):
    """退回重办: the category of what the feedback lacks, and the reason."""

    category: ReturnReason | None = Field(None, title="退回原因类别",
                                          description="default other (其他)")


class CancelBody(ReasonBody):
    """撤销: why the item is withdrawn (it stays on record)."""


class DecisionBody(Body):
    approve: bool = Field(title="是否同意", description="同意 (true) or 不同意 (false)")
    note: str | None = Field(None, title="意见", description="required when refusing")


class DecideExtensionBody(DecisionBody):
    """审批延期: approve (the due date moves) or refuse."""


class DecideApprovalBody(DecisionBody):
    """立项审批: approve (the office may assign it) or return it with a comment."""


class ConfirmBody(DecisionBody):
    """复核: confirm the 办结, or send it back with a comment."""


class DecideAdjustmentBody(DecisionBody):
    """审批调整: approve (applied now) or refuse."""


class DecideHandBackBody(DecisionBody):
    """处理退回申请: approve (转办 to a new lead unit) or refuse."""

    service_fields: ClassVar[dict[str, str]] = {"new_lead_unit": "new_lead_unit_id"}

    new_lead_unit_id: Id | None = Field(None, title="新的承办单位",
                                        description="required to approve")
    due_date: Day | None = Field(None, title="新的办理时限")


class RequestExtensionBody(Body):
    new_due_date: Day = Field(title="申请延至的日期", description="after the due date")
    reason: str = Field(title="延期理由")


class AttachmentRef(Body):
    sha256: str = Field(title="附件", description="upload_id from the upload")
    filename: str | None = Field(None, title="附件名称",
                                 description="name shown (default: the uploaded name)")


class FeedbackBody(Body):

    actions_taken: str = Field(title="主要做法")
    result: str | None = Field(None, title="办理结果",
                               description="required for a completed final feedback")
    completed: bool | None = Field(None, title="是否完成", description="default true")
    not_done_reason: str | None = Field(None, title="未完成原因",
                                        description="required when not completed")
    next_steps: str | None = Field(None, title="下步措施",
                                   description="required when not completed")
    attachments: list[AttachmentRef] | None = Field(
        None, title="附件",
        description="evidence uploaded before through /items/{code}/attachments")
    figure: str | None = Field(None, title="量化数据",
                               description="the number the item asks for (evidence_figure)")


class SubmitProgressBody(FeedbackBody):
    """阶段反馈: what was done so far."""


class SubmitFinalBody(FeedbackBody):
    """办结反馈: the result; the item goes to the office's review."""


class AcceptBody(Body):
    opinion: str | None = Field(None, title="审核意见")


class RemindBody(Body):
    channel: Literal[tuple(c.value for c in MANUAL_CHANNELS)] = Field(  # type: ignore[valid-type]
        title="催办方式", description="a 催办通知 is issued as a document instead")
    note: str | None = Field(None, title="催办说明")


class InstructBody(Body):
    service_fields: ClassVar[dict[str, str]] = {"instructed_on": "date"}

    text: str = Field(title="批示内容")
    date: Day | None = Field(None, title="批示日期", description="default today")


# --- answers --------------------------------------------------------------------------------


class UnitRef(Out):
    id: int
    name: str


class ItemSummary(Out):
    """One item as a list shows it"""

    code: str
    title: str
    state: ItemState
    state_label: str
    source: Source
    source_label: str
    urgency: Urgency
    urgency_label: str
    lead_unit: UnitRef | None
    due_date: DayText | None
    light: Light
    light_label: str
    registered_at: TimeText


class RequestRow(Out):
    id: int
    unit_id: int
    reason: str
    state: str
    state_label: str
    requested_at: TimeText
    decided_at: TimeText | None
    decision_note: str | None
    old_due_date: DayText | None = None
    requested_due_date: DayText | None = None


class Requests(Out):
    hand_back: list[RequestRow]
    extension: list[RequestRow]


class AttachmentRow(Out):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str


class FeedbackRow(Out):
    id: int
    kind: Literal["progress", "final"]
    unit_id: int
    actions_taken: str
    result: str | None
    completed: bool
    not_done_reason: str | None
    next_steps: str | None
    submitted_by: str
    submitted_at: TimeText
    review_state: str | None
    review_note: str | None
    return_category: ReturnReason | None
    figure: str | None
    reviewed_at: TimeText | None
    attachments: list[AttachmentRow]


class ReminderRow(Out):
    id: int
    channel: str
    channel_label: str
    note: str | None
    automatic: bool
    created_at: TimeText


class InstructionRow(Out):
    id: int
    leader: str
    text: str
    date: DayText
    recorded_at: TimeText


class Actor(Out):
    name: str
    role: str


class TimelineRow(Out):
    at: TimeText
    action: str
    label: str
    actor: Actor | None
    details: dict[str, Any]


class ItemRef(Out):
    code: str
    title: str
    state: ItemState
    state_label: str


class ChildRow(ItemRef):
    lead_unit: UnitRef | None
    due_date: DayText | None
    light: Light
    light_label: str


class Progress(Out):
    total: int
    closed: int
    cancelled: int
    open: int


class SourceFileRow(Out):
    """A scanned 批示件, 来文 or 会议纪要 on file"""

    id: int
    kind: SourceKind
    kind_label: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: TimeText


class MilestoneRow(Out):
    id: int
    title: str
    due_date: DayText
    reached_at: TimeText | None
    note: str | None


class AdjustmentRow(Out):
    id: int
    state: str
    state_label: str
    reason: str
    changes: dict[str, list[str]] = Field(description="字段 -> [before, after]")
    requested_at: TimeText
    decided_at: TimeText | None
    decision_note: str | None


class Item(ItemSummary):
    """Everything about one item that the caller may see, and what they may do now"""

    content: str
    source_ref: str | None
    requirements: str | None
    assisting_units: list[UnitRef]
    supervising_leader: str | None
    supervising_leader_id: int | None = Field(description="the person, when the name is linked")
    first_responsible: str | None
    first_responsible_id: int | None
    direct_responsible: str | None
    direct_responsible_id: int | None
    original_due_date: DayText | None
    assigned_at: TimeText | None
    acknowledged_at: TimeText | None
    closed_at: TimeText | None
    closed_on: DayText | None
    cancelled_at: TimeText | None
    cancel_reason: str | None
    archived_at: TimeText | None
    review_opinion: str | None
    parent: ItemRef | None = Field(description="the item this sub-item was split from")
    approval_required: bool = Field(description="立项 by a leader before 交办")
    approved_at: TimeText | None
    approval_note: str | None
    confirmed_at: TimeText | None = Field(description="复核 by the 批示 leader")
    confirmation_note: str | None
    evidence_required: list[Evidence]
    evidence_figure: str | None
    allowed_actions: list[str] = Field(
        description="actions this user may take now: exactly those that would succeed")
    instructions: list[InstructionRow]
    requests: Requests
    feedback: list[FeedbackRow]
    reminders: list[ReminderRow]
    children: list[ChildRow] = Field(description="sub-items (分解), with their states")
    progress: Progress | None
    source_files: list[SourceFileRow] = Field(
        description="批示件/来文: a sub-item's parent's first, then its own")
    milestones: list[MilestoneRow]
    adjustments: list[AdjustmentRow]
    timeline: list[TimelineRow]


class ItemPage(Out):
    """One page of items"""

    items: list[ItemSummary]
    total: int
    page: int
    per_page: int
    pages: int


class ItemCount(Out):
    """How many items match"""

    total: int


class Upload(Out):
    """A stored evidence file; refer to it by sha256 in submit_*"""

    upload_id: str
    sha256: str
    filename: str
    size: int
    content_type: str


class SplitResult(Out):
    """The sub-items made, and the split item"""

    children: list[str] = Field(description="the sub-items' codes")
    item: Item
