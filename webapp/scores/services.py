"""考核 actions, each checked, flushed and on the record: periods and their rules, the office's
表扬 / 通报批评 records, freezing and recomputing a period, filing and deciding appeals."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from sqlalchemy import delete, select

from webapp.audit import services as audit
from webapp.auth.models import STAFF_ROLES, Role, User
from webapp.database import utcnow
from webapp.errors import InvalidInput, NotAllowed, NotFound, StateConflict
from webapp.extensions import db
from webapp.org.models import Unit
from webapp.scores import compute
from webapp.scores import rules as R
from webapp.scores.models import (
    AppealState,
    CitationKind,
    ReasonKind,
    ScoreAppeal,
    ScorePeriod,
    ScoreSnapshot,
    UnitCitation,
)
from webapp.supervision.models import SupervisionItem
from webapp.transaction import lock_row
from webapp.validation import LONG, clean_text

MANAGERS = frozenset({Role.OFFICE, Role.ADMIN})  # periods, rules, freezing, records
DECIDERS = frozenset({Role.OFFICE, Role.LEADER})  # appeals
MAX_PERIOD_DAYS = 366 * 3


# --- who sees what -------------------------------------------------------------------------


def may_see_all(actor: User | None) -> bool:
    return actor is not None and actor.role in STAFF_ROLES


def check_viewer(actor: User | None) -> None:
    """Office, leaders and admins see every unit; a liaison their own unit; others nothing."""
    if may_see_all(actor):
        return
    if actor is None or actor.role != Role.LIAISON or actor.unit_id is None:
        raise NotAllowed("考核结果仅办公室、局领导和各单位联络员可以查看")


def check_unit(actor: User, unit_id: int) -> None:
    """A liaison asking for another unit's score gets 404, as for a unit that does not exist."""
    check_viewer(actor)
    if not may_see_all(actor) and actor.unit_id != unit_id:
        raise NotFound("找不到该单位的考核结果")


def _require(actor: User | None, roles: frozenset, what: str) -> None:
    if actor is None or actor.role not in roles:
        raise NotAllowed(f"无权{what}")


def get_period(period_id: int, actor: User | None) -> ScorePeriod:
    check_viewer(actor)
    period = db.session.get(ScorePeriod, period_id)
    if period is None:
        raise NotFound("找不到该考核周期")
    return period


def periods() -> list[ScorePeriod]:
    return list(db.session.scalars(select(ScorePeriod).order_by(ScorePeriod.start_on.desc(),
                                                                ScorePeriod.id.desc())))


def visible_result(period: ScorePeriod, actor: User) -> compute.PeriodResult:
    """The period's table as `actor` may see it: a liaison's holds their unit's row only."""
    res = compute.result(period)
    if not may_see_all(actor):
        res.rows = [r for r in res.rows if r.unit_id == actor.unit_id]
    return res


# --- periods and rules ---------------------------------------------------------------------


def _dates(start: date | None, end: date | None) -> tuple[date, date]:
    if start is None:
        raise InvalidInput("请填写开始日期", field="start_on")
    if end is None:
        raise InvalidInput("请填写结束日期", field="end_on")
    if end < start:
        raise InvalidInput("结束日期不能早于开始日期", field="end_on")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise InvalidInput("考核周期不能超过三年", field="end_on")
    return start, end


def create_period(*, actor: User, name: object, start_on: date | None, end_on: date | None,
                  rules: dict) -> ScorePeriod:
    """考核周期: a name, its dates and its rules (missing rule values: the defaults)."""
    _require(actor, MANAGERS, "设立考核周期")
    name = clean_text(name, field="name", label="周期名称", max_len=64, single_line=True)
    start_on, end_on = _dates(start_on, end_on)
    parsed = R.parse_rules(rules)
    if db.session.scalar(select(ScorePeriod.id).where(ScorePeriod.name == name)):
        raise StateConflict(f"已有名为“{name}”的考核周期", field="name")
    period = ScorePeriod(name=name, start_on=start_on, end_on=end_on,
                         rules=asdict(parsed),
                         created_by_id=actor.id, created_at=utcnow())
    db.session.add(period)
    db.session.flush()
    audit.record("score_period_create", object_type="score_period", object_id=period.id,
                 actor=actor, details={"name": name, "start_on": start_on.isoformat(),
                                       "end_on": end_on.isoformat(), "rules": period.rules})
    return period


