"""Evidence that fits the item: what the office asks an item's 办结反馈 to carry (现场照片,
书面材料, 量化数据), and the one check a final feedback passes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from webapp.errors import InvalidInput
from webapp.media.files import PHOTOS
from webapp.supervision.models import Evidence, SupervisionItem
from webapp.validation import clean_text, parse_choice

FIGURE_NAME = 64
_NUMBER = re.compile(r"[0-9]{1,12}(\.[0-9]{1,4})?")


def required(values: Iterable[object], figure: object) -> tuple[list[str] | None, str | None]:
    """The office's choice as stored on the item: Evidence values in declaration order (None:
    nothing asked), and the name of the number when 量化数据 is asked (required then)."""
    chosen = {parse_choice(v, Evidence, field="evidence", label="证据要求") for v in values if v}
    figure = clean_text(figure, field="evidence_figure", label="数据名称", required=False,
                        max_len=FIGURE_NAME, single_line=True)
    if Evidence.FIGURE in chosen and not figure:
        raise InvalidInput("要求报送量化数据时，请填写数据名称（如“整改隐患数（处）”）",
                           field="evidence_figure")
    kept = [str(e) for e in Evidence if e in chosen]
    return (kept or None), (figure if Evidence.FIGURE in chosen else None)


def asked(item: SupervisionItem) -> list[Evidence]:
    return [Evidence(v) for v in item.evidence_required or () if v in Evidence._value2member_map_]


def describe(item: SupervisionItem) -> str | None:
    """"现场照片、量化数据（整改隐患数）": what the item asks, for pages and messages."""
    parts = [f"{e.label}（{item.evidence_figure}）" if e == Evidence.FIGURE else e.label
             for e in asked(item)]
    return "、".join(parts) or None


def figure_value(value: object) -> str | None:
    """A reported number as text ("17", "3.5"), or None when not given."""
    text = clean_text(value, field="figure", label="量化数据", required=False, max_len=32,
                      single_line=True)
    if text is None:
        return None
    if not _NUMBER.fullmatch(text):
        raise InvalidInput("量化数据应为数字（如 17 或 3.5）", field="figure")
    return text


def check_final(item: SupervisionItem, content_types: Sequence[str], figure: str | None) -> None:
    """Refuse a 办结反馈 without what the item asks, naming everything missing (422)."""
    photos = sum(t in PHOTOS for t in content_types)
    missing = []
    for e in asked(item):
        if e == Evidence.PHOTO and not photos:
            missing.append("现场照片（至少一张）")
        elif e == Evidence.DOCUMENT and photos == len(content_types):
            missing.append("书面材料（PDF、Word、Excel、WPS 或 OFD 文件）")
        elif e == Evidence.FIGURE and figure is None:
            missing.append(f"量化数据“{item.evidence_figure}”")
    if missing:
        raise InvalidInput(f"本事项的办结反馈须附{'、'.join(missing)}，请补充后再提交",
                           code="evidence_missing", field="evidence")
