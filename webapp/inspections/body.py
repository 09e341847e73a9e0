"""An inspection record's identity: its normal form (webapp.inspections.schemas declares and
checks the fields; `checked` adds what fields alone cannot say) and the hash of its canonical
form, so the same record sent twice hashes the same, whichever app version sent it.

The canonical form of a record (its identity):
1. the normalised record: the known fields only (keys a later version adds are ignored by an
   older server), text trimmed, uuids and hashes in lower case, times in UTC ISO 8601,
   numbers of positions as floats; lists keep their order;
2. every member whose value is null, an empty string, an empty list or an empty object is
   left out, at every depth: an optional field added later, absent or null, changes nothing;
3. serialized as JSON with keys sorted, no whitespace, non-ASCII as is, encoded as UTF-8.
The record's author is not part of it: the server checks the author against the caller.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from pydantic import ValidationError

from webapp.api.declare import refusal
from webapp.errors import InvalidInput
from webapp.inspections.schemas import UUID_PATTERN, InspectionBody
from webapp.validation import LONG, clean_text

UUID_RE = re.compile(UUID_PATTERN.strip("^$"))


def parse_uuid(value: object, *, field: str) -> str:
    """A canonical lower-case UUID string, or InvalidInput."""
    if isinstance(value, str) and UUID_RE.fullmatch(value.strip().lower()):
        return value.strip().lower()
    raise InvalidInput("编号格式不正确（应为 UUID）", field=field)


def text(value: object, *, field: str, label: str, required: bool = False,
         max_len: int = LONG) -> str | None:
    """clean_text, optional by default (most fields of a record may be left empty)."""
    return clean_text(value, field=field, label=label, required=required, max_len=max_len)


def parse_record(body: Any) -> dict:
    """The phone's record (a JSON-decoded object) in its normal form; InvalidInput (422, with
    the field) when wrong. The API declares the same model and calls `checked` itself."""
    try:
        return checked(InspectionBody.model_validate(body))
    except ValidationError as err:
        raise refusal(err, InspectionBody, shape_status=422) from None


def checked(body: InspectionBody) -> dict:
    """What the fields alone cannot say: times in order, no id twice."""
    record = body.record()
    if record["ended_at"] and record["ended_at"] < record["started_at"]:
        raise InvalidInput("结束时间不能早于开始时间", field="ended_at")
    _check_unique(record)
    return record


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
