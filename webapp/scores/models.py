"""考核 (unit scores): periods with their own rules, the office's 表扬 / 通报批评 records, the
frozen result of a period (one snapshot row per unit) and the units' 申诉 (appeals)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.database import UTCDateTime, enum_column, utcnow
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.org.models import Unit


class ReasonKind(Labelled):
    """A reason line of a unit's score: what it counts (the sign is the rule's)."""

    OVERDUE = "overdue", "逾期"
    RETURNED = "returned", "反馈被退回重办"
    CRITICISM = "criticism", "通报批评"
    PRAISE = "praise", "表扬"
    EARLY_CLOSE = "early_close", "提前办结"


class CitationKind(Labelled):
    """What the office recorded about a unit."""

    PRAISE = "praise", "表扬"
    CRITICISM = "criticism", "通报批评"


class AppealState(Labelled):
    PENDING = "pending", "待处理"
    ACCEPTED = "accepted", "已采纳"
    REJECTED = "rejected", "未采纳"


class ScorePeriod(db.Model):
    """考核周期: a month, quarter or year (any dates), scored by its own rules (`rules`, see
    scores/rules.py). Frozen: the result is the stored snapshot, not the live data."""

    __tablename__ = "score_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    rules: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the snapshot's time

    snapshots: Mapped[list[ScoreSnapshot]] = relationship(
        back_populates="period", order_by="ScoreSnapshot.id")

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None


class ScoreSnapshot(db.Model):
    """A frozen period's computed result for one unit: its reason lines as they were."""

    __tablename__ = "score_snapshot"
    __table_args__ = (UniqueConstraint("period_id", "unit_id", name="uq_score_snapshot_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("score_period.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    lines: Mapped[list] = mapped_column(JSON)  # [{kind, points, count, detail, entries}]

    period: Mapped[ScorePeriod] = relationship(back_populates="snapshots")


class UnitCitation(db.Model):
    """表扬 / 通报批评 of a unit, entered by the office, optionally naming an item and the
    issued document (文号)."""

    __tablename__ = "unit_citation"
    __table_args__ = (Index("ix_unit_citation_day", "cited_on", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[CitationKind] = mapped_column(enum_column(CitationKind, "citation_kind"))
    cited_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_item.id"))
    doc_number: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()


class ScoreAppeal(db.Model):
    """申诉: a unit disputes one reason line of its score; the office or a leader accepts it
    (with the line's points as decided) or rejects it, with a comment."""

    __tablename__ = "score_appeal"
    __table_args__ = (Index("ix_score_appeal_period_unit", "period_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("score_period.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[ReasonKind] = mapped_column(enum_column(ReasonKind, "appeal_reason_kind"))
    reason: Mapped[str] = mapped_column(Text)
    points_before: Mapped[float] = mapped_column(Float)  # the line's points when filed
    state: Mapped[AppealState] = mapped_column(enum_column(AppealState, "appeal_state"),
                                               default=AppealState.PENDING)
    points: Mapped[float | None] = mapped_column(Float)  # the line's points when accepted
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str | None] = mapped_column(Text)

    period: Mapped[ScorePeriod] = relationship()
    unit: Mapped[Unit] = relationship()
