"""/api/v1/score-periods (考核): periods, a period's scores with reasons, appeals and their
decisions, freezing and recomputing."""

from __future__ import annotations

from flask import Blueprint
from pydantic import Field

from webapp import api
from webapp.api.declare import Body, Day, DayText, Id, Out, Query, Text, TimeText, operation
from webapp.auth.access import actor
from webapp.scores import rules as R
from webapp.scores import services
from webapp.scores.compute import Line, PeriodResult
from webapp.scores.models import AppealState, ReasonKind, ScoreAppeal, ScorePeriod

bp = Blueprint("scores_api", __name__)


class ScoreRulesOut(Out):
    base: float
    overdue_item: float
    overdue_day: float
    overdue_item_cap: float | None
    overdue_unit_cap: float | None
    returned: float
    criticism: float
    praise: float
    early_close: float
    early_days: int


class ScorePeriodOut(Out):
    id: int
    name: str
    start_on: DayText
    end_on: DayText
    frozen: bool
    frozen_at: TimeText | None
    computed_at: TimeText | None
    rules: ScoreRulesOut


class ScorePeriodsOut(Out):
    """考核周期, newest first"""

    periods: list[ScorePeriodOut]


class ScoreEntryOut(Out):
    item_code: str | None = Field(description="the item behind it (/api/v1/items/{code})")
    title: str
    note: str
    points: float


class ScoreLineOut(Out):
    kind: ReasonKind
    label: str
    points: float = Field(description="as computed from the rules (signed)")
    adjusted_points: float | None = Field(description="as an accepted appeal decided")
    effective_points: float = Field(description="what counts in the total")
    count: int
    detail: str
    entries: list[ScoreEntryOut]


class ScoreAppealOut(Out):
    """申诉"""

    id: int
    period_id: int
    unit_id: int
    kind: ReasonKind
    reason: str
    state: AppealState
    points_before: float
    points: float | None
    comment: str | None
    filed_at: TimeText
    decided_at: TimeText | None


class UnitScoreOut(Out):
    unit_id: int
    unit: str
    rank: int
    total: float
    lines: list[ScoreLineOut]
    appeals: list[ScoreAppealOut]


class ScoresOut(Out):
    """A period's scores per unit, ranked (a liaison: their own unit only)"""

    period: ScorePeriodOut
    live: bool = Field(description="computed now from the data (false: the frozen result)")
    scores: list[UnitScoreOut]


class ScorePeriodBody(Body):
    name: Text("周期名称", required=True, max_len=64, single_line=True)
    start_on: Day = Field(title="开始日期")
    end_on: Day = Field(title="结束日期")
    rules: dict[str, float | int | None] | None = Field(
        None, title="考核规则", description="any of ScoreRulesOut's fields; missing: the defaults")


class ScoreAppealBody(Body):
    unit_id: Id | None = Field(None, title="单位", description="default: the liaison's unit")
    kind: ReasonKind = Field(title="申诉事项")
    reason: Text("申诉理由", required=True)


class AppealDecisionBody(Body):
    accept: bool = Field(title="是否采纳")
    points: float | None = Field(None, title="调整后的分值",
                                 description="the line's points when accepted (signed)")
    comment: Text("处理意见", required=True)


class ScoresQuery(Query):
    items: bool = Field(True, title="含事项明细",
                        description="false: each line without the items behind it (a smaller "
                                    "answer for a large period; `entries` is then empty)")


class RecomputeOut(Out):
    """The units whose total changed, by unit id: before and after"""

    changed: dict[str, dict[str, float | None]]
    scores: ScoresOut


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _period(p: ScorePeriod) -> ScorePeriodOut:
    return ScorePeriodOut(id=p.id, name=p.name, start_on=p.start_on.isoformat(),
                     end_on=p.end_on.isoformat(), frozen=p.frozen, frozen_at=_iso(p.frozen_at),
                     computed_at=_iso(p.computed_at),
                     rules=ScoreRulesOut(**R.asdict(R.rules_of(p.rules))))


def _appeal(a: ScoreAppeal) -> ScoreAppealOut:
    return ScoreAppealOut(id=a.id, period_id=a.period_id, unit_id=a.unit_id, kind=a.kind,
                     reason=a.reason, state=a.state, points_before=a.points_before,
                     points=a.points, comment=a.comment, filed_at=a.filed_at.isoformat(),
                     decided_at=_iso(a.decided_at))


