"""Plain data from inspections (暗访检查): the inspection record, and a period's findings for
the circular. Only published inspections go into documents (暗访 stays secret until then)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from webapp.database import local_date, local_days_utc, local_time
from webapp.documents.data import Source, common, inspection_of
from webapp.documents.models import IssuerSettings
from webapp.documents.rendering.blocks import cn_date
from webapp.extensions import db
from webapp.inspections.models import (
    Inspection,
    InspectionState,
)

MAX_FINDINGS = 500


def findings_for_period(start: date, end: date) -> list[dict]:
    """Findings of inspections made in [start, end] and published, oldest first."""
    lo, hi = local_days_utc(start, end)
    inspections = db.session.scalars(
        select(Inspection)
        .where(Inspection.state == InspectionState.PUBLISHED,
               Inspection.started_at >= lo, Inspection.started_at < hi)
        .order_by(Inspection.started_at, Inspection.id)
    )
    rows = []
    for insp in inspections:
        for f in insp.findings:
            rows.append({
                "unit": insp.target_unit.name,
                "date": local_date(insp.started_at).isoformat(),
                "mode_label": insp.mode.label,
                "description": f.description,
                "severity_label": f.severity.label,
            })
            if len(rows) >= MAX_FINDINGS:
                return rows
    return rows


def _local_minute(moment) -> str:
    return local_time(moment).strftime("%Y-%m-%dT%H:%M")


def photo_caption(photo, inspection: Inspection) -> str:
    """题注 of a photo: when and where it was taken (拍摄于2026年11月12日9时40分，值班室)."""
    when = photo.taken_at or inspection.started_at
    place = (inspection.place or inspection.target_unit.name).replace("\n", " ").strip()
    return f"拍摄于{cn_date(_local_minute(when))}，{place}"


def inspection_title(unit: str, mode_label: str) -> str:
    """标题 of an inspection record."""
    kind = mode_label if mode_label.endswith("检查") else f"{mode_label}检查"  # 专项检查
    return f"关于{unit}{kind}情况的记录"


def inspection_record_data(inspection: Inspection, settings: IssuerSettings, *,
                           today: date) -> dict:
    """暗访检查记录 of one published inspection, with its findings and photo display copies."""
    unit = inspection.target_unit.name
    title = inspection_title(unit, inspection.mode.label)
    checklist = [
        {"text": r.checklist_item.text, "result_label": r.result.label,
         "note": r.note or ""}
        for r in inspection.checklist_results
    ]
    findings = [
        {"category_label": f.category.label,
         "severity_label": f.severity.label,
         "description": f.description,
         "photos": [{"ref": p.display_sha256, "caption": photo_caption(p, inspection)}
                    for p in f.photos if p.display_sha256]}
        for f in inspection.findings
    ]
    inspector = inspection.inspector.name if inspection.inspector else ""
    companions = [c.strip() for c in re.split(r"[、，,；;\n]", inspection.companions or "")
                  if c.strip() and c.strip() != inspector]
    return common(settings, title=title, recipients=[unit], today=today) | {
        "inspection": {"unit": unit, "mode_label": inspection.mode.label,
                       "started_at": _local_minute(inspection.started_at),
                       "place": inspection.place or "", "inspector": inspector,
                       "companions": list(dict.fromkeys(companions)),
                       "result": inspection.result_summary or ""},
        "checklist": checklist,
        "findings": findings,
    }


def build_inspection_record(source: Source) -> dict:
    """The kind table's builder: the record of the published inspection chosen."""
    return inspection_record_data(inspection_of(source.options), source.settings,
                                  today=source.today)
