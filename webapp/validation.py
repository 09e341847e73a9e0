"""Checks for user input shared by all domains: text, dates, choices. Messages are Chinese."""

from __future__ import annotations

import enum
import re
from datetime import date
from typing import TypeVar

from webapp.errors import InvalidInput

# XML 1.0 forbids these; a Word file or PDF could not carry them, so they are refused at input.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# Lone UTF-16 surrogates (from a broken client's JSON): no database or document can store them.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Invisible format characters (zero-width, direction marks, variation selectors): dropped.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff]")
# What no document font can print (emoji and pictographs, dingbats, private use, tag
# characters): refused by name, so it never reaches a 公文 as an empty box.
_UNPRINTABLE = re.compile("[\u2700-\u27bf\ue000-\uf8ff\U0001f000-\U0001faff\U000e0000-\U000e007f]")
SHORT = 200
E = TypeVar("E", bound=enum.Enum)
LONG = 5000
MAX_ID = 2**31 - 1  # ids are 32-bit on PostgreSQL; a larger number cannot name a record
MIN_YEAR, MAX_YEAR = 1949, 2099  # a date outside these years is a typing mistake
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def clean_text(
    value: object, *, field: str, label: str, required: bool = True, max_len: int = LONG,
    single_line: bool = False,
) -> str | None:
    """Stripped text, or None when empty and optional; refuses control characters and excess."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{label}格式不正确", field=field)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\u2028", "\n").replace("\u2029", "\n")  # Unicode line breaks
    value = _INVISIBLE.sub("", value).strip()
    if not value:
        if required:
            raise InvalidInput(f"请填写{label}", field=field)
        return None
    if _CONTROL.search(value):
        raise InvalidInput(f"{label}含有不可见的控制字符，请删除后再提交", field=field)
    if _SURROGATE.search(value):
        raise InvalidInput(f"{label}含有无效字符", field=field)
    if bad := _UNPRINTABLE.search(value):
        char = bad.group()
        raise InvalidInput(f"{label}含有公文无法打印的字符“{char}”（U+{ord(char):04X}），"
                           "请删除或改用文字后再提交", field=field)
    if single_line and "\n" in value:
        raise InvalidInput(f"{label}不能换行", field=field)
    if len(value) > max_len:
        raise InvalidInput(f"{label}不能超过 {max_len} 个字（现有 {len(value)} 个）", field=field)
    return value


def day_problem(value: str) -> tuple[date | None, str | None]:
    """(the date, None) for text written YYYY-MM-DD in 1949–2099, else (None, why): not
    20301231, not an ISO week date (2026-W01-1), not 9999-12-31."""
    value = value.strip()
    try:
        day = date.fromisoformat(value) if _DAY.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None:
        return None, "不是有效日期（格式：2026-12-31）"
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        return None, f"的年份应在 {MIN_YEAR} 至 {MAX_YEAR} 之间"
    return day, None


def parse_date(value: object, *, field: str, label: str, required: bool = True) -> date | None:
    """A date from text written YYYY-MM-DD (see day_problem) or a date object."""
    if isinstance(value, date):
        return value
    if value in (None, ""):
        if required:
            raise InvalidInput(f"请填写{label}", field=field)
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{label}格式不正确", field=field)
    day, problem = day_problem(value)
    if problem:
        raise InvalidInput(f"{label}{problem}", field=field)
    return day


def parse_int(value: object, *, field: str, label: str, low: int, high: int,
              required: bool = False) -> int | None:
    """A whole number typed in a form (ASCII digits, an optional minus), within low..high."""
    text = value.strip() if isinstance(value, str) else ("" if value is None else str(value))
    if not text:
        if required:
            raise InvalidInput(f"请填写{label}", field=field)
        return None
    digits = text.removeprefix("-")
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 9):
        raise InvalidInput(f"{label}应为整数", field=field)
    number = int(text)
    if not low <= number <= high:
        raise InvalidInput(f"{label}应在 {low} 到 {high} 之间", field=field)
    return number


def page_arg(value: object) -> int:
    """The page number a list page was asked for (?page=): anything but a plain number in
    1..1,000,000 is page 1, as a mistyped link should be."""
    try:
        return parse_int(value, field="page", label="页码", low=1, high=1_000_000) or 1
    except InvalidInput:
        return 1


def parse_id(value: object, *, field: str, label: str, required: bool = True) -> int | None:
    """A record id from a form or query: ASCII digits, 1 to MAX_ID ("²" and 2^70 are no id)."""
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    elif value is None:
        text = ""
    else:
        raise InvalidInput(f"{label}不存在", field=field)
    if not text:
        if required:
            raise InvalidInput(f"请选择{label}", field=field)
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 10 and 0 < int(text) <= MAX_ID):
        raise InvalidInput(f"{label}不存在", field=field)
    return int(text)


def parse_choice(
    value: object, enum_cls: type[E], *, field: str, label: str, required: bool = True,
) -> E | None:
    if value in (None, ""):
        if required:
            raise InvalidInput(f"请选择{label}", field=field)
        return None
    try:
        return enum_cls(value)
    except ValueError:
        raise InvalidInput(f"{label}的取值无效", field=field) from None


def parse_bool(value: object) -> bool:
    return value in (True, "1", "true", "on", "yes", 1)
