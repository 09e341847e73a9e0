"""周期事项: an item that repeats (a monthly report by the 5th, quarterly, yearly) — each
period its own supervision item — and the feedback cadence of an open item (每周一报进展)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.database import UTCDateTime, enum_column, utcnow
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.org.models import Unit
from webapp.supervision.models import Source, SupervisionItem, Urgency


class Frequency(Labelled):
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"
    YEARLY = "yearly", "每年"


recurrence_assisting_unit = Table(
    "recurrence_assisting_unit",
    db.metadata,
    Column("recurrence_id", ForeignKey("recurrence.id"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id"), primary_key=True),
)


class Recurrence(db.Model):
    """What each period's item is (content, unit, people) and when (the rule, start, end).

    The deadline of a period is either day `due_day` of the period's `due_month`-th month
    (moved to the next working day when it is not one), or its `due_working_days`-th
    working day (recurring/rules.py)."""

    __tablename__ = "recurrence"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    source: Mapped[Source] = mapped_column(enum_column(Source, "recurrence_source"))
    urgency: Mapped[Urgency] = mapped_column(enum_column(Urgency, "recurrence_urgency"))
    requirements: Mapped[str | None] = mapped_column(Text)
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    # the people each period's item names: the person when known, and the name (as on items)
    supervising_leader_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    supervising_leader: Mapped[str | None] = mapped_column(String(64))
    first_responsible_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    first_responsible: Mapped[str | None] = mapped_column(String(64))
    direct_responsible_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    direct_responsible: Mapped[str | None] = mapped_column(String(64))

    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency, "frequency"))
    due_month: Mapped[int] = mapped_column(default=1)  # 1 … months in a period
    due_day: Mapped[int | None]  # 1 … 31 (the month's last day when shorter)
    due_working_days: Mapped[int | None]
    cadence_days: Mapped[int | None]  # each period's item: progress every N days
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)

    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stop_reason: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)  # why the last period was not made

    lead_unit: Mapped[Unit] = relationship()
    assisting_units: Mapped[list[Unit]] = relationship(secondary=recurrence_assisting_unit)
    periods: Mapped[list[RecurringPeriod]] = relationship(
        back_populates="recurrence", order_by="RecurringPeriod.period_start")


class RecurringPeriod(db.Model):
    """One period of a recurrence and the item made for it (unique: made once)."""

    __tablename__ = "recurring_period"
    __table_args__ = (UniqueConstraint("recurrence_id", "period_start",
                                       name="uq_recurring_period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recurrence_id: Mapped[int] = mapped_column(ForeignKey("recurrence.id"))
    period_start: Mapped[date] = mapped_column(Date)
    item_id: Mapped[int] = mapped_column(ForeignKey("supervision_item.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recurrence: Mapped[Recurrence] = relationship(back_populates="periods")
    item: Mapped[SupervisionItem] = relationship()


class FeedbackCadence(db.Model):
    """进展报送周期: the lead unit reports progress every `every_days` days from `start_on`;
    a report due on a non-working day is due on the next working day (recurring/rules.py)."""

    __tablename__ = "feedback_cadence"

    item_id: Mapped[int] = mapped_column(ForeignKey("supervision_item.id"), primary_key=True)
    every_days: Mapped[int]
    start_on: Mapped[date] = mapped_column(Date)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