def _line(ln: Line, items: bool) -> ScoreLineOut:
    return ScoreLineOut(
        kind=ln.kind, label=ln.kind.label, points=ln.points, adjusted_points=ln.adjusted,
        effective_points=ln.effective, count=ln.count, detail=ln.detail,
        entries=[ScoreEntryOut(item_code=e.code, title=e.title, note=e.note, points=e.points)
                 for e in ln.entries] if items else [])


def _scores(res: PeriodResult, items: bool = True) -> ScoresOut:
    return ScoresOut(period=_period(res.period), live=res.live, scores=[
        UnitScoreOut(unit_id=r.unit_id, unit=r.unit_name, rank=r.rank, total=r.total,
                     lines=[_line(ln, items) for ln in r.lines],
                     appeals=[_appeal(a) for a in r.appeals]) for r in res.rows])


@operation(bp, "/score-periods", summary="考核周期 (office, leader, admin, liaison)",
           answers={200: ScorePeriodsOut}, errors=(403,))
def list_periods():
    services.check_viewer(actor())
    return ScorePeriodsOut(periods=[_period(p) for p in services.periods()])


@operation(bp, "/score-periods", "POST", summary="Set up a 考核周期 with its rules (office, "
           "admin)", body=ScorePeriodBody, answers={201: ScorePeriodOut}, errors=(403, 409))
def create_period(body: ScorePeriodBody):
    period = services.create_period(actor=actor(), name=body.name, start_on=body.start_on,
                                    end_on=body.end_on, rules=body.rules or {})
    return _period(period), 201


@operation(bp, "/score-periods/<id:period_id>", summary="A period's scores per unit with each "
           "reason line and the items behind it (a liaison: their own unit)",
           query=ScoresQuery, answers={200: ScoresOut}, errors=(403, 404))
def get_scores(period_id: int, query: ScoresQuery):
    period = services.get_period(period_id, actor())
    return _scores(services.visible_result(period, actor()), query.items)


@operation(bp, "/score-periods/<id:period_id>/appeals", "POST",
           summary="申诉: the unit's liaison disputes one reason line", body=ScoreAppealBody,
           answers={201: ScoreAppealOut}, errors=(403, 404, 409))
def file_appeal(period_id: int, body: ScoreAppealBody):
    me = actor()
    period = services.get_period(period_id, me)
    unit_id = body.unit_id or me.unit_id or 0
    services.check_unit(me, unit_id)
    appeal = services.file_appeal(period, actor=me, unit_id=unit_id, kind=body.kind,
                                  reason=body.reason)
    return _appeal(appeal), 201


@operation(bp, "/score-appeals/<id:appeal_id>/decision", "POST",
           summary="Decide an appeal (office, leader): accept with the line's points, or "
                   "reject; with a comment; once only", body=AppealDecisionBody,
           answers={200: ScoreAppealOut}, errors=(403, 404, 409))
def decide_appeal(appeal_id: int, body: AppealDecisionBody):
    appeal = services.get_appeal(appeal_id, actor())
    points = None
    if body.accept:
        points = R.parse_points(None if body.points is None else str(body.points),
                                field="points", label="调整后的分值")
    services.decide_appeal(appeal, actor=actor(), accept=body.accept, points=points,
                           comment=body.comment)
    return _appeal(appeal)


@operation(bp, "/score-periods/<id:period_id>/freeze", "POST",
           summary="Freeze a period's result (office, admin): later data no longer changes it",
           answers={200: ScoresOut}, errors=(403, 404, 409))
def freeze_period(period_id: int):
    period = services.get_period(period_id, actor())
    services.freeze(period, actor=actor())
    return _scores(services.visible_result(period, actor()))


@operation(bp, "/score-periods/<id:period_id>/recompute", "POST",
           summary="Recompute a frozen period from today's data (office, admin; audited)",
           answers={200: RecomputeOut}, errors=(403, 404, 409))
def recompute_period(period_id: int):
    period = services.get_period(period_id, actor())
    changed = services.recompute(period, actor=actor())
    return RecomputeOut(changed=changed, scores=_scores(services.visible_result(period,
                                                                               actor())))


def register() -> None:
    api.register(bp)
