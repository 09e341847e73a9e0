"""Units (单位) of the bureau."""

from __future__ import annotations

import enum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.database import enum_column
from webapp.extensions import db


class UnitKind(enum.StrEnum):
    """Kinds of unit; inspection checklists are kept per kind."""

    POLICE_STATION = "police_station"  # 派出所
    TRAFFIC = "traffic"  # 交警大队
    WINDOW = "window"  # 窗口单位 (户政, 车管所, 出入境)
    CRIMINAL = "criminal"  # 刑侦大队
    DEPARTMENT = "department"  # 机关科室
    OTHER = "other"


UNIT_KIND_LABELS = {
    UnitKind.POLICE_STATION: "派出所",
    UnitKind.TRAFFIC: "交警队",
    UnitKind.WINDOW: "窗口单位",
    UnitKind.CRIMINAL: "刑侦部门",
    UnitKind.DEPARTMENT: "机关科室",
    UnitKind.OTHER: "其他",
}


class Unit(db.Model):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind, "unit_kind"))
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"
