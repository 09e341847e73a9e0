"""红黄绿灯: deadline lights, as a plain function and as SQL conditions for filters."""

from __future__ import annotations

import enum
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_

from webapp.supervision.models import OPEN_STATES, ItemState, SupervisionItem


class Light(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    NONE = "none"  # closed, cancelled, or no deadline yet


LIGHT_LABELS = {Light.GREEN: "绿灯", Light.YELLOW: "黄灯", Light.RED: "红灯（逾期）",
                Light.NONE: "—"}


def deadline_light(
    state: ItemState, due_date: date | None, *, today: date, yellow_days: int
) -> Light:
    """Red when overdue, yellow when due within `yellow_days`, green otherwise; open items only."""
    if state not in OPEN_STATES or due_date is None:
        return Light.NONE
    if due_date < today:
        return Light.RED
    if due_date <= today + timedelta(days=yellow_days):
        return Light.YELLOW
    return Light.GREEN


def light_condition(light: Light, *, today: date, yellow_days: int) -> ColumnElement[bool]:
    """The SQL condition selecting items that show `light`."""
    item = SupervisionItem
    is_open = item.state.in_(OPEN_STATES)
    soon = today + timedelta(days=yellow_days)
    if light == Light.RED:
        return and_(is_open, item.due_date < today)
    if light == Light.YELLOW:
        return and_(is_open, item.due_date >= today, item.due_date <= soon)
    if light == Light.GREEN:
        return and_(is_open, item.due_date > soon)
    return ~and_(is_open, item.due_date.is_not(None))
