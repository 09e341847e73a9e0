"""The rules of repeating, stated once: periods, their deadlines, and a cadence's report days.

- A period is a calendar month, quarter or year; it opens on its first day (the first period
  on the recurrence's start date).
- Its deadline is day N of the period's M-th month (the month's last day when shorter),
  moved to the next working day when it is not one (顺延); or the period's N-th working day.
- A recurrence's periods are those whose deadline falls on or after its start date and on
  or before its end date (a period already late on the first day is not made).
- A feedback cadence of every N days from its start date: report k (k = 1, 2, …) is due on
  start + k·N days, moved to the next working day when it is not one. Feedback sent after
  the previous report's due day (report 1: from the start date) counts for report k.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from webapp.calendar.services import WorkCalendar
from webapp.recurring.models import Frequency

MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}


def _add_months(first: date, n: int) -> date:
    """The first day of the month `n` months after the month of `first`."""
    index = first.year * 12 + first.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def period_of(frequency: Frequency, day: date) -> date:
    """The first day of the period that contains `day`."""
    months = MONTHS[frequency]
    return date(day.year, (day.month - 1) // months * months + 1, 1)


def next_period(frequency: Frequency, start: date) -> date:
    return _add_months(start, MONTHS[frequency])


def period_label(frequency: Frequency, start: date) -> str:
    """2026年12月, 2026年第4季度, 2026年度."""
    if frequency == Frequency.MONTHLY:
        return f"{start.year}年{start.month}月"
    if frequency == Frequency.QUARTERLY:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年度"


@dataclass(frozen=True)
class Deadline:
    """How a recurrence sets each period's deadline (one of day / working_days)."""

    month: int = 1  # the period's month, 1 … MONTHS
    day: int | None = None
    working_days: int | None = None

    def of(self, start: date, cal: WorkCalendar) -> date:
        if self.working_days:
            return cal.add(start - timedelta(days=1), self.working_days)
        month = _add_months(start, self.month - 1)
        last = calendar.monthrange(month.year, month.month)[1]
        return cal.on_or_after(month.replace(day=min(self.day or 1, last)))

    def describe(self, frequency: Frequency) -> str:
        """每月第 5 个工作日前, 每季度第 1 个月 10 日前, 每月月底前 …"""
        every = frequency.label
        if self.working_days:
            return f"{every}第 {self.working_days} 个工作日前"
        month = f"第 {self.month} 个月" if MONTHS[frequency] > 1 else ""
        day = "月底" if self.day == 31 else f" {self.day} 日"
        return f"{every}{month}{day}前（遇节假日顺延）"


@dataclass(frozen=True)
class Period:
    start: date  # the period's first day
    opens: date  # the day its item is made
    due: date


def periods(frequency: Frequency, deadline: Deadline, cal: WorkCalendar, *, start_on: date,
            end_on: date | None, until: date, after: date | None = None) -> Iterator[Period]:
    """The periods that open on or before `until` (and begin after the period `after`)."""
    start = next_period(frequency, after) if after else period_of(frequency, start_on)
    while True:
        opens = max(start, start_on)
        if opens > until:
            return
        due = deadline.of(start, cal)
        if end_on is not None and due > end_on:
            return
        if due >= start_on:
            yield Period(start, opens, due)
        start = next_period(frequency, start)


# --- feedback cadence -------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """A progress report a cadence asks for: due by `due`, counted when sent from `since`."""

    due: date
    since: date


def _due(start_on: date, every: int, k: int, cal: WorkCalendar) -> date:
    return cal.on_or_after(start_on + timedelta(days=k * every))


def _report(start_on: date, every: int, k: int, cal: WorkCalendar) -> Report:
    due = _due(start_on, every, k, cal)
    j = k - 1  # the last earlier report due before this one (a holiday may join several)
    while j >= 1 and _due(start_on, every, j, cal) >= due:
        j -= 1
    since = start_on if j < 1 else _due(start_on, every, j, cal) + timedelta(days=1)
    return Report(due, since)


def next_report(start_on: date, every: int, cal: WorkCalendar, today: date) -> Report:
    """The first report due on or after `today`."""
    k = max(1, (today - start_on).days // every - 1)
    while (report := _report(start_on, every, k, cal)).due < today:
        k += 1
    return report


def last_report(start_on: date, every: int, cal: WorkCalendar, today: date,
                working_days: int) -> Report | None:
    """The latest report that was due at least `working_days` working days before `today`."""
    k = (today - start_on).days // every + 1
    while k >= 1:
        report = _report(start_on, every, k, cal)
        if report.due <= today and cal.offset(report.due, today) >= working_days:
            return report
        k -= 1
    return None
