"""Demo data: a county bureau's units, accounts and items (filled in by the supervision work)."""

from __future__ import annotations

from webapp.auth import services as auth
from webapp.auth.models import Role
from webapp.extensions import db
from webapp.org.models import Unit, UnitKind

UNITS = [
    ("CGJ-PCS1", "城关派出所", UnitKind.POLICE_STATION),
    ("DJ-PCS2", "东郊派出所", UnitKind.POLICE_STATION),
    ("JJDD", "交警大队", UnitKind.TRAFFIC),
    ("HZ", "户政服务窗口", UnitKind.WINDOW),
    ("CGS", "车辆管理所", UnitKind.WINDOW),
    ("CRJ", "出入境管理窗口", UnitKind.WINDOW),
    ("XZDD", "刑事侦查大队", UnitKind.CRIMINAL),
    ("ZAGL", "治安管理大队", UnitKind.DEPARTMENT),
]

USERS = [
    ("admin", "系统管理员", Role.ADMIN, None),
    ("office", "王督办", Role.OFFICE, None),
    ("leader", "李局长", Role.LEADER, None),
    ("inspector", "赵督查", Role.INSPECTOR, None),
    ("liaison1", "陈联络", Role.LIAISON, "CGJ-PCS1"),
    ("liaison2", "刘联络", Role.LIAISON, "JJDD"),
]


def load_units() -> dict[str, Unit]:
    units = {}
    for code, name, kind in UNITS:
        unit = Unit(code=code, name=name, kind=kind)
        db.session.add(unit)
        units[code] = unit
    db.session.flush()
    return units


def load_demo(*, password: str) -> None:
    units = load_units()
    for username, name, role, unit_code in USERS:
        auth.create_user(username=username, name=name, role=role, password=password,
                         unit=units.get(unit_code) if unit_code else None, skip_policy=True)
