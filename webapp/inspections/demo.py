"""Demo inspections: the default checklists and three visits (published, submitted, incomplete)
with real generated photos, for webapp/demo.py to call."""

from __future__ import annotations

import hashlib
import random
import uuid as uuidlib
from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta
from io import BytesIO

from PIL import Image, ImageDraw

from webapp.auth.models import Role, User
from webapp.database import local_today, local_zone
from webapp.extensions import db
from webapp.inspections import services
from webapp.inspections.checklists import active_checklists, seed_checklists
from webapp.inspections.models import Inspection
from webapp.org.models import Unit, UnitKind


def load_demo_checklists() -> int:
    """The default checklist items (idempotent); returns how many were added."""
    return seed_checklists()


def _values(things: Mapping | Iterable) -> list:
    return list(things.values()) if isinstance(things, Mapping) else list(things)


def _demo_photo(seed: int, taken: str | None = None) -> bytes:
    """A 800×600 JPEG 'scene' (counter, window, figure) drawn with Pillow; differs per seed."""
    rng = random.Random(seed)  # noqa: S311 (demo pictures, not secrets)
    img = Image.new("RGB", (800, 600), (rng.randrange(180, 230), rng.randrange(180, 230), 210))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 380, 800, 600), fill=(120, 90, 60))  # counter
    draw.rectangle((80, 80, 360, 330), fill=(150, 190, 220), outline=(60, 60, 60), width=6)
    x = rng.randrange(420, 640)
    draw.ellipse((x, 170, x + 90, 260), fill=(230, 190, 160))  # a head
    draw.rectangle((x - 20, 260, x + 110, 400), fill=(30, 50, 110))  # a uniform
    for _ in range(40):
        px, py = rng.randrange(800), rng.randrange(600)
        draw.point((px, py), fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = BytesIO()
    exif = Image.Exif()
    exif[0x0110] = "Demo Phone"  # camera model
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken  # DateTimeOriginal, local time
    img.save(out, "JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()


def _ref(data: bytes, n: int) -> dict:
    return {"uuid": str(uuidlib.uuid4()), "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data), "content_type": "image/jpeg", "filename": f"IMG_{n:04d}.jpg"}


def _at(days_ago: int, hour: int, minute: int) -> str:
    zone = local_zone()
    day = local_today() - timedelta(days=days_ago)
    return datetime.combine(day, time(hour, minute), tzinfo=zone).isoformat()


def _lines(unit: Unit, fails: dict[int, str]) -> list[dict]:
    items = active_checklists()[str(unit.kind)][:6]
    return [{"checklist_item_id": item.id, "result": "fail" if i in fails else "pass",
             "note": fails.get(i), "photos": []} for i, item in enumerate(items)]


def _visit(inspector: User, unit: Unit, *, days_ago: int, place: str, findings: list[dict],
           fails: dict[int, str], received: int | None = None) -> Inspection:
    """Put a record, receive its photos (all, or the first `received`)."""
    photos = {}
    for finding in findings:
        for ref, data in zip(finding["photos"], finding.pop("_data"), strict=True):
            photos[ref["uuid"]] = data
    body = {"target_unit_id": unit.id, "mode": "unannounced",
            "started_at": _at(days_ago, 9, 30), "ended_at": _at(days_ago, 10, 20),
            "place": place, "gps": {"lat": 29.8683, "lon": 121.5440, "accuracy": 15.0},
            "companions": "孙督查", "checklist": _lines(unit, fails), "findings": findings}
    inspection, _ = services.put_inspection(uuid=str(uuidlib.uuid4()), body=body,
                                            actor=inspector)
    for n, photo in enumerate(inspection.photos):
        if received is not None and n >= received:
            break
        data = photos[photo.uuid]
        info = services.ingest(BytesIO(data), photo.sha256, services.caption_parts(inspection))
        services.record_received(photo=photo, info=info, actor=inspector)
    return inspection


def _exif_time(days_ago: int, hour: int, minute: int) -> str:
    return f"{local_today() - timedelta(days=days_ago):%Y:%m:%d} {hour:02d}:{minute:02d}:00"


def _finding(seed: int, category: str, severity: str, text: str, n_photos: int, *,
             taken: str | None = None) -> dict:
    data = [_demo_photo(seed + i, taken) for i in range(n_photos)]
    return {"uuid": str(uuidlib.uuid4()), "category": category, "severity": severity,
            "description": text, "photos": [_ref(d, seed + i) for i, d in enumerate(data)],
            "_data": data}


def _pick(units: list[Unit], kind: UnitKind) -> Unit | None:
    return next((u for u in units if u.kind == kind and u.active), None)


STATION_FINDINGS = [
    (11, "discipline", "moderate", "值班室 9:40 无人值守，群众等候约 10 分钟后值班民警才返回。", 2),
    (13, "law_enforcement", "serious",
     "涉案财物保管室门未上锁，登记台账与实物不符（少登记 2 件）。", 1),
]
STATION_RESULT = ("该所值班备勤总体正常，但存在值班脱岗、涉案财物管理不规范问题，"
                  "已责令立即整改，并于 15 日内书面报告整改情况。")
WINDOW_FINDINGS = [
    (21, "service", "minor", "3 号窗口工作人员接待群众时态度生硬，未使用文明用语。", 1),
]
TRAFFIC_FINDINGS = [
    (31, "efficiency", "moderate", "事故处理窗口 10 时仍未开放，门口张贴的办公时间为 9 时。", 2),
]


def load_demo_inspections(units: Mapping | Iterable, users: Mapping | Iterable) -> list[Inspection]:
    """Three visits: a published one (police station), a submitted one (window unit) and an
    incomplete one still waiting for a photo (traffic). Needs the demo checklists loaded."""
    units, users = _values(units), _values(users)
    inspector = next(u for u in users if u.role == Role.INSPECTOR)
    office = next(u for u in users if u.role == Role.OFFICE)
    made = []
    station = _pick(units, UnitKind.POLICE_STATION)
    if station:
        visit = _visit(inspector, station, days_ago=6, place=f"{station.name}值班室及户籍窗口",
                       fails={1: "当日两起警情未及时录入系统", 3: "一名辅警未按规定着装"},
                       findings=[_finding(*row, taken=_exif_time(6, 9, 40))
                                 for row in STATION_FINDINGS])
        visit = services.submit_inspection(uuid=visit.uuid, actor=inspector)
        services.publish_inspection(uuid=visit.uuid, actor=office, result_summary=STATION_RESULT)
        made.append(visit)
    window = _pick(units, UnitKind.WINDOW)
    if window:
        visit = _visit(inspector, window, days_ago=2, place=f"{window.name}办事大厅",
                       fails={2: "未一次性告知补正材料，群众往返两次"},
                       findings=[_finding(*row, taken=_exif_time(2, 9, 45))
                                 for row in WINDOW_FINDINGS])
        made.append(services.submit_inspection(uuid=visit.uuid, actor=inspector))
    traffic = _pick(units, UnitKind.TRAFFIC)
    if traffic:
        made.append(_visit(inspector, traffic, days_ago=1, place=f"{traffic.name}事故处理窗口",
                           fails={}, received=1,
                           findings=[_finding(*row, taken=_exif_time(1, 10, 5))
                                     for row in TRAFFIC_FINDINGS]))
    db.session.flush()
    return made


def load_demo_earlier_visit(units: Mapping | Iterable, users: Mapping | Iterable) -> list:
    """An earlier visit (40 days ago) to the police station's same place with a 纪律作风
    finding: the dashboard's "problems found again at the same place" has one to show."""
    units, users = _values(units), _values(users)
    inspector = next(u for u in users if u.role == Role.INSPECTOR)
    station = _pick(units, UnitKind.POLICE_STATION)
    if not station:
        return []
    visit = _visit(inspector, station, days_ago=40, place=f"{station.name}值班室及户籍窗口",
                   fails={1: "值班记录未按时填写"},
                   findings=[_finding(41, "discipline", "minor",
                                      "值班民警离岗约 15 分钟，未安排替岗。", 1,
                                      taken=_exif_time(40, 9, 50))])
    db.session.flush()
    return [services.submit_inspection(uuid=visit.uuid, actor=inspector)]
