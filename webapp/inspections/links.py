"""Findings and supervision items: the office turns a finding into an item, or links it to an
existing one (several findings may share one item); item pages list an item's findings."""

from __future__ import annotations

from datetime import date

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.audit import services as audit
from webapp.auth.models import Role, User
from webapp.database import local_date, local_iso, utcnow
from webapp.errors import InvalidInput, NotAllowed, NotFound, StateConflict
from webapp.extensions import db
from webapp.inspections.access import visible_inspections
from webapp.inspections.models import Finding, Inspection, InspectionState
from webapp.supervision.models import ItemState, Source, SupervisionItem, Urgency
from webapp.supervision.services import assign_item, item_by_code, register_item
from webapp.transaction import lock_row
from webapp.validation import parse_choice

LINKABLE = frozenset({InspectionState.SUBMITTED, InspectionState.PUBLISHED})


def _finding(finding_uuid: str, inspection_uuid: str, actor: User) -> Finding:
    if actor.role != Role.OFFICE:
        raise NotAllowed("只有督办员可以把发现的问题转为督办事项")
    stmt = visible_inspections(actor, select(Finding).join(Finding.inspection))
    finding = db.session.scalar(stmt.where(Finding.uuid == finding_uuid,
                                           Inspection.uuid == inspection_uuid))
    if finding is None:
        raise NotFound("找不到该问题")
    lock_row(finding)  # a second click waits here, then sees the first one's link
    if finding.item_id is not None:
        raise StateConflict(f"该问题已关联督办事项 {finding.item.code}", code="already_linked")
    return finding


def _link(finding: Finding, item: SupervisionItem, action: str, actor: User) -> None:
    finding.item = item
    finding.linked_at = utcnow()
    db.session.flush()
    audit.record(action, object_type="inspection", object_id=finding.inspection.uuid,
                 actor=actor, details={"finding": finding.uuid, "item": item.code})


def _item_text(finding: Finding) -> tuple[str, str]:
    inspection = finding.inspection
    unit = inspection.target_unit
    title = f"{unit.name}{finding.category.label}问题整改（暗访发现）"[:200]
    day = local_date(inspection.started_at)
    lines = [finding.description, "",
             f"检查时间：{day:%Y年%m月%d日}；被检查单位：{unit.name}；"
             f"问题类别：{finding.category.label}；严重程度：{finding.severity.label}。"]
    if inspection.place:
        lines.append(f"检查地点：{inspection.place}")
    if finding.photos:
        lines.append(f"照片证据 {len(finding.photos)} 张，见所附检查记录。")
    return title, "\n".join(lines)


def create_item_from_finding(
    *, finding_uuid: str, inspection_uuid: str, actor: User, due_date: date | None,
    first_responsible: str | None, direct_responsible: str | None,
    title: str | None = None, urgency: object = None, requirements: str | None = None,
) -> SupervisionItem:
    """A new item (source 暗访发现) assigned to the inspected unit, linked to the finding.

    Only after the office has published the result: the unit sees its items, so an item made
    earlier would give the unannounced inspection away.
    """
    finding = _finding(finding_uuid, inspection_uuid, actor)
    inspection = finding.inspection
    if inspection.state != InspectionState.PUBLISHED:
        raise StateConflict("检查结果发布后才能转为督办事项（以免提前泄露暗访情况）",
                            code="not_published")
    default_title, content = _item_text(finding)
    level = parse_choice(urgency, Urgency, field="urgency", label="紧急程度",
                         required=False) or Urgency.NORMAL
    item = register_item(
        actor=actor, title=title or default_title, content=content, source=Source.INSPECTION,
        urgency=level, source_ref=f"暗访检查记录 {local_date(inspection.started_at):%Y-%m-%d}",
        requirements=requirements,
    )
    assign_item(item, actor=actor, lead_unit=inspection.target_unit, due_date=due_date,
                first_responsible=first_responsible, direct_responsible=direct_responsible)
    _link(finding, item, "finding_to_item", actor)
    return item


def link_finding_to_item(*, finding_uuid: str, inspection_uuid: str, item_code: object,
                         actor: User) -> SupervisionItem:
    """Link a finding to an existing item (one item may carry several findings)."""
    finding = _finding(finding_uuid, inspection_uuid, actor)
    if finding.inspection.state not in LINKABLE:
        raise StateConflict("检查记录提交后才能关联督办事项", code="not_submitted")
    code = item_code.strip() if isinstance(item_code, str) else ""
    item = item_by_code(code) if code and len(code) <= 16 else None
    if item is None:
        raise InvalidInput("找不到该编号的督办事项", field="item_code")
    if item.state == ItemState.CANCELLED:
        raise StateConflict("该督办事项已撤销，不能关联", code="item_cancelled")
    _link(finding, item, "finding_link", actor)
    return item


def findings_for_item(item_id: int, actor: User) -> list[dict]:
    """The findings linked to an item that `actor` may see, with thumbnail addresses.

    The caller has already checked that the actor may see the item; inspectors see no items.
    """
    if actor.role == Role.INSPECTOR:
        return []
    stmt = visible_inspections(actor, select(Finding).join(Finding.inspection))
    rows = db.session.scalars(
        stmt.where(Finding.item_id == item_id)
        .options(selectinload(Finding.photos), selectinload(Finding.inspection)
                 .selectinload(Inspection.target_unit))
        .order_by(Inspection.started_at, Finding.position)
    )
    out = []
    for finding in rows:
        inspection = finding.inspection
        out.append({
            "uuid": finding.uuid, "inspection_uuid": inspection.uuid,
            "unit_name": inspection.target_unit.name,
            "started_at": local_iso(inspection.started_at),
            "category_label": finding.category.label, "severity_label": finding.severity.label,
            "description": finding.description,
            "url": url_for("inspections.inspection_detail", uuid=inspection.uuid),
            "photos": [{"uuid": p.uuid,
                        "thumb_url": url_for("inspections.photo_file", photo_uuid=p.uuid,
                                             variant="thumb"),
                        "display_url": url_for("inspections.photo_file", photo_uuid=p.uuid,
                                               variant="display")}
                       for p in finding.photos if p.received],
        })
    return out
