"""/api/v1/recurrences (周期事项) and /api/v1/items/{code}/cadence (进展报送周期)."""

from __future__ import annotations

from typing import ClassVar

from flask import Blueprint
from pydantic import Field

from webapp import api
from webapp.api.declare import Body, Day, DayText, Id, Out, TimeText, operation
from webapp.auth.access import actor
from webapp.database import local_today
from webapp.recurring import cadence, services
from webapp.recurring.models import FeedbackCadence, Frequency, Recurrence
from webapp.recurring.rules import period_label
from webapp.supervision.access import get_item
from webapp.supervision.models import Source, Urgency

bp = Blueprint("recurring_api", __name__)


class RecurrenceBody(Body):
    """What each period's item is, who handles it and when it is due."""

    service_fields: ClassVar[dict[str, str]] = {"lead_unit": "lead_unit_id",
                                                "assisting_units": "assisting_unit_ids"}

    title: str = Field(title="标题", description="each item's title adds its period")
    content: str = Field(title="事项内容")
    source: Source | None = Field(None, title="来源", description="default other; "
                                  "not leader_instruction")
    urgency: Urgency | None = Field(None, title="缓急", description="default normal")
    requirements: str | None = Field(None, title="办理要求")
    lead_unit_id: Id = Field(title="承办单位")
    assisting_unit_ids: list[Id] | None = Field(None, title="协办单位")
    supervising_leader_id: Id | None = Field(None, title="分管领导")
    supervising_leader: str | None = Field(None, title="分管领导", description="or a name")
    first_responsible_id: Id | None = Field(None, title="第一责任人")
    first_responsible: str | None = Field(None, title="第一责任人", description="or a name")
    direct_responsible_id: Id | None = Field(None, title="直接责任人")
    direct_responsible: str | None = Field(None, title="直接责任人", description="or a name")
    frequency: Frequency = Field(title="周期")
    due_day: int | None = Field(None, title="截止日", ge=1, le=31,
                                description="day of the month (moved to the next working day "
                                            "when it is not one); or due_working_days")
    due_month: int | None = Field(None, title="截止月份", ge=1, le=12,
                                  description="which month of the period (quarterly 1–3, yearly "
                                              "1–12); default 1")
    due_working_days: int | None = Field(None, title="第几个工作日", ge=1, le=240,
                                         description="the period's N-th working day")
    start_on: Day = Field(title="开始日期", description="not in the past")
    end_on: Day | None = Field(None, title="结束日期")
    cadence_days: int | None = Field(None, title="进展报送周期（天）", ge=1, le=92,
                                     description="each period's item: progress every N days")

    def service_args(self) -> dict:
        people = {role: getattr(self, f"{role}_id") or getattr(self, role)
                  for role in ("supervising_leader", "first_responsible", "direct_responsible")}
        return {"title": self.title, "content": self.content,
                "source": self.source or Source.OTHER, "urgency": self.urgency or Urgency.NORMAL,
                "requirements": self.requirements, "lead_unit": self.lead_unit_id,
                "assisting_units": self.assisting_unit_ids or (), "frequency": self.frequency,
                "due_day": self.due_day, "due_month": self.due_month,
                "due_working_days": self.due_working_days, "start_on": self.start_on,
                "end_on": self.end_on, "cadence_days": self.cadence_days, **people}


class PeriodOut(Out):
    period: str
    period_start: DayText
    item_code: str
    due_date: DayText | None
    state: str


class UpcomingOut(Out):
    period: str
    opens_on: DayText
    due_date: DayText


class RecurrenceOut(Out):
    """A recurrence, the items made for its periods and the next periods"""

    id: int
    title: str
    frequency: str
    rule: str
    lead_unit_id: int
    lead_unit: str
    start_on: DayText
    end_on: DayText | None
    cadence_days: int | None
    stopped_at: TimeText | None
    last_error: str | None
    periods: list[PeriodOut]
    upcoming: list[UpcomingOut]


class RecurrencesOut(Out):
    """The recurrences (office, leaders, admin)"""

    recurrences: list[RecurrenceOut]


class StopBody(Body):
    reason: str = Field(title="停止理由")


class CadenceBody(Body):
    every_days: int = Field(title="进展报送周期（天）", description="1–92; 7: 每周一报")


