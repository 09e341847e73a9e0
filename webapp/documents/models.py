"""Documents (公文): issued documents with their numbers and stored files; issuer settings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from webapp.auth.models import User
from webapp.database import UTCDateTime, enum_column, utcnow
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.supervision.models import SupervisionItem


class DocumentKind(Labelled):
    """The built-in kinds; what each is and does is its row in webapp/documents/kinds.py."""

    NOTICE = "notice", "督办通知"
    REMINDER = "reminder", "催办通知"
    CIRCULAR = "circular", "通报"
    CLOSING_REPORT = "closing_report", "办结报告"
    INSPECTION_RECORD = "inspection_record", "暗访检查记录"


class KindColumn(TypeDecorator):
    """A document's kind: stored as its name, read back as the name of its row in the kind
    table (webapp/documents/kinds.py), so `doc.kind.label` is the 文种. The table, not a CHECK
    constraint, says which kinds exist: a new kind needs no migration."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else str(value)

    def process_result_value(self, value, dialect):
        from webapp.documents.kinds import find

        kind = find(value)
        return kind.name if kind is not None else value


class DocumentState(Labelled):
    ISSUED = "issued", "已印发"
    VOIDED = "voided", "已作废"  # 已作废 (the number stays on record)


class DraftState(Labelled):
    """A draft that needs 签发: 拟稿 → 核稿 → 签发 (webapp/documents/signoff.py)."""

    DRAFTED = "drafted", "待核稿"
    CHECKED = "checked", "待签发"
    RETURNED = "returned", "已退回"
    SIGNED = "signed", "已签发"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_DRAFT_STATES = frozenset({DraftState.DRAFTED, DraftState.CHECKED, DraftState.RETURNED})


class Retention(Labelled):
    """保管期限: the retention code in the 档号."""

    PERMANENT = "Y", "永久"
    YEARS_30 = "D30", "定期30年"
    YEARS_10 = "D10", "定期10年"


class Document(db.Model):
    """An issued document: its number, the exact data it was rendered from, and its files."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("issuer_code", "year", "sequence",
                         name="uq_document_issuer_code_year_sequence"),
        Index("ix_document_item_id", "item_id"),
        Index("ix_document_issued_at", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(KindColumn())
    item_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_item.id"))
    # The inspection a 暗访检查记录 records: an id kept with the document, as issued.
    inspection_id: Mapped[int | None]
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(300))
    doc_number: Mapped[str] = mapped_column(String(64), unique=True)
    issuer_code: Mapped[str] = mapped_column(String(32))
    year: Mapped[int]
    sequence: Mapped[int]
    state: Mapped[DocumentState] = mapped_column(
        enum_column(DocumentState, "document_state"), default=DocumentState.ISSUED
    )
    void_reason: Mapped[str | None] = mapped_column(Text)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 档号 of the signed copy once the archive filed it (webapp.archive): then never voided.
    archive_code: Mapped[str | None] = mapped_column(String(40))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    data_json: Mapped[str] = mapped_column(Text)  # the plain data rendered, canonical JSON
    issuer_json: Mapped[str] = mapped_column(Text)  # the issuer as it was at issue time
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_sm3: Mapped[str | None] = mapped_column(String(64))  # GB/T 32905, beside the SHA-256
    pdf_size: Mapped[int | None]
    docx_sha256: Mapped[str | None] = mapped_column(String(64))
    docx_sm3: Mapped[str | None] = mapped_column(String(64))
    docx_size: Mapped[int | None]
    # 扫码验真: the random code of the document's verify URL (<base>/v/<code>), unguessable, so
    # only who holds the document can ask about it
    verify_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    render_error: Mapped[str | None] = mapped_column(Text)
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # 签发人
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[SupervisionItem | None] = relationship()
    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    voided_by: Mapped[User | None] = relationship(foreign_keys=[voided_by_id])
    replaces: Mapped[Document | None] = relationship(remote_side=[id])

    @property
    def rendered(self) -> bool:
        return self.pdf_sha256 is not None and self.docx_sha256 is not None

    def __repr__(self) -> str:
        return f"<Document {self.doc_number} {self.kind} {self.state}>"


class DocumentDraft(db.Model):
    """稿件: a document of a kind that needs a leader's 签发, before it takes a number. It keeps
    the office's choices and the exact data the leader reads and signs."""

    __tablename__ = "document_draft"
    __table_args__ = (Index("ix_document_draft_state", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(KindColumn())
    item_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_item.id"), index=True)
    inspection_id: Mapped[int | None]
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(300))
    options_json: Mapped[str] = mapped_column(Text)  # the office's choices (JSON)
    data_json: Mapped[str] = mapped_column(Text)  # the data to sign, canonical JSON
    state: Mapped[DraftState] = mapped_column(enum_column(DraftState, "draft_state"),
                                              default=DraftState.DRAFTED)
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))  # 拟稿
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # 核稿
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # asked to sign
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str | None] = mapped_column(Text)  # the leader's, when returned
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))  # a correction
    replace_reason: Mapped[str | None] = mapped_column(Text)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))  # once signed

    item: Mapped[SupervisionItem | None] = relationship()
    drafted_by: Mapped[User] = relationship(foreign_keys=[drafted_by_id])
    checked_by: Mapped[User | None] = relationship(foreign_keys=[checked_by_id])
    signer: Mapped[User | None] = relationship(foreign_keys=[signer_id])
    replaces: Mapped[Document | None] = relationship(foreign_keys=[replaces_id])
    document: Mapped[Document | None] = relationship(foreign_keys=[document_id])

    @property
    def ref(self) -> str:
        """How the to-do and the messages name it."""
        return f"稿件{self.id}"


class IssuerSettings(db.Model):
    """发文机关 settings (one row), edited by the admin; snapshotted into every document."""

    __tablename__ = "issuer_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    mark: Mapped[str] = mapped_column(String(100))  # 发文机关标志 text
    add_wenjian: Mapped[bool] = mapped_column(default=True)  # followed by "文件"
    code: Mapped[str] = mapped_column(String(32))  # 机关代字, e.g. 某公督
    letter_kinds: Mapped[str] = mapped_column(String(200), default="")  # comma list
    signoff_kinds: Mapped[str] = mapped_column(String(200), default="")  # need 签发; comma list
    signature: Mapped[str | None] = mapped_column(String(100))  # 署名
    contact_name: Mapped[str | None] = mapped_column(String(64))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    cc: Mapped[str | None] = mapped_column(Text)  # 抄送, one per line
    printer: Mapped[str | None] = mapped_column(String(100))  # 印发机关
    font_paths: Mapped[str] = mapped_column(Text, default="{}")  # JSON: slot -> path
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
