"""Checking an inspection record sent by the phone, and its canonical form and hash.

`parse_record` turns the JSON body into plain, normalised data (or raises InvalidInput with
the offending field); `body_hash` is the SHA-256 of its canonical form, so the same record
sent twice hashes the same, whichever app version sent it.

The canonical form of a record (its identity):
1. the normalised record: the known fields only (keys a later version adds are ignored by an
   older server), text trimmed, uuids and hashes in lower case, times in UTC ISO 8601,
   numbers of positions as floats; lists keep their order;
2. every member whose value is null, an empty string, an empty list or an empty object is
   left out, at every depth: an optional field added later, absent or null, changes nothing;
3. serialised as JSON with keys sorted, no whitespace, non-ASCII as is, encoded as UTF-8.
The record's author is not part of it: the server checks the author against the caller.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app

from webapp.database import utcnow
from webapp.errors import InvalidInput
from webapp.inspections.models import CheckResult, FindingCategory, InspectionMode, Severity
from webapp.media.store import is_sha256
from webapp.validation import LONG, clean_text

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/heif")
MAX_ROWS = 500  # checklist lines or findings in one record
MAX_PHOTOS = 200  # photos in one record
MAX_ID = 2_147_483_647  # a database integer key


def parse_uuid(value: object, *, field: str) -> str:
    """A canonical lower-case UUID string, or InvalidInput."""
    if isinstance(value, str) and UUID_RE.fullmatch(value.strip().lower()):
        return value.strip().lower()
    raise InvalidInput("编号格式不正确（应为 UUID）", field=field)


def text(value: object, *, field: str, label: str, required: bool = False,
         max_len: int = LONG) -> str | None:
    """clean_text, optional by default (most fields of a record may be left empty)."""
    return clean_text(value, field=field, label=label, required=required, max_len=max_len)


def _choice(value: object, enum_cls, *, field: str, label: str) -> str:
    values = [m.value for m in enum_cls]
    if not isinstance(value, str) or value not in values:
        raise InvalidInput(f"{label}的取值无效（可选：{'、'.join(values)}）", field=field)
    return value


def _moment(value: object, *, field: str, label: str, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise InvalidInput(f"请填写{label}（ISO 8601，带时区）", field=field)
    try:
        moment = datetime.fromisoformat(value.strip())
        if moment.tzinfo is None:
            raise InvalidInput(f"{label}须带时区（如 +08:00）", field=field)
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidInput(f"{label}不是有效时间（ISO 8601，带时区）", field=field) from None
    if moment.year < 2000 or moment > utcnow() + timedelta(days=1):
        raise InvalidInput(f"{label}超出合理范围", field=field)
    return moment.isoformat()


def _number(value: object, *, field: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value) or not low <= value <= high:
        raise InvalidInput(f"数值应在 {low} 到 {high} 之间", field=field)
    return float(value)


def _gps(value: object) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidInput("定位格式不正确", field="gps")
    accuracy = value.get("accuracy")
    return {
        "lat": _number(value.get("lat"), field="gps.lat", low=-90, high=90),
        "lon": _number(value.get("lon"), field="gps.lon", low=-180, high=180),
        "accuracy": None if accuracy is None else _number(
            accuracy, field="gps.accuracy", low=0, high=1_000_000),
    }


def _list(value: object, *, field: str, limit: int) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput("应为列表", field=field)
    if len(value) > limit:
        raise InvalidInput(f"不能超过 {limit} 项", field=field)
    return value


def _object(value: object, *, field: str) -> dict:
    if not isinstance(value, dict):
        raise InvalidInput("格式不正确（应为对象）", field=field)
    return value


def _photo(value: object, *, field: str) -> dict:
    ref = _object(value, field=field)
    sha = ref.get("sha256")
    if not isinstance(sha, str) or not is_sha256(sha.strip().lower()):
        raise InvalidInput("照片校验值应为 64 位十六进制 SHA-256", field=f"{field}.sha256")
    size = ref.get("size")
    max_bytes = current_app.config["MAX_PHOTO_BYTES"]
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= max_bytes:
        raise InvalidInput(f"照片大小应在 1 到 {max_bytes} 字节之间", field=f"{field}.size")
    ctype = ref.get("content_type")
    if not isinstance(ctype, str) or ctype.strip().lower() not in PHOTO_TYPES:
        raise InvalidInput(f"照片类型应为 {'、'.join(PHOTO_TYPES)}",
                           field=f"{field}.content_type")
    filename = text(ref.get("filename"), field=f"{field}.filename", label="文件名", max_len=255)
    if filename and "\n" in filename:
        raise InvalidInput("文件名不能换行", field=f"{field}.filename")
    return {"uuid": parse_uuid(ref.get("uuid"), field=f"{field}.uuid"),
            "sha256": sha.strip().lower(), "size": size,
            "content_type": ctype.strip().lower(), "filename": filename,
            "added_at": _moment(ref.get("added_at"), field=f"{field}.added_at",
                                label="照片添加时间", required=False)}


def _photos(value: object, *, field: str) -> list[dict]:
    rows = _list(value, field=field, limit=MAX_PHOTOS)
    return [_photo(p, field=f"{field}[{i}]") for i, p in enumerate(rows)]


def _check_line(value: object, *, field: str) -> dict:
    row = _object(value, field=field)
    item_id = row.get("checklist_item_id")
    if isinstance(item_id, bool) or not isinstance(item_id, int) or not 0 < item_id <= MAX_ID:
        raise InvalidInput("检查项编号不正确", field=f"{field}.checklist_item_id")
    return {
        "checklist_item_id": item_id,
        "result": _choice(row.get("result"), CheckResult, field=f"{field}.result",
                          label="检查结果"),
        "note": text(row.get("note"), field=f"{field}.note", label="备注"),
        "photos": _photos(row.get("photos"), field=f"{field}.photos"),
    }


def _finding(value: object, *, field: str) -> dict:
    row = _object(value, field=field)
    return {
        "uuid": parse_uuid(row.get("uuid"), field=f"{field}.uuid"),
        "category": _choice(row.get("category"), FindingCategory, field=f"{field}.category",
                            label="问题类别"),
        "severity": _choice(row.get("severity"), Severity, field=f"{field}.severity",
                            label="严重程度"),
        "description": text(row.get("description"), field=f"{field}.description",
                            label="问题描述", required=True),
        "photos": _photos(row.get("photos"), field=f"{field}.photos"),
    }


def parse_record(body: Any) -> dict:
    """The phone's record as plain normalised data; InvalidInput (with field) when wrong."""
    body = _object(body, field="body")
    unit_id = body.get("target_unit_id")
    if isinstance(unit_id, bool) or not isinstance(unit_id, int) or not 0 < unit_id <= MAX_ID:
        raise InvalidInput("请选择被检查单位", field="target_unit_id")
    record = {
        "target_unit_id": unit_id,
        "mode": _choice(body.get("mode"), InspectionMode, field="mode", label="检查方式"),
        "started_at": _moment(body.get("started_at"), field="started_at", label="开始时间",
                              required=True),
        "ended_at": _moment(body.get("ended_at"), field="ended_at", label="结束时间",
                            required=False),
        "place": text(body.get("place"), field="place", label="检查地点"),
        "gps": _gps(body.get("gps")),
        "companions": text(body.get("companions"), field="companions", label="同行人员"),
        "checklist": [_check_line(r, field=f"checklist[{i}]") for i, r in
                      enumerate(_list(body.get("checklist"), field="checklist", limit=MAX_ROWS))],
        "findings": [_finding(r, field=f"findings[{i}]") for i, r in
                     enumerate(_list(body.get("findings"), field="findings", limit=MAX_ROWS))],
    }
    if record["ended_at"] and record["ended_at"] < record["started_at"]:
        raise InvalidInput("结束时间不能早于开始时间", field="ended_at")
    _check_unique(record)
    return record


