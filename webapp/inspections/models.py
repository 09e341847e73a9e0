"""Inspections (暗访检查): checklists, checklist results, findings and photo evidence."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.auth.models import User
from webapp.database import UTCDateTime, enum_column, utcnow
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.org.models import Unit, UnitKind
from webapp.supervision.models import SupervisionItem


class InspectionMode(Labelled):
    UNANNOUNCED = "unannounced", "暗访"
    OPEN = "open", "明察"
    SPECIAL = "special", "专项检查"


class InspectionState(Labelled):
    DRAFT = "draft", "草稿"  # 草稿 (the phone is still sending)
    SUBMITTED = "submitted", "已提交"  # 已提交 (every photo in)
    PUBLISHED = "published", "已发布"  # 已发布 (the unit may see the result)


class CheckResult(Labelled):
    PASS = "pass", "符合"
    FAIL = "fail", "不符合"
    NA = "na", "不适用"


class FindingCategory(Labelled):
    DISCIPLINE = "discipline", "纪律作风"
    SERVICE = "service", "服务态度"
    EFFICIENCY = "efficiency", "办事效率"
    ENVIRONMENT = "environment", "窗口环境"
    SECURITY = "security", "安全防范"
    LAW_ENFORCEMENT = "law_enforcement", "执法规范"
    OTHER = "other", "其他"


class Severity(Labelled):
    MINOR = "minor", "一般"
    MODERATE = "moderate", "较重"
    SERIOUS = "serious", "严重"


class Inspection(db.Model):
    """One visit to a unit; `uuid` is made by the phone, `body_hash` tells replays apart."""

    __tablename__ = "inspection"
    __table_args__ = (
        Index("ix_inspection_state_unit", "state", "target_unit_id"),
        Index("ix_inspection_started_at", "started_at"),
        Index("ix_inspection_unit_place", "target_unit_id", "place", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    target_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    mode: Mapped[InspectionMode] = mapped_column(enum_column(InspectionMode, "inspection_mode"))
    state: Mapped[InspectionState] = mapped_column(
        enum_column(InspectionState, "inspection_state"), default=InspectionState.DRAFT
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[str | None] = mapped_column(Text)
    gps_lat: Mapped[float | None] = mapped_column(Float)
    gps_lon: Mapped[float | None] = mapped_column(Float)
    gps_accuracy: Mapped[float | None] = mapped_column(Float)
    companions: Mapped[str | None] = mapped_column(Text)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    body_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    result_summary: Mapped[str | None] = mapped_column(Text)  # 检查结果 (published text)

    target_unit: Mapped[Unit] = relationship()
    inspector: Mapped[User] = relationship(foreign_keys=[inspector_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    checklist_results: Mapped[list[ChecklistResult]] = relationship(
        back_populates="inspection", order_by="ChecklistResult.position",
        cascade="all, delete-orphan", lazy="selectin",
    )
    findings: Mapped[list[Finding]] = relationship(
        back_populates="inspection", order_by="Finding.position",
        cascade="all, delete-orphan", lazy="selectin",
    )
    photos: Mapped[list[Photo]] = relationship(
        back_populates="inspection", order_by="Photo.position",
        cascade="all, delete-orphan", lazy="selectin",
    )



    @property
    def photos_received(self) -> list[Photo]:
        return [p for p in self.photos if p.received_at is not None]

    def __repr__(self) -> str:
        return f"<Inspection {self.uuid} {self.state}>"


class ChecklistItem(db.Model):
    """检查项: one line of the checklist for a kind of unit; edited by the office."""

    __tablename__ = "checklist_item"
    __table_args__ = (Index("ix_checklist_item_kind", "unit_kind", "active", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind, "unit_kind"))
    category: Mapped[str] = mapped_column(String(64))  # e.g. 警容风纪
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class ChecklistResult(db.Model):
    """The inspector's answer to one checklist item in one inspection."""

    __tablename__ = "checklist_result"
    __table_args__ = (UniqueConstraint("inspection_id", "checklist_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"))
    checklist_item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"), index=True)
    result: Mapped[CheckResult] = mapped_column(enum_column(CheckResult, "check_result"))
    note: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    inspection: Mapped[Inspection] = relationship(back_populates="checklist_results")
    checklist_item: Mapped[ChecklistItem] = relationship(lazy="joined")
    photos: Mapped[list[Photo]] = relationship(
        back_populates="checklist_result", order_by="Photo.position", lazy="selectin"
    )



class Finding(db.Model):
    """发现问题: may be linked to a supervision item (several findings may share one)."""

    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    category: Mapped[FindingCategory] = mapped_column(
        enum_column(FindingCategory, "finding_category")
    )
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, "finding_severity"))
    description: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_item.id"), index=True)
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    inspection: Mapped[Inspection] = relationship(back_populates="findings")
    item: Mapped[SupervisionItem | None] = relationship()
    photos: Mapped[list[Photo]] = relationship(
        back_populates="finding", order_by="Photo.position", lazy="selectin"
    )




class Photo(db.Model):
    """照片证据: expected from the record, then received (original kept byte-for-byte)."""

    __tablename__ = "photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"), index=True)
    checklist_result_id: Mapped[int | None] = mapped_column(
        ForeignKey("checklist_result.id"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    # What the record promised (the phone computed the hash).
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(255))  # metadata only
    added_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # added on the phone
    # What arrived (stored facts; the type is decided by content).
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_type: Mapped[str | None] = mapped_column(String(64))
    thumb_sha256: Mapped[str | None] = mapped_column(String(64))
    display_sha256: Mapped[str | None] = mapped_column(String(64))
    width: Mapped[int | None]
    height: Mapped[int | None]
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    gps_lat: Mapped[float | None] = mapped_column(Float)
    gps_lon: Mapped[float | None] = mapped_column(Float)
    gps_alt: Mapped[float | None] = mapped_column(Float)
    camera_model: Mapped[str | None] = mapped_column(String(128))

    inspection: Mapped[Inspection] = relationship(back_populates="photos")
    finding: Mapped[Finding | None] = relationship(back_populates="photos")
    checklist_result: Mapped[ChecklistResult | None] = relationship(back_populates="photos")

    @property
    def received(self) -> bool:
        return self.received_at is not None
