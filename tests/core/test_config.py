"""The README's configuration table is true: every DUBAN_ setting it names exists, and the
defaults it states are the defaults the code has."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from webapp.config import Defaults

README = Path(__file__).resolve().parents[2] / "README.md"
ROW = re.compile(r"^\| `DUBAN_([A-Z_]+)` \| ([^|]+) \|", re.MULTILINE)


def _table() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Configuration"):text.index("## Security")]
    return {name: default.strip() for name, default in ROW.findall(section)}


def test_every_documented_setting_exists():
    table = _table()
    assert len(table) >= 20
    assert [name for name in table if not hasattr(Defaults, name)] == []


def test_documented_numeric_defaults_are_the_code_defaults():
    checked = 0
    for name, default in _table().items():
        number = re.match(r"^([\d,]+)", default)
        if not number:
            continue
        value = getattr(Defaults, name)
        if isinstance(value, timedelta):
            value = value.total_seconds()
        assert value == int(number.group(1).replace(",", "")), name
        checked += 1
    assert checked >= 12
