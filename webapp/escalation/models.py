"""Escalation rules (升级规则) the office configures, and the steps taken (one per rule, item
and deadline — or per day for repeats), which make `tick` idempotent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.database import UTCDateTime, utcnow
from webapp.extensions import db


class EscalationRule(db.Model):
    """One rule; what it does is named by `key` (escalation/rules.py), when by the numbers."""

    __tablename__ = "escalation_rule"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    working_days: Mapped[int]  # before (−) or after (+) the deadline, in working days
    every: Mapped[int | None]  # repeats: every N working days
    active: Mapped[bool] = mapped_column(default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EscalationStep(db.Model):
    """A rule applied to an item: for its deadline (`due_date`), and for repeats its day."""

    __tablename__ = "escalation_step"
    __table_args__ = (
        UniqueConstraint("item_id", "rule", "due_date", "on_day",
                         name="uq_escalation_step_item_id"),
        Index("ix_escalation_step_rule_created", "rule", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supervision_item.id"))
    rule: Mapped[str] = mapped_column(String(32))
    due_date: Mapped[date] = mapped_column(Date)
    on_day: Mapped[date] = mapped_column(Date)  # a repeat's day; for one-off rules the due date
    overdue_days: Mapped[int]  # working days past the deadline then (negative: before)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
