"""An assisting unit's input on an item, and its files (bytes in the media store)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.database import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.org.models import Unit


class AssistingInput(db.Model):
    __tablename__ = "assisting_input"
    __table_args__ = (Index("ix_assisting_input_item", "item_id", "submitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supervision_item.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    text: Mapped[str] = mapped_column(Text)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    files: Mapped[list[AssistingFile]] = relationship(order_by="AssistingFile.id")


class AssistingFile(db.Model):
    __tablename__ = "assisting_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    input_id: Mapped[int] = mapped_column(ForeignKey("assisting_input.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