def update_rules(period: ScorePeriod, *, actor: User, rules: dict) -> None:
    """Change a period's rules while it is not frozen (a frozen result keeps its rules)."""
    _require(actor, MANAGERS, "修改考核规则")
    lock_row(period)
    if period.frozen:
        raise StateConflict("考核周期已冻结，规则不能再修改")
    before = dict(period.rules)
    period.rules = asdict(R.parse_rules({**before, **rules}))
    db.session.flush()
    audit.record("score_rules_update", object_type="score_period", object_id=period.id,
                 actor=actor, details={"before": before, "after": period.rules})


# --- 表扬 / 通报批评 ---------------------------------------------------------------------------


def add_citation(*, actor: User, unit_id: int | None, kind: CitationKind | None,
                 cited_on: date | None, reason: object, item_code: object = None,
                 doc_number: object = None) -> UnitCitation:
    """Record a 表扬 or 通报批评 of a unit (office), optionally naming an item and a 文号."""
    _require(actor, MANAGERS, "登记表扬或通报批评")
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit is None:
        raise InvalidInput("请选择单位", field="unit_id")
    if kind is None:
        raise InvalidInput("请选择类别", field="kind")
    if cited_on is None:
        raise InvalidInput("请填写日期", field="cited_on")
    reason = clean_text(reason, field="reason", label="事由", max_len=LONG)
    number = clean_text(doc_number, field="doc_number", label="文号", required=False,
                        max_len=64, single_line=True)
    code = clean_text(item_code, field="item_code", label="事项编号", required=False,
                      max_len=16, single_line=True)
    item_id = None
    if code:
        item_id = db.session.scalar(select(SupervisionItem.id)
                                    .where(SupervisionItem.code == code))
        if item_id is None:
            raise InvalidInput(f"找不到编号为 {code} 的督办事项", field="item_code")
    citation = UnitCitation(unit_id=unit.id, kind=kind, cited_on=cited_on, reason=reason,
                            item_id=item_id, doc_number=number, created_by_id=actor.id,
                            created_at=utcnow())
    db.session.add(citation)
    db.session.flush()
    audit.record("unit_citation_add", object_type="unit_citation", object_id=citation.id,
                 actor=actor, details={"unit_id": unit.id, "kind": kind.value,
                                       "cited_on": cited_on.isoformat(), "reason": reason,
                                       "item": code, "doc_number": number})
    return citation


def citations(limit: int = 200) -> list[UnitCitation]:
    return list(db.session.scalars(select(UnitCitation).order_by(
        UnitCitation.cited_on.desc(), UnitCitation.id.desc()).limit(limit)))


# --- freezing ------------------------------------------------------------------------------


def _totals(period: ScorePeriod) -> dict[str, float]:
    return {str(r.unit_id): r.total for r in compute.result(period).rows}


def _write_snapshot(period: ScorePeriod) -> None:
    lines = compute.live_lines(period)
    db.session.execute(delete(ScoreSnapshot).where(ScoreSnapshot.period_id == period.id))
    db.session.add_all(ScoreSnapshot(period_id=period.id, unit_id=u,
                                     lines=[ln.as_dict() for ln in ls])
                       for u, ls in lines.items())
    period.computed_at = utcnow()
    db.session.flush()
    db.session.expire(period, ["snapshots"])


def freeze(period: ScorePeriod, *, actor: User) -> None:
    """冻结: store the result computed now; later data no longer changes it."""
    _require(actor, MANAGERS, "冻结考核结果")
    lock_row(period)
    if period.frozen:
        raise StateConflict("该考核周期已经冻结")
    _write_snapshot(period)
    period.frozen_at, period.frozen_by_id = period.computed_at, actor.id
    db.session.flush()
    audit.record("score_period_freeze", object_type="score_period", object_id=period.id,
                 actor=actor, details={"totals": _totals(period)})


