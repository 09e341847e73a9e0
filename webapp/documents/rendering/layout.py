"""GB/T 9704-2012 geometry shared by the PDF and Word renderers (the standard's figures are
the constants below, each with its clause)."""

from __future__ import annotations

import unicodedata

MM = 72 / 25.4  # points per millimetre

PAGE_W, PAGE_H = 210.0, 297.0  # mm
TOP, LEFT, BOTTOM, RIGHT = 37.0, 28.0, 35.0, 26.0  # mm (text block 156 × 225)
BLOCK_W, BLOCK_H = PAGE_W - LEFT - RIGHT, PAGE_H - TOP - BOTTOM

BODY_PT = 16.0  # 3号
LINE_PT = 28.95  # exact line pitch: 22 lines fill the text block
CHAR_SPACING_PT = -0.25  # 28 characters fill 156 mm
CHAR_PT = BODY_PT + CHAR_SPACING_PT  # one character's advance
TITLE_PT = 22.0  # 2号
COLOPHON_PT = 14.0  # 4号
PAGE_NUMBER_PT = 14.0
PAGE_NUMBER_GAP_MM = 7.0  # dashes 7 mm under the text block

MARK_TOP_STANDARD_MM = 35.0  # below the top of the text block
MARK_TOP_LETTER_MM = 30.0  # below the top of the page
MARK_MAX_MM = 22.0
RULE_GAP_MM = 4.0  # red rule 4 mm under the 发文字号 / the letter-format mark
RULE_PT = 1.0  # red rule thickness (practice)
LETTER_RULE_MM = 170.0
LETTER_BOTTOM_RULE_MM = 20.0  # above the bottom of the page
COLOPHON_THICK_MM, COLOPHON_THIN_MM = 0.35, 0.25

RED = "#E60012"  # the red of printed 公文 (CMYK 0/100/100/0 on screen)
RED_HEX = "E60012"


def mark_size_mm(text: str) -> float:
    """Issuer mark size: fit the text block's width, at most 22 mm high."""
    return min(MARK_MAX_MM, BLOCK_W / max(1, len(text)))


def text_width(text: str) -> float:
    """Width in characters: full-width characters count 1, others ½ (for signatures)."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def standard_header_mm(mark: str) -> dict[str, float]:
    """Vertical positions (mm below the text block top) of the standard-format header."""
    line_mm = LINE_PT / MM
    mark_top = MARK_TOP_STANDARD_MM
    mark_h = mark_size_mm(mark)
    number_top = mark_top + mark_h + 2 * line_mm  # two blank lines under the mark
    # The 发文字号 sits centred in its line; the rule is 4 mm under its characters.
    number_bottom = number_top + line_mm / 2 + BODY_PT / MM / 2
    rule = number_bottom + RULE_GAP_MM
    title_top = rule + 2 * line_mm  # two blank lines under the rule
    return {
        "mark_top": mark_top,
        "mark_h": mark_h,
        "number_top": number_top,
        "rule": rule,
        "title_top": title_top,
    }


def letter_header_mm(mark: str, left_lines: int = 0) -> dict[str, float]:
    """Positions (mm below the text block top; negative = in the top margin), letter format.

    份号, 密级 and 紧急程度 (``left_lines`` of them) stand flush left under the first double
    rule, one a line; the 发文字号, flush right, shares the line of the last of them.
    """
    line_mm = LINE_PT / MM
    mark_top = MARK_TOP_LETTER_MM - TOP
    mark_h = mark_size_mm(mark)
    rule = mark_top + mark_h + RULE_GAP_MM  # top edge of the double rule
    left_top = rule + 1.5
    number_top = left_top + max(0, left_lines - 1) * line_mm  # flush right under the rule
    title_top = number_top + line_mm + 2 * line_mm  # two lines under the last element
    bottom_rule = PAGE_H - LETTER_BOTTOM_RULE_MM - TOP
    return {
        "mark_top": mark_top,
        "mark_h": mark_h,
        "left_top": left_top,
        "number_top": number_top,
        "rule": rule,
        "title_top": title_top,
        "bottom_rule": bottom_rule,
    }


TITLE_CHARS = int(BLOCK_W * MM // TITLE_PT)  # 2号 characters on one line (20)


TABLE_PT = 12.0  # 小四 in tables
TABLE_LINE_PT = 20.0  # exact line pitch of table text
CELL_PAD_PT = 3.0  # left and right cell padding
NOWRAP_CHARS = 6  # cells up to this wide never wrap (序号, 不符合, 100.0%)


def column_widths(rows: list[list[str]]) -> list[float]:
    """Column widths in points from the content (shared by PDF and Word).

    Every column gets at least its widest short cell (≤ 6 characters, so 序号, 不符合 and
    100.0% never wrap) or its header; what is left of the text block goes to the columns
    whose text would wrap, in proportion to how much more they hold.
    """
    total = BLOCK_W * MM
    cols = len(rows[0]) if rows else 0
    if not cols:
        return []
    pad = 2 * CELL_PAD_PT + 1
    short = [0.0] * cols
    want = [0.0] * cols
    for row in rows:
        for c, cell in enumerate(row[:cols]):
            width = text_width(str(cell)) * TABLE_PT + pad
            want[c] = max(want[c], width)
            if text_width(str(cell)) <= NOWRAP_CHARS:
                short[c] = max(short[c], width)
    least = [max(s, min(w, 4 * TABLE_PT + pad)) for s, w in zip(short, want, strict=True)]
    if sum(want) <= total:  # everything fits on one line: widen in proportion
        return [total * w / sum(want) for w in want]
    if sum(least) >= total:
        return [total * x / sum(least) for x in least]
    extra = [w - x for w, x in zip(want, least, strict=True)]
    spare = total - sum(least)
    return [x + spare * e / sum(extra) for x, e in zip(least, extra, strict=True)]
