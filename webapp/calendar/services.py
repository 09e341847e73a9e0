"""Working days (工作日). A day is a working day when an admin said so (CalendarDay); else, in
a year the chinese-calendar package knows, when the package says so (statutory holidays and
调休 working weekends); else, in a year it does not know yet, when it is Monday to Friday.
The package raises for such a year: here that is never an exception, but a warning to the
admin (`missing_years`) until the year's days are entered or the package is updated.

Deadlines in working days and escalation count with `WorkCalendar`, which answers from one
table of the days in a range (one query for the admin's days, then arithmetic).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from sqlalchemy import extract, func, select

from webapp.audit import services as audit
from webapp.auth.models import Role, User
from webapp.calendar.models import CalendarDay
from webapp.errors import InvalidInput, NotAllowed
from webapp.extensions import db
from webapp.validation import clean_text


@lru_cache(maxsize=64)
def package_knows(year: int) -> bool:
    """Whether chinese-calendar has the year's holidays (it raises for other years)."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _package_or_weekend(day: date) -> bool:
    if package_knows(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def is_workday(day: date) -> bool:
    """The rule above for one day (an admin's day, the package, the weekend)."""
    row = db.session.get(CalendarDay, day)
    return row.workday if row is not None else _package_or_weekend(day)


@dataclass
class WorkCalendar:
    """Working days between `start` and `end`, for fast counting: `workdays` sorted."""

    start: date
    end: date
    workdays: list[date]

    @classmethod
    def around(cls, today: date, *, days_before: int = 800, days_after: int = 800
               ) -> WorkCalendar:
        start, end = today - timedelta(days=days_before), today + timedelta(days=days_after)
        admin = dict(db.session.execute(
            select(CalendarDay.day, CalendarDay.workday)
            .where(CalendarDay.day >= start, CalendarDay.day <= end)).all())
        days, day = [], start
        while day <= end:
            workday = admin[day] if day in admin else _package_or_weekend(day)
            if workday:
                days.append(day)
            day += timedelta(days=1)
        return cls(start, end, days)

    def _check(self, day: date) -> None:
        if not self.start <= day <= self.end:
            raise InvalidInput("日期超出工作日历的范围", field="date")

    def is_workday(self, day: date) -> bool:
        self._check(day)
        i = bisect.bisect_left(self.workdays, day)
        return i < len(self.workdays) and self.workdays[i] == day

    def on_or_after(self, day: date) -> date:
        """`day` when it is a working day, else the next one (a date that falls on a holiday
        or a weekend moves to the next working day: 顺延)."""
        return day if self.is_workday(day) else self.add(day, 1)

    def add(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n ≥ 1), or before it (n ≤ -1)."""
        self._check(day)
        if n > 0:
            i = bisect.bisect_right(self.workdays, day) + n - 1
        else:
            i = bisect.bisect_left(self.workdays, day) + n
        if not 0 <= i < len(self.workdays):
            raise InvalidInput("日期超出工作日历的范围", field="date")
        return self.workdays[i]

    def offset(self, due: date, today: date) -> int:
        """Working days from `due` to `today`: 1 on the first working day after the due
        date, 2 on the second …; 0 on the due date itself and on the non-working days right
        after it; -1 on the last working day before it, and so on."""
        self._check(due)
        self._check(today)
        if today >= due:
            return (bisect.bisect_right(self.workdays, today)
                    - bisect.bisect_right(self.workdays, due))
        return -(bisect.bisect_left(self.workdays, due) - bisect.bisect_left(self.workdays,
                                                                              today))


def add_working_days(start: date, n: int) -> date:
    """`n` working days after `start` (a deadline given in working days)."""
    if n < 1 or n > 365:
        raise InvalidInput("工作日天数应在 1 至 365 之间", field="due_working_days")
    return WorkCalendar.around(start, days_before=1, days_after=n * 2 + 60).add(start, n)


# --- the admin's days, and the warning ------------------------------------------------------


def missing_years(today: date) -> list[int]:
    """This year and next, where neither the package nor the admin has the holidays. A year
    counts as entered once the admin has set any holiday in it."""
    out = []
    for year in (today.year, today.year + 1):
        if package_knows(year):
            continue
        entered = db.session.scalar(select(func.count()).select_from(CalendarDay).where(
            extract("year", CalendarDay.day) == year, CalendarDay.workday.is_(False)))
        if not entered:
            out.append(year)
    return out


def set_day(*, actor: User, day: date, workday: bool | None, note: object = None) -> None:
    """An admin sets a day (workday True/False) or removes their setting (None)."""
    if actor.role != Role.ADMIN:
        raise NotAllowed("只有系统管理员可以修改工作日历")
    note = clean_text(note, field="note", label="说明", required=False, max_len=100,
                      single_line=True)
    row = db.session.get(CalendarDay, day)
    if workday is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(CalendarDay(day=day, workday=workday, note=note, set_by_id=actor.id))
    else:
        row.workday, row.note, row.set_by_id = workday, note, actor.id
    db.session.flush()
    audit.record("calendar.set", object_type="calendar", object_id=day.isoformat(), actor=actor,
                 details={"workday": workday, "note": note})


def days_of(year: int) -> list[CalendarDay]:
    return list(db.session.scalars(select(CalendarDay).where(
        extract("year", CalendarDay.day) == year).order_by(CalendarDay.day)))


def package_holidays(year: int) -> list[tuple[date, str]]:
    """The package's holidays and 调休 working days of a year, for the admin's page."""
    if not package_knows(year):
        return []
    out = []
    day = date(year, 1, 1)
    while day.year == year:
        on, name = chinese_calendar.get_holiday_detail(day)
        if on and day.weekday() < 5 and name:
            out.append((day, f"{_HOLIDAY_NAMES.get(name, name)}（放假）"))
        elif not on and day.weekday() >= 5:
            out.append((day, f"{_HOLIDAY_NAMES.get(name, name or '')}调休上班"))
        day += timedelta(days=1)
    return out


_HOLIDAY_NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节",
                  "Tomb-sweeping Day": "清明节",
                  "Labour Day": "劳动节", "Dragon Boat Festival": "端午节",
                  "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
                  "Anti-Fascist 70th Day": "抗战胜利纪念日"}
