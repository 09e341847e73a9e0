"""Units (单位) of the bureau."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.database import enum_column
from webapp.extensions import db
from webapp.labels import Labelled


class UnitKind(Labelled):
    """Kinds of unit; inspection checklists are kept per kind."""

    POLICE_STATION = "police_station", "派出所"
    TRAFFIC = "traffic", "交警队"  # 交警大队
    WINDOW = "window", "窗口单位"  # 窗口单位 (户政, 车管所, 出入境)
    CRIMINAL = "criminal", "刑侦部门"  # 刑侦大队
    DEPARTMENT = "department", "机关科室"
    OTHER = "other", "其他"


class Unit(db.Model):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind, "unit_kind"))
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"
