"""People (人员) of the bureau: a unit's person (name, post, mobile, e-mail), optionally an
account. An item's 分管领导, 第一责任人 and 直接责任人 point at a Person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.database import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.org.models import Unit


class Person(db.Model):
    """One person. `unit_id` None: the bureau itself (局领导, the office's staff)."""

    __tablename__ = "person"
    __table_args__ = (Index("ix_person_unit_name", "unit_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    name: Mapped[str] = mapped_column(String(64))
    post: Mapped[str | None] = mapped_column(String(64))  # 职务: 所长, 副大队长, 局长
    mobile: Mapped[str | None] = mapped_column(String(32))  # for SMS / 警务通
    email: Mapped[str | None] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        """张伟（城关派出所 所长）: how a list or a choice names the person."""
        where = " ".join(p for p in (self.unit.name if self.unit else "局机关", self.post) if p)
        return f"{self.name}（{where}）"

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.name}>"
