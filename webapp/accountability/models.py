"""问责 records: a 约谈, a 通报批评 or a 记分 (with points) of one person, linked to the items
that called for it and to the documents issued about it. Never deleted: a record made in error
is 撤销 (revoked) with a reason, and stays on the person's history marked so."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.database import UTCDateTime, enum_column, utcnow
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.org.models import Unit
from webapp.people.models import Person
from webapp.supervision.models import ItemRole, SupervisionItem

MIN_POINTS, MAX_POINTS = 1, 12  # 记分: a whole number of points per record


class AccountabilityKind(Labelled):
    INTERVIEW = "interview", "约谈"
    CRITICISM = "criticism", "通报批评"
    POINTS = "points", "记分"


class Accountability(db.Model):
    """One 问责 of one person. `unit_id`: the person's unit when recorded (None: 局机关)."""

    __tablename__ = "accountability"
    __table_args__ = (
        CheckConstraint(
            f"(kind = 'points' AND points BETWEEN {MIN_POINTS} AND {MAX_POINTS}) "
            "OR (kind <> 'points' AND points IS NULL)", name="points_only_for_points"),
        Index("ix_accountability_decided_on", "decided_on"),
        Index("ix_accountability_person_decided_on", "person_id", "decided_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[AccountabilityKind] = mapped_column(
        enum_column(AccountabilityKind, "accountability_kind"))
    points: Mapped[int | None]
    decided_on: Mapped[date] = mapped_column(Date)
    facts: Mapped[str] = mapped_column(Text)  # 事实与理由
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship()
    unit: Mapped[Unit | None] = relationship()
    decided_by: Mapped[User] = relationship(foreign_keys=[decided_by_id])
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    items: Mapped[list[AccountabilityItem]] = relationship(
        back_populates="record", order_by="AccountabilityItem.item_id",
        cascade="all, delete-orphan")
    documents: Mapped[list[AccountabilityDocument]] = relationship(
        back_populates="record", order_by="AccountabilityDocument.document_id",
        cascade="all, delete-orphan")

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def summary(self) -> str:
        """记分 3 分 / 约谈 / 通报批评."""
        return f"{self.kind.label} {self.points} 分" if self.points else self.kind.label

    def __repr__(self) -> str:
        return f"<Accountability {self.id} {self.kind} person={self.person_id}>"


class AccountabilityItem(db.Model):
    """An item a record is about, and the role the person held on it when recorded."""

    __tablename__ = "accountability_item"

    record_id: Mapped[int] = mapped_column(ForeignKey("accountability.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supervision_item.id"), primary_key=True,
                                         index=True)
    role: Mapped[ItemRole] = mapped_column(enum_column(ItemRole, "accountability_item_role"))

    record: Mapped[Accountability] = relationship(back_populates="items")
    item: Mapped[SupervisionItem] = relationship()


class AccountabilityDocument(db.Model):
    """A document issued about the record (the 通报, the 约谈 notice)."""

    __tablename__ = "accountability_document"

    record_id: Mapped[int] = mapped_column(ForeignKey("accountability.id"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), primary_key=True)

    record: Mapped[Accountability] = relationship(back_populates="documents")
    document: Mapped[Document] = relationship()
