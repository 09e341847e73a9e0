"""The inspection's life: record put by the phone (idempotent), photos received, submitted by
the inspector, published by the office. Functions flush; the request commits once (receiving a
photo also ends its lookup transaction before the body streams in, so no lock is held)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from webapp.audit import services as audit
from webapp.auth.models import Role, User
from webapp.database import local_time, utcnow
from webapp.errors import InvalidInput, NotAllowed, NotFound, StateConflict, UnsupportedType
from webapp.extensions import db
from webapp.inspections import body as record_body
from webapp.inspections.access import get_inspection
from webapp.inspections.models import (
    ChecklistItem,
    ChecklistResult,
    Finding,
    Inspection,
    InspectionState,
    Photo,
)
from webapp.inspections.schemas import InspectionBody
from webapp.media.files import PHOTO_NAMES
from webapp.media.photos import ingest_photo
from webapp.org.models import Unit

WRITERS = frozenset({Role.INSPECTOR, Role.OFFICE})


class PhotosMissing(StateConflict):
    """Submit refused: some listed photos have not arrived (their uuids in `missing`)."""

    code = "photos_missing"

    def __init__(self, missing: list[str]):
        super().__init__(f"还有 {len(missing)} 张照片未上传，全部照片到齐后才能提交",
                         extra={"missing": missing})
        self.missing = missing


class PhotoConflict(StateConflict):
    """Other bytes for a photo id whose file has arrived: evidence is never replaced."""

    code = "photo_conflict"

    def __init__(self, photo: Photo, field: str | None = None):
        name = f"“{photo.filename}”" if photo.filename else photo.uuid
        super().__init__(f"照片 {name} 已收到，不能换成另一个文件（新的照片请用新的编号）",
                         field=field)


def _lock(key: str) -> None:
    """Serialise writers of one record: a PostgreSQL advisory lock (SQLite: BEGIN IMMEDIATE)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(7712, hashtext(:key))"),
                           {"key": key})


def _record(inspection: Inspection, action: str, actor: User | None, **details) -> None:
    audit.record(action, object_type="inspection", object_id=inspection.uuid, actor=actor,
                 details={"state": str(inspection.state), **details})


def _own(uuid: str, actor: User) -> Inspection:
    """The actor's own inspection: hidden → 404, visible but someone else's → 403."""
    if actor.role not in WRITERS:
        raise NotAllowed("只有督查员或督办员可以填写检查记录")
    inspection = get_inspection(uuid, actor)
    if inspection.inspector_id != actor.id:
        raise NotAllowed("只有检查人本人可以修改此检查记录")
    return inspection


# --- the record ------------------------------------------------------------------------


def put_inspection(*, uuid: str, body: InspectionBody | dict, actor: User
                   ) -> tuple[Inspection, bool]:
    """Create or replace the record with this uuid; returns (inspection, created).

    A body naming its author (the phone's account that made it) is refused unless the author
    is the caller (403 not_author).

    Same record again (same canonical form, or the same content as the rows hold it when the
    stored hash was made by an older version): nothing changes. A draft takes a different
    body (the phone saves as it goes); a submitted one refuses it (409 already_submitted).
    """
    if actor.role not in WRITERS:
        raise NotAllowed("只有督查员或督办员可以填写检查记录")
    if isinstance(body, dict):  # made on the server (demo data)
        record, author = record_body.parse_record(body), None
    else:
        record, author = record_body.checked(body), body.author
    _check_author(author, actor)
    uuid = record_body.parse_uuid(uuid, field="uuid")
    digest = record_body.body_hash(record)
    _lock(f"inspection:{uuid}")
    existing = db.session.scalar(select(Inspection).where(Inspection.uuid == uuid))
    if existing is not None:
        existing = _own(uuid, actor)
        if digest == existing.body_hash or digest == record_body.body_hash(
                stored_record(existing)):
            return existing, False
        if existing.state != InspectionState.DRAFT:
            raise StateConflict("该检查记录已提交，不能再修改", code="already_submitted")
    unit = db.session.get(Unit, record["target_unit_id"])
    if unit is None or not unit.active:
        raise InvalidInput("被检查单位不存在", field="target_unit_id")
    _check_checklist_items(record)
    inspection = existing or Inspection(uuid=uuid, inspector_id=actor.id,
                                        state=InspectionState.DRAFT, created_at=utcnow())
    _check_uuids_free(record, inspection)
    _check_received_unchanged(record, inspection)
    _apply(inspection, record, digest)
    if existing is None:
        db.session.add(inspection)
    try:
        db.session.flush()
    except IntegrityError:  # a finding/photo uuid claimed at the same moment elsewhere
        db.session.rollback()
        raise StateConflict("编号与其他记录冲突，请重试", code="uuid_conflict") from None
    _record(inspection, "inspection_create" if existing is None else "inspection_update",
            actor, unit=unit.name, photos=len(inspection.photos))
    return inspection, existing is None


