"""Days an admin sets by hand: a holiday or a working day the package does not know (yet)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.database import UTCDateTime, utcnow
from webapp.extensions import db


class CalendarDay(db.Model):
    """One day set by an admin; it wins over the package and over the weekend rule."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool]
    note: Mapped[str | None] = mapped_column(String(100))  # 春节, 国庆节调休上班
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
