"""Values that carry their Chinese label: `ItemState.CLOSED.label == "已办结"`.

Every choice the interface shows (states, sources, roles, kinds…) is a `Labelled` StrEnum,
declared once with its label beside its value; pages, documents, the API and the phone app
read the label from the member (the phone app gets them from GET /api/v1/checklists).
"""

from __future__ import annotations

import enum


class Labelled(enum.StrEnum):
    """A StrEnum whose members are declared `NAME = "value", "标签"`."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs in declaration order, for select lists."""
        return [(m.value, m.label) for m in cls]
