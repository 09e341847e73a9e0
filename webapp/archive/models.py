"""Archive records (归档): signed, stamped scans of issued documents with their hashes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.database import UTCDateTime, utcnow
from webapp.documents.models import Document
from webapp.extensions import db


class ArchiveRecord(db.Model):
    """One archived file: 档号, the document it is the signed copy of, SHA-256, who and when."""

    __tablename__ = "archive_record"
    __table_args__ = (
        UniqueConstraint("year", "sequence", name="uq_archive_record_year_sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    archive_code: Mapped[str] = mapped_column(String(40), unique=True)  # DB·2026·Y·0012
    year: Mapped[int]
    sequence: Mapped[int]
    retention: Mapped[str] = mapped_column(String(8))  # a Retention value
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), unique=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_item.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    sm3: Mapped[str | None] = mapped_column(String(64))  # GB/T 32905, beside the SHA-256
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(255))  # the client's name: metadata
    note: Mapped[str | None] = mapped_column(Text)
    archived_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    archived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_on: Mapped[date] = mapped_column(Date)  # local date (Asia/Shanghai)

    document: Mapped[Document] = relationship()
    archived_by: Mapped[User] = relationship()