def parse_author(body: Any) -> str | None:
    """The username of the account that made the record on the phone, when the body names it."""
    value = _object(body, field="body").get("author")
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value.strip()) <= 64:
        raise InvalidInput("记录的作者应为用户名", field="author")
    return value.strip()


def _check_unique(record: dict) -> None:
    seen_items: set[int] = set()
    for i, line in enumerate(record["checklist"]):
        if line["checklist_item_id"] in seen_items:
            raise InvalidInput("同一检查项出现了两次", field=f"checklist[{i}].checklist_item_id")
        seen_items.add(line["checklist_item_id"])
    seen_findings: set[str] = set()
    for i, finding in enumerate(record["findings"]):
        if finding["uuid"] in seen_findings:
            raise InvalidInput("同一问题编号出现了两次", field=f"findings[{i}].uuid")
        seen_findings.add(finding["uuid"])
    seen_photos: set[str] = set()
    for field, photo in all_photo_refs(record):
        if photo["uuid"] in seen_photos:
            raise InvalidInput("同一照片编号出现了两次", field=f"{field}.uuid")
        seen_photos.add(photo["uuid"])


def all_photo_refs(record: dict) -> list[tuple[str, dict]]:
    """Every PhotoRef of the record with its field path, in record order."""
    refs = []
    for i, line in enumerate(record["checklist"]):
        refs += [(f"checklist[{i}].photos[{j}]", p) for j, p in enumerate(line["photos"])]
    for i, finding in enumerate(record["findings"]):
        refs += [(f"findings[{i}].photos[{j}]", p) for j, p in enumerate(finding["photos"])]
    return refs


EMPTY = (None, "", [], {})


def canonical(value: Any) -> Any:
    """`value` without members that are null or empty, at every depth (list items stay)."""
    if isinstance(value, dict):
        pruned = {key: canonical(v) for key, v in value.items()}
        return {key: v for key, v in pruned.items() if v not in EMPTY}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def body_hash(record: dict) -> str:
    """SHA-256 of the record's canonical form as JSON (see the module's docstring)."""
    text_form = json.dumps(canonical(record), sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(text_form.encode("utf-8")).hexdigest()
