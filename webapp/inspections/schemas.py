"""The inspection record the phone sends, declared once: the checks of every field (each
refusal 422 with the field's path, e.g. `findings[0].photos[0].sha256`), its normal form
(`record()`, whose canonical JSON is the record's identity: see webapp.inspections.body) and
its OpenAPI schema. Keys a later app version adds are ignored, so old servers accept new
phones."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from flask import current_app
from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from webapp.api.declare import MAX_ID, Body, Text
from webapp.database import utcnow
from webapp.inspections.models import CheckResult, FindingCategory, InspectionMode, Severity
from webapp.media.files import PHOTO_NAMES
from webapp.media.store import is_sha256

UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
MAX_ROWS = 500  # checklist lines or findings in one record
MAX_PHOTOS = 200  # photos in one record's line or finding


def _refused(message: str) -> PydanticCustomError:
    return PydanticCustomError("refused", message)


def _check(test: Callable[[object], object], message: str, *, optional: bool = False):
    """A field check: `test(value)` gives the normal value, or None for a refusal."""

    def check(value: object) -> object:
        if value is None and optional:
            return None
        result = test(value)
        if result is None:
            raise _refused(message)
        return result

    return BeforeValidator(check)


def _uuid(value: object) -> str | None:
    if isinstance(value, str) and re.fullmatch(UUID_PATTERN, value.strip().lower()):
        return value.strip().lower()
    return None


def _whole(low: int, high: int | Callable[[], int]) -> Callable[[object], int | None]:
    def test(value: object) -> int | None:
        limit = high() if callable(high) else high
        ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= limit
        return value if ok else None

    return test


def _number(low: float, high: float):
    def test(value: object) -> float | None:
        ok = isinstance(value, int | float) and not isinstance(value, bool) \
            and math.isfinite(value) and low <= value <= high
        return float(value) if ok else None

    return test


def _choice(enum_cls):
    values = [m.value for m in enum_cls]

    def test(value: object) -> str | None:
        return value if isinstance(value, str) and value in values else None

    return test, f"的取值无效（可选：{'、'.join(values)}）"


def _moment(label: str, *, required: bool):
    """An ISO 8601 time with its zone, as UTC ISO; 2000 to tomorrow."""

    def check(value: object) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str) or len(value) > 40:
            raise _refused(f"请填写{label}（ISO 8601，带时区）")
        try:
            moment = datetime.fromisoformat(value.strip())
            if moment.tzinfo is None:
                raise _refused(f"{label}须带时区（如 +08:00）")
            moment = moment.astimezone(UTC)
        except (ValueError, OverflowError):
            raise _refused(f"{label}不是有效时间（ISO 8601，带时区）") from None
        if moment.year < 2000 or moment > utcnow() + timedelta(days=1):
            raise _refused(f"{label}超出合理范围")
        return moment.isoformat()

    kind = "string" if required else ["string", "null"]
    return Annotated[str | None, BeforeValidator(check), Field(title=label),
                     WithJsonSchema({"type": kind, "format": "date-time"})]


def _rows(label: str, limit: int):
    def check(value: object) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            raise _refused(f"{label}应为列表")
        if len(value) > limit:
            raise _refused(f"{label}不能超过 {limit} 项")
        return value

    return BeforeValidator(check)


Uuid = Annotated[str, _check(_uuid, "编号格式不正确（应为 UUID）"),
                 WithJsonSchema({"type": "string", "format": "uuid"})]


def _choice_field(enum_cls, label: str):
    test, suffix = _choice(enum_cls)
    return Annotated[enum_cls, _check(test, label + suffix), Field(title=label)]


class _Part(Body):
    model_config = ConfigDict(extra="ignore", strict=False)


class PhotoRef(_Part):
    """A photo the record lists; its bytes follow with PUT …/photos/{uuid}."""

    uuid: Uuid = Field(title="照片编号")
    sha256: Annotated[str, _check(
        lambda v: v.strip().lower() if isinstance(v, str) and is_sha256(v.strip().lower())
        else None, "照片校验值应为 64 位十六进制 SHA-256"),
        WithJsonSchema({"type": "string", "pattern": "^[0-9a-f]{64}$"})] = Field(
        title="照片校验值")
    size: Annotated[int, _check(_whole(1, lambda: current_app.config["MAX_PHOTO_BYTES"]),
                                "照片大小超出允许范围"),
                    WithJsonSchema({"type": "integer", "minimum": 1})] = Field(title="照片大小")
    content_type: Annotated[str, _check(
        lambda v: v.strip().lower() if isinstance(v, str) and v.strip().lower() in PHOTO_NAMES
        else None, f"照片类型应为 {'、'.join(PHOTO_NAMES)}"),
        WithJsonSchema({"type": "string", "enum": list(PHOTO_NAMES)})] = Field(title="照片类型")
    filename: Text("文件名", max_len=255, single_line=True) = None
    added_at: _moment("照片添加时间", required=False) = None


Photos = Annotated[list[PhotoRef], _rows("照片", MAX_PHOTOS)]


class CheckLine(_Part):
    checklist_item_id: Annotated[int, _check(_whole(1, MAX_ID), "检查项编号不正确"),
                                 WithJsonSchema({"type": "integer", "minimum": 1})] = Field(
        title="检查项")
    result: _choice_field(CheckResult, "检查结果")
    note: Text("备注") = None
    photos: Photos = Field(default_factory=list, title="照片")


class FindingBody(_Part):
    uuid: Uuid = Field(title="问题编号")
    category: _choice_field(FindingCategory, "问题类别")
    severity: _choice_field(Severity, "严重程度")
    description: Text("问题描述", required=True)
    photos: Photos = Field(default_factory=list, title="照片")


class Gps(_Part):
    lat: Annotated[float, _check(_number(-90, 90), "纬度应在 -90 到 90 之间")] = Field(
        title="纬度")
    lon: Annotated[float, _check(_number(-180, 180), "经度应在 -180 到 180 之间")] = Field(
        title="经度")
    accuracy: Annotated[float | None, _check(_number(0, 1_000_000), "精度应在 0 到 1000000 米之间",
                                             optional=True),
                        WithJsonSchema({"type": ["number", "null"]})] = Field(
        None, title="精度（米）")


class InspectionBody(_Part):
    """The whole record of one inspection, as the phone keeps it."""

    target_unit_id: Annotated[int, _check(_whole(1, MAX_ID), "请选择被检查单位"),
                              WithJsonSchema({"type": "integer", "minimum": 1})] = Field(
        title="被检查单位")
    mode: _choice_field(InspectionMode, "检查方式")
    started_at: _moment("开始时间", required=True)
    ended_at: _moment("结束时间", required=False) = None
    place: Text("检查地点") = None
    gps: Gps | None = Field(None, title="定位")
    companions: Text("同行人员") = None
    checklist: Annotated[list[CheckLine], _rows("检查项", MAX_ROWS)] = Field(
        default_factory=list, title="检查项")
    findings: Annotated[list[FindingBody], _rows("发现问题", MAX_ROWS)] = Field(
        default_factory=list, title="发现问题")
    author: Annotated[str | None, _check(
        lambda v: v.strip() if isinstance(v, str) and 0 < len(v.strip()) <= 64 else None,
        "记录的作者应为用户名", optional=True),
        WithJsonSchema({"type": ["string", "null"], "maxLength": 64})] = Field(
        None, title="作者", description="the account that made the record on the phone; "
        "refused (403) unless it is the caller; not part of the record's identity")

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            raise _refused("检查记录应为 JSON 对象")
        return value

    def record(self) -> dict:
        """The record in its normal form (without the author): plain data for the services
        and for the record's identity (webapp.inspections.body.body_hash)."""
        return self.model_dump(exclude={"author"})