def recompute(period: ScorePeriod, *, actor: User) -> dict[str, dict]:
    """重新计算 a frozen period from today's data (explicit, on the record): the units whose
    total changed, before and after."""
    _require(actor, MANAGERS, "重新计算考核结果")
    lock_row(period)
    if not period.frozen:
        raise StateConflict("未冻结的考核周期按当前数据实时计算，无需重新计算")
    before = _totals(period)
    _write_snapshot(period)
    after = _totals(period)
    changed = {u: {"before": before.get(u), "after": after.get(u)}
               for u in sorted(set(before) | set(after)) if before.get(u) != after.get(u)}
    audit.record("score_period_recompute", object_type="score_period", object_id=period.id,
                 actor=actor, details={"changed": changed})
    return changed


# --- appeals -------------------------------------------------------------------------------


def file_appeal(period: ScorePeriod, *, actor: User, unit_id: int, kind: ReasonKind | None,
                reason: object) -> ScoreAppeal:
    """申诉: the unit's liaison disputes one reason line of its score, with a reason."""
    if actor.role != Role.LIAISON or actor.unit_id != unit_id:
        raise NotAllowed("只有本单位联络员可以对本单位的考核结果提出申诉")
    if kind is None:
        raise InvalidInput("请选择申诉的扣分或加分事项", field="kind")
    reason = clean_text(reason, field="reason", label="申诉理由", max_len=LONG)
    lock_row(period)
    row = compute.result(period).row(unit_id)
    line = row.line(kind) if row else None
    if line is None:
        raise InvalidInput(f"本单位在该考核周期没有“{kind.label}”一项", field="kind")
    if any(a.kind == kind and a.state == AppealState.PENDING for a in row.appeals):
        raise StateConflict(f"“{kind.label}”一项已有待处理的申诉")
    appeal = ScoreAppeal(period_id=period.id, unit_id=unit_id, kind=kind, reason=reason,
                         points_before=line.effective, filed_by_id=actor.id, filed_at=utcnow())
    db.session.add(appeal)
    db.session.flush()
    audit.record("score_appeal_file", object_type="score_appeal", object_id=appeal.id,
                 actor=actor, details={"period_id": period.id, "unit_id": unit_id,
                                       "kind": kind.value, "points": line.effective,
                                       "reason": reason})
    return appeal


def get_appeal(appeal_id: int, actor: User) -> ScoreAppeal:
    appeal = db.session.get(ScoreAppeal, appeal_id)
    if appeal is None:
        raise NotFound("找不到该申诉")
    check_unit(actor, appeal.unit_id)
    return appeal


def decide_appeal(appeal: ScoreAppeal, *, actor: User, accept: bool, points: float | None,
                  comment: object) -> None:
    """Accept (the line's points become `points`) or reject, with a comment; once only."""
    _require(actor, DECIDERS, "处理申诉")
    comment = clean_text(comment, field="comment", label="处理意见", max_len=LONG)
    if accept:
        if points is None:
            raise InvalidInput("采纳申诉时请填写调整后的分值", field="points")
        if abs(points) > R.MAX_POINTS or round(points, 2) != points:
            raise InvalidInput(f"调整后的分值应在 −{R.MAX_POINTS} 到 {R.MAX_POINTS} 之间，"
                               "最多两位小数", field="points")
    lock_row(appeal)
    if appeal.state != AppealState.PENDING:
        raise StateConflict(f"该申诉已处理（{appeal.state.label}）")
    appeal.state = AppealState.ACCEPTED if accept else AppealState.REJECTED
    appeal.points = points if accept else None
    appeal.comment, appeal.decided_by_id, appeal.decided_at = comment, actor.id, utcnow()
    db.session.flush()
    audit.record("score_appeal_decide", object_type="score_appeal", object_id=appeal.id,
                 actor=actor, details={"state": appeal.state.value,
                                       "points_before": appeal.points_before,
                                       "points": appeal.points, "comment": comment})
