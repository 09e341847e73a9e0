"""Inspections as plain dicts for the API and the item pages; `full` comes from access.py."""

from __future__ import annotations

from flask import current_app, url_for
from sqlalchemy.orm import lazyload, selectinload

from webapp.database import local_iso
from webapp.inspections.models import Finding, Inspection, Photo
from webapp.org.models import Unit

# Lists need photo counts and finding counts, not the children's children.
LIST_LOADS = (
    selectinload(Inspection.photos),
    selectinload(Inspection.findings).lazyload(Finding.photos),
    lazyload(Inspection.checklist_results),
)




def unit_dict(unit: Unit) -> dict:
    return {"id": unit.id, "code": unit.code, "name": unit.name, "kind": str(unit.kind),
            "kind_label": unit.kind.label}


def photo_dict(photo: Photo, *, full: bool) -> dict:
    """A PhotoRef as stored; a liaison gets the copies' addresses only."""
    data: dict = {"uuid": photo.uuid, "received": photo.received}
    if full:
        data.update(sha256=photo.sha256, size=photo.size, content_type=photo.content_type,
                    filename=photo.filename)
    if photo.received:
        data["thumb_url"] = url_for("inspections.photo_file", photo_uuid=photo.uuid,
                                    variant="thumb")
        data["display_url"] = url_for("inspections.photo_file", photo_uuid=photo.uuid,
                                      variant="display")
    return data


def item_dict(finding: Finding) -> dict | None:
    """The finding's supervision item (code, title, state) for office pages and records."""
    item = finding.item
    if item is None:
        return None
    data = {"code": item.code, "title": item.title, "state": str(item.state),
            "state_label": item.state.label}
    if "supervision.item_detail" in current_app.view_functions:
        data["url"] = url_for("supervision.item_detail", code=item.code)
    return data


def finding_dict(finding: Finding, *, full: bool, items: bool) -> dict:
    data = {"uuid": finding.uuid, "category": str(finding.category),
            "category_label": finding.category.label, "severity": str(finding.severity),
            "severity_label": finding.severity.label, "description": finding.description,
            "photos": [photo_dict(p, full=full) for p in finding.photos]}
    if items:
        data["item"] = item_dict(finding)
    return data


def summary_dict(inspection: Inspection, *, full: bool) -> dict:
    """One line of a list: no children."""
    data = {
        "uuid": inspection.uuid, "state": str(inspection.state),
        "state_label": inspection.state.label, "mode": str(inspection.mode),
        "mode_label": inspection.mode.label, "target_unit": unit_dict(inspection.target_unit),
        "started_at": local_iso(inspection.started_at),
        "ended_at": local_iso(inspection.ended_at), "place": inspection.place,
        "submitted_at": local_iso(inspection.submitted_at),
        "published_at": local_iso(inspection.published_at),
        "result_summary": inspection.result_summary,
        "photos_total": len(inspection.photos),
        "photos_received_count": len(inspection.photos_received),
    }
    if full:
        data["inspector"] = {"id": inspection.inspector.id, "name": inspection.inspector.name}
        data["created_at"] = local_iso(inspection.created_at)
    return data


def record_dict(inspection: Inspection, *, full: bool, items: bool) -> dict:
    """The whole record as stored (the phone's fields plus state and photo progress)."""
    data = summary_dict(inspection, full=full)
    if full:
        gps = None
        if inspection.gps_lat is not None:
            gps = {"lat": inspection.gps_lat, "lon": inspection.gps_lon,
                   "accuracy": inspection.gps_accuracy}
        data.update(target_unit_id=inspection.target_unit_id, gps=gps,
                    companions=inspection.companions)
    data["checklist"] = [
        {"checklist_item_id": r.checklist_item_id, "text": r.checklist_item.text,
         "category": r.checklist_item.category, "result": str(r.result),
         "result_label": r.result.label, "note": r.note,
         "photos": [photo_dict(p, full=full) for p in r.photos]}
        for r in inspection.checklist_results
    ]
    data["findings"] = [finding_dict(f, full=full, items=items) for f in inspection.findings]
    data["photos_expected"] = [p.uuid for p in inspection.photos]
    data["photos_received"] = [p.uuid for p in inspection.photos_received]
    return data