class CadenceOut(Out):
    """An item's progress-report cadence"""

    item_code: str
    active: bool
    every_days: int | None
    description: str | None
    start_on: DayText | None
    next_report_due: DayText | None


def _out(rec: Recurrence) -> RecurrenceOut:
    today = local_today()
    return RecurrenceOut(
        id=rec.id, title=rec.title, frequency=str(rec.frequency),
        rule=services.deadline_of(rec).describe(rec.frequency), lead_unit_id=rec.lead_unit_id,
        lead_unit=rec.lead_unit.name, start_on=rec.start_on.isoformat(),
        end_on=rec.end_on.isoformat() if rec.end_on else None, cadence_days=rec.cadence_days,
        stopped_at=rec.stopped_at.isoformat() if rec.stopped_at else None,
        last_error=rec.last_error,
        periods=[PeriodOut(period=period_label(rec.frequency, p.period_start),
                           period_start=p.period_start.isoformat(), item_code=p.item.code,
                           due_date=p.item.due_date.isoformat() if p.item.due_date else None,
                           state=str(p.item.state)) for p in rec.periods],
        upcoming=[] if rec.stopped_at else [
            UpcomingOut(period=label, opens_on=p.opens.isoformat(), due_date=p.due.isoformat())
            for label, p in services.upcoming(rec, today)])


@operation(bp, "/recurrences", summary="周期事项: every recurrence (office, leaders, admin)",
           answers={200: RecurrencesOut}, errors=(403,))
def list_recurrences():
    services.may_see(actor())
    return RecurrencesOut(recurrences=[_out(r) for r in services.all_recurrences()])


@operation(bp, "/recurrences", "POST",
           summary="Set up a recurrence (office): the first period's item is made at once when "
                   "it opens today, the later ones by the daily tick",
           body=RecurrenceBody, answers={201: RecurrenceOut}, errors=(403,))
def create_recurrence(body: RecurrenceBody):
    rec = services.create_recurrence(actor=actor(), **body.service_args())
    return _out(rec), 201


@operation(bp, "/recurrences/<id:rec_id>", summary="One recurrence with its periods' items",
           answers={200: RecurrenceOut}, errors=(403,))
def get_recurrence_api(rec_id: int):
    return _out(services.get_recurrence(rec_id, actor()))


@operation(bp, "/recurrences/<id:rec_id>/stop", "POST",
           summary="Stop a recurrence (office): no more periods; the items made stay",
           body=StopBody, answers={200: RecurrenceOut}, errors=(403, 409))
def stop_recurrence(rec_id: int, body: StopBody):
    rec = services.get_recurrence(rec_id, actor())
    services.stop_recurrence(rec, actor=actor(), reason=body.reason)
    return _out(rec)


def _cadence(code: str, row: FeedbackCadence | None) -> CadenceOut:
    if row is None or row.stopped_at is not None:
        return CadenceOut(item_code=code, active=False, every_days=None, description=None,
                          start_on=None, next_report_due=None)
    return CadenceOut(item_code=code, active=True, every_days=row.every_days,
                      description=cadence.describe(row.every_days),
                      start_on=row.start_on.isoformat(),
                      next_report_due=cadence.next_report(row, local_today()).due.isoformat())


@operation(bp, "/items/<code>/cadence", summary="The item's progress-report cadence, if any",
           answers={200: CadenceOut})
def get_cadence(code: str):
    item = get_item(code, actor())
    return _cadence(item.code, cadence.active_for(item))


@operation(bp, "/items/<code>/cadence", "POST",
           summary="进展报送周期 (office): the lead unit reports progress every N days from "
                   "today; a missing report is reminded and listed in the to-do",
           body=CadenceBody, answers={200: CadenceOut}, errors=(403, 409))
def set_cadence(code: str, body: CadenceBody):
    item = get_item(code, actor())
    return _cadence(item.code, cadence.set_cadence(item, actor=actor(),
                                                    every_days=body.every_days))


@operation(bp, "/items/<code>/cadence/stop", "POST",
           summary="Stop the item's progress-report cadence (office)",
           answers={200: CadenceOut}, errors=(403, 409))
def stop_cadence(code: str):
    item = get_item(code, actor())
    cadence.stop_cadence(item, actor=actor())
    return _cadence(item.code, None)


def register() -> None:
    api.register(bp)