def _check_author(author: str | None, actor: User) -> None:
    """A record made on a phone under one account is never sent under another."""
    if author is not None and author != actor.username:
        raise NotAllowed(f"这条记录是账号 {author} 填写的，当前登录的是 {actor.username}："
                         f"请用 {author} 登录后发送", code="not_author", field="author")


def stored_record(inspection: Inspection) -> dict:
    """The record as its rows hold it, in the form parse_record gives."""
    gps = None if inspection.gps_lat is None else {
        "lat": inspection.gps_lat, "lon": inspection.gps_lon,
        "accuracy": inspection.gps_accuracy}
    return {
        "target_unit_id": inspection.target_unit_id, "mode": str(inspection.mode),
        "started_at": _utc_iso(inspection.started_at), "ended_at": _utc_iso(inspection.ended_at),
        "place": inspection.place, "gps": gps, "companions": inspection.companions,
        "checklist": [{"checklist_item_id": r.checklist_item_id, "result": str(r.result),
                       "note": r.note, "photos": [_stored_ref(p) for p in r.photos]}
                      for r in inspection.checklist_results],
        "findings": [{"uuid": f.uuid, "category": str(f.category), "severity": str(f.severity),
                      "description": f.description, "photos": [_stored_ref(p) for p in f.photos]}
                     for f in inspection.findings],
    }


def _stored_ref(photo: Photo) -> dict:
    return {"uuid": photo.uuid, "sha256": photo.sha256, "size": photo.size,
            "content_type": photo.content_type, "filename": photo.filename,
            "added_at": _utc_iso(photo.added_at)}


def _utc_iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _check_checklist_items(record: dict) -> None:
    ids = [line["checklist_item_id"] for line in record["checklist"]]
    if not ids:
        return
    known = set(db.session.scalars(select(ChecklistItem.id).where(ChecklistItem.id.in_(ids))))
    for i, item_id in enumerate(ids):
        if item_id not in known:
            raise InvalidInput("检查项不存在", field=f"checklist[{i}].checklist_item_id")


def _check_uuids_free(record: dict, inspection: Inspection) -> None:
    """Finding and photo uuids must not belong to another inspection."""
    mine = inspection.id or 0
    findings = [f["uuid"] for f in record["findings"]]
    if findings:
        taken = set(db.session.scalars(select(Finding.uuid).where(
            Finding.uuid.in_(findings), Finding.inspection_id != mine)))
        for i, uuid in enumerate(findings):
            if uuid in taken:
                raise InvalidInput("问题编号已被其他检查记录使用", field=f"findings[{i}].uuid")
    refs = record_body.all_photo_refs(record)
    if refs:
        uuids = [p["uuid"] for _, p in refs]
        taken = set(db.session.scalars(select(Photo.uuid).where(
            Photo.uuid.in_(uuids), Photo.inspection_id != mine)))
        for field, ref in refs:
            if ref["uuid"] in taken:
                raise InvalidInput("照片编号已被其他检查记录使用", field=f"{field}.uuid")


def _check_received_unchanged(record: dict, inspection: Inspection) -> None:
    """A photo whose file has arrived keeps its hash: a record naming other bytes is a 409."""
    received = {p.uuid: p for p in inspection.photos if p.received_at is not None}
    for field, ref in record_body.all_photo_refs(record):
        photo = received.get(ref["uuid"])
        if photo is not None and photo.sha256 != ref["sha256"]:
            raise PhotoConflict(photo, field=f"{field}.sha256")


