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


def parse_date(value: object, *, field: str, label: str, required: bool = True) -> date | None:
    """A date from an ISO string (YYYY-MM-DD) or a date object."""
    if isinstance(value, date):
        return value
    if value in (None, ""):
        if required:
            raise InvalidInput(f"请填写{label}", field=field)
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{label}格式不正确", field=field)
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{label}不是有效日期（格式：2026-12-31）", field=field) from None


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
