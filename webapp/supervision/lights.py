"""红黄绿灯: deadline lights, as a plain function and as SQL conditions for filters."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, or_

from webapp.labels import Labelled
from webapp.supervision.models import (
    OPEN_STATES,
    REVIEW_STATES,
    WITH_UNIT_STATES,
    ItemState,
    SupervisionItem,
)


class Light(Labelled):
    GREEN = "green", "绿灯"
    YELLOW = "yellow", "黄灯"
    RED = "red", "红灯（逾期）"
    NONE = "none", "—"  # closed, cancelled, or no deadline yet


def is_overdue(state: ItemState, due_date: date | None, final_feedback_on: date | None, *,
               today: date) -> bool:
    """The one rule for "overdue" (lights, lists, statistics, reminders, escalation): past the
    (possibly extended) due date while the unit has it, or under review (by the office, or the
    leader's 复核) with the 办结反馈 sent after the due date. A unit whose 办结反馈 arrived in
    time is not overdue while the office reviews it. A split parent is never overdue itself:
    its sub-items are."""
    if due_date is None or due_date >= today:
        return False
    if state in WITH_UNIT_STATES:
        return True
    return state in REVIEW_STATES and (
        final_feedback_on is None or final_feedback_on > due_date)


def overdue_condition(today: date) -> ColumnElement[bool]:
    """`is_overdue` as SQL."""
    item = SupervisionItem
    late_feedback = or_(item.final_feedback_on.is_(None), item.final_feedback_on > item.due_date)
    return and_(item.due_date < today,
                or_(item.state.in_(WITH_UNIT_STATES),
                    and_(item.state.in_(REVIEW_STATES), late_feedback)))


def deadline_light(
    state: ItemState, due_date: date | None, *, today: date, yellow_days: int,
    final_feedback_on: date | None = None,
) -> Light:
    """Red when overdue (`is_overdue`), yellow when due within `yellow_days`, green otherwise
    (also past the date while on-time feedback is reviewed); open items only."""
    if state not in OPEN_STATES or due_date is None:
        return Light.NONE
    if is_overdue(state, due_date, final_feedback_on, today=today):
        return Light.RED
    if today <= due_date <= today + timedelta(days=yellow_days):
        return Light.YELLOW
    return Light.GREEN


def light_condition(light: Light, *, today: date, yellow_days: int) -> ColumnElement[bool]:
    """The SQL condition selecting items that show `light`."""
    item = SupervisionItem
    is_open = item.state.in_(OPEN_STATES)
    soon = today + timedelta(days=yellow_days)
    if light == Light.RED:
        return overdue_condition(today)
    if light == Light.YELLOW:
        return and_(is_open, item.due_date >= today, item.due_date <= soon)
    if light == Light.GREEN:
        return and_(is_open, or_(item.due_date > soon,
                                 and_(item.due_date < today, ~overdue_condition(today))))
    return ~and_(is_open, item.due_date.is_not(None))