def _apply(inspection: Inspection, record: dict, digest: str) -> None:
    """Write the record's fields and children, reusing rows by their natural keys."""
    gps = record["gps"] or {}
    inspection.target_unit_id = record["target_unit_id"]
    inspection.mode = record["mode"]
    inspection.started_at = datetime.fromisoformat(record["started_at"])
    inspection.ended_at = (datetime.fromisoformat(record["ended_at"])
                           if record["ended_at"] else None)
    inspection.place = record["place"]
    inspection.companions = record["companions"]
    inspection.gps_lat, inspection.gps_lon = gps.get("lat"), gps.get("lon")
    inspection.gps_accuracy = gps.get("accuracy")
    inspection.body_hash = digest

    old_results = {r.checklist_item_id: r for r in inspection.checklist_results}
    old_findings = {f.uuid: f for f in inspection.findings}
    old_photos = {p.uuid: p for p in inspection.photos}
    photos: list[Photo] = []
    results = []
    for i, line in enumerate(record["checklist"]):
        row = old_results.get(line["checklist_item_id"]) or ChecklistResult(
            checklist_item_id=line["checklist_item_id"])
        row.result, row.note, row.position = line["result"], line["note"], i
        row.photos = [_photo(old_photos, ref) for ref in line["photos"]]
        photos += row.photos
        results.append(row)
    findings = []
    for i, data in enumerate(record["findings"]):
        finding = old_findings.get(data["uuid"]) or Finding(uuid=data["uuid"])
        finding.category, finding.severity = data["category"], data["severity"]
        finding.description, finding.position = data["description"], i
        finding.photos = [_photo(old_photos, ref) for ref in data["photos"]]
        photos += finding.photos
        findings.append(finding)
    for i, photo in enumerate(photos):
        photo.position = i
    inspection.checklist_results = results  # rows left out are deleted (delete-orphan)
    inspection.findings = findings
    inspection.photos = photos


def _photo(old: dict[str, Photo], ref: dict) -> Photo:
    # A photo not yet received may name another file; one received may not (checked above).
    photo = old.get(ref["uuid"]) or Photo(uuid=ref["uuid"], sha256=ref["sha256"])
    photo.sha256, photo.size = ref["sha256"], ref["size"]
    photo.content_type, photo.filename = ref["content_type"], ref["filename"]
    photo.added_at = datetime.fromisoformat(ref["added_at"]) if ref["added_at"] else None
    photo.finding = photo.checklist_result = None
    return photo


# --- photos ------------------------------------------------------------------------------


def receive_photo(*, inspection_uuid: str, photo_uuid: str, stream: BinaryIO,
                  sha256_header: str | None, content_type: str | None,
                  actor: User) -> tuple[Photo, bool]:
    """Store a listed photo's bytes; returns (photo, stored now). The same bytes again change
    nothing (200); other bytes for a photo already received are refused (409)."""
    photo = _listed_photo(inspection_uuid, photo_uuid, actor)
    claimed = (sha256_header or "").strip().lower()
    if photo.received_at is not None:
        if claimed != photo.sha256 or _digest(stream) != photo.sha256:
            raise PhotoConflict(photo)
        return photo, False
    if claimed != photo.sha256:
        raise InvalidInput("X-Content-SHA256 与记录中的照片校验值不一致",
                           code="hash_mismatch", field="X-Content-SHA256")
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype not in PHOTO_NAMES:
        raise UnsupportedType("不支持的照片格式：请上传 JPEG、PNG、WebP 或 HEIC 照片",
                              field="Content-Type")
    photo_id, expected, added_at = photo.id, photo.sha256, photo.added_at
    parts = caption_parts(photo.inspection)
    db.session.commit()  # nothing written yet: end the lookup so no lock is held while streaming
    info = ingest(stream, expected, parts, added_at=added_at)
    _lock(f"photo:{photo_uuid}")
    photo = db.session.scalar(select(Photo).where(Photo.id == photo_id).with_for_update())
    if photo is None or photo.sha256 != expected:
        raise NotFound("该照片已不在检查记录中")
    if photo.received_at is not None:  # a concurrent upload of the same photo won the race
        return photo, False
    record_received(photo=photo, info=info, actor=actor)
    return photo, True


