"""The admin's workflow policy: which items need a leader's 立项 approval before 交办, whether
the leader who wrote the 批示 confirms (复核) their 办结, and whether an 调整 needs a leader's
approval. One row; no row means the defaults (nothing required)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from webapp.audit import services as audit
from webapp.auth.models import Role, User
from webapp.database import UTCDateTime, utcnow
from webapp.errors import NotAllowed
from webapp.extensions import db
from webapp.supervision.models import Source, SupervisionItem

ROW_ID = 1


class WorkflowPolicy(db.Model):
    __tablename__ = "workflow_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    approval_sources: Mapped[list[str]] = mapped_column(JSON, default=list)  # Source values
    confirm_instructions: Mapped[bool] = mapped_column(default=False)
    adjust_needs_approval: Mapped[bool] = mapped_column(default=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class Policy:
    approval_sources: frozenset[Source] = frozenset()
    confirm_instructions: bool = False
    adjust_needs_approval: bool = False

    @property
    def approval_list(self) -> list[Source]:
        """The sources needing 立项, in the order the forms list them."""
        return [s for s in Source if s in self.approval_sources]

    def needs_approval(self, source: Source) -> bool:
        """立项: a leader approves items of this source before they are assigned."""
        return source in self.approval_sources

    def needs_confirmation(self, item: SupervisionItem) -> bool:
        """复核: the 办结 of a top-level item from a leader's 批示 waits for that leader."""
        return (self.confirm_instructions and item.parent_id is None
                and item.source == Source.LEADER_INSTRUCTION)


def current() -> Policy:
    row = db.session.get(WorkflowPolicy, ROW_ID)
    if row is None:
        return Policy()
    return Policy(frozenset(Source(s) for s in row.approval_sources or ()
                            if s in Source._value2member_map_),
                  row.confirm_instructions, row.adjust_needs_approval)


def update(*, actor: User | None, approval_sources: list[Source], confirm_instructions: bool,
           adjust_needs_approval: bool) -> Policy:
    """The admin sets the policy (recorded in the audit log). `actor` None: seeding."""
    if actor is not None and actor.role != Role.ADMIN:
        raise NotAllowed("只有系统管理员可以设置审批规则")
    row = db.session.get(WorkflowPolicy, ROW_ID)
    if row is None:
        row = WorkflowPolicy(id=ROW_ID)
        db.session.add(row)
    row.approval_sources = [str(s) for s in Source if s in set(approval_sources)]
    row.confirm_instructions, row.adjust_needs_approval = confirm_instructions, \
        adjust_needs_approval
    row.updated_by_id, row.updated_at = (actor.id if actor else None), utcnow()
    db.session.flush()
    audit.record("workflow.policy", object_type="workflow_policy", object_id=ROW_ID, actor=actor,
                 details={"approval_sources": row.approval_sources,
                          "confirm_instructions": confirm_instructions,
                          "adjust_needs_approval": adjust_needs_approval})
    return current()