def record_received(*, photo: Photo, info, actor: User | None) -> None:
    """Keep the stored facts (PhotoInfo) of a photo whose bytes are in the media store."""
    photo.received_at = utcnow()
    photo.received_type = info.content_type
    photo.thumb_sha256, photo.display_sha256 = info.thumb_sha256, info.display_sha256
    photo.width, photo.height, photo.taken_at = info.width, info.height, info.taken_at
    photo.gps_lat, photo.gps_lon, photo.gps_alt = info.gps_lat, info.gps_lon, info.gps_alt
    photo.camera_model = info.camera_model[:128] if info.camera_model else None
    db.session.flush()
    _record(photo.inspection, "photo_receive", actor, photo=photo.uuid, sha256=photo.sha256)


def _listed_photo(inspection_uuid: str, photo_uuid: str, actor: User) -> Photo:
    if not record_body.UUID_RE.fullmatch(inspection_uuid or "") or \
            not record_body.UUID_RE.fullmatch(photo_uuid or ""):
        raise NotFound("找不到该照片")
    inspection = _own(inspection_uuid, actor)
    photo = next((p for p in inspection.photos if p.uuid == photo_uuid), None)
    if photo is None:
        raise NotFound("检查记录中没有这张照片")
    return photo


def _digest(stream: BinaryIO) -> str:
    """SHA-256 of a body we do not keep (reading it also keeps the connection usable)."""
    digest = hashlib.sha256()
    while chunk := stream.read(1024 * 1024):
        digest.update(chunk)
    return digest.hexdigest()


def caption_parts(inspection: Inspection) -> tuple[str, str]:
    place = inspection.place.replace("\n", " ") if inspection.place else ""
    return place, inspection.target_unit.name


def caption_time(taken_at: datetime | None, added_at: datetime | None,
                 received: datetime) -> tuple[str, datetime]:
    """The time a photo's caption shows, with its label: the capture time from EXIF; without
    one, when the photo was added on the phone; when the record does not say, when it came."""
    if taken_at:
        return "拍摄时间", taken_at
    if added_at:
        return "添加时间", added_at
    return "上传时间", received


def caption(label: str, moment: datetime, place: str, unit_name: str) -> str:
    """Display-copy caption: labelled local time, place, unit."""
    local = local_time(moment)
    return " ".join(part for part in (f"{label} {local:%Y-%m-%d %H:%M}", place, unit_name)
                    if part)


def ingest(stream: BinaryIO, expected: str, parts: tuple[str, str], *,
           added_at: datetime | None = None):
    """Store the original and its copies (media.photos); the display copy's caption carries
    the time caption_time picks, labelled, without decoding the photo twice."""
    received = utcnow()
    return ingest_photo(
        stream, expected_sha256=expected, max_bytes=int(current_app.config["MAX_PHOTO_BYTES"]),
        caption=lambda taken_at: caption(*caption_time(taken_at, added_at, received), *parts),
    )


# --- submit and publish -------------------------------------------------------------------


def submit_inspection(*, uuid: str, actor: User) -> Inspection:
    """提交: every listed photo must have arrived with its hash; repeats are harmless."""
    inspection = _own(uuid, actor)
    _lock(f"inspection:{inspection.uuid}")
    db.session.refresh(inspection)
    if inspection.state != InspectionState.DRAFT:
        return inspection
    missing = [p.uuid for p in inspection.photos if p.received_at is None]
    if missing:
        raise PhotosMissing(missing)
    inspection.state = InspectionState.SUBMITTED
    inspection.submitted_at = utcnow()
    _record(inspection, "inspection_submit", actor, photos=len(inspection.photos))
    return inspection


def publish_inspection(*, uuid: str, actor: User, result_summary: object) -> Inspection:
    """发布: the office publishes the result; from now on the unit's liaison may see it."""
    if actor.role != Role.OFFICE:
        raise NotAllowed("只有督办员可以发布检查结果")
    inspection = get_inspection(uuid, actor)
    _lock(f"inspection:{inspection.uuid}")
    db.session.refresh(inspection)
    if inspection.state == InspectionState.PUBLISHED:
        raise StateConflict("该检查结果已发布", code="already_published")
    if inspection.state != InspectionState.SUBMITTED:
        raise StateConflict("检查记录尚未提交（照片未到齐），不能发布", code="not_submitted")
    summary = record_body.text(result_summary, field="result_summary", label="检查结果",
                               required=True)
    inspection.result_summary = summary
    inspection.state = InspectionState.PUBLISHED
    inspection.published_at = utcnow()
    inspection.published_by_id = actor.id
    _record(inspection, "inspection_publish", actor, result_summary=summary)
    return inspection
