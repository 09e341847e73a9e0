"""What a render needs: the issuer's settings, the kind, the plain data and the number."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from webapp.documents.rendering import charts, fonts, titles
from webapp.documents.rendering.blocks import Block, parse, render_lines
from webapp.documents.rendering.errors import RenderError


def _default_letter_kinds() -> frozenset[str]:
    """Kinds in 信函格式 unless the admin chose otherwise (webapp/documents/kinds.py)."""
    from webapp.documents import kinds

    return frozenset(kinds.names(letter=True))


@dataclass
class Issuer:
    """The issuing office's settings (admin settings); defaults for a county bureau."""

    mark: str = "某某县公安局"  # 发文机关标志
    add_wenjian: bool = True  # append "文件" (standard format only)
    code: str = "某公督"  # 机关代字
    letter_kinds: frozenset[str] = field(default_factory=lambda: _default_letter_kinds())
    signature: str = "某某县公安局"  # 署名
    contact_name: str = ""
    contact_phone: str = ""
    cc: tuple[str, ...] = ()  # default 抄送
    printer: str = "某某县公安局办公室"  # 印发机关
    font_paths: dict[str, str] = field(default_factory=dict)  # slot -> font file override

    def mark_text(self, letter: bool) -> str:
        """发文机关标志 as printed: "文件" only in the standard format."""
        return self.mark + ("文件" if self.add_wenjian and not letter else "")


@dataclass
class RenderRequest:
    """One document to render."""

    kind: str
    data: dict
    issuer: Issuer
    doc_number: str | None  # None = draft: 草稿 mark, no number
    pdfa: bool = False
    image_loader: Callable[[str], bytes] | None = None
    verify_url: str | None = None  # 扫码验真: printed as a QR code on page 1 (not on drafts)

    @property
    def qr_url(self) -> str | None:
        """The URL the document's QR code carries, or None (drafts carry none)."""
        return None if self.draft else self.verify_url

    @property
    def letter(self) -> bool:
        """信函格式 (letter format) for this kind?"""
        return self.kind in self.issuer.letter_kinds

    @property
    def draft(self) -> bool:
        return self.doc_number is None

    def _field(self, key: str) -> str:
        value = self.data.get(key) if isinstance(self.data, dict) else None
        return str(value if value is not None else "").strip()

    @property
    def urgency(self) -> str:
        """紧急程度 of the document ("特急", "加急") or "" (data["urgency"])."""
        return self._field("urgency")

    @property
    def header_lines(self) -> list[tuple[str, str]]:
        """份号, 密级★保密期限 and 紧急程度, top left of the 版头, in this order (GB/T 9704
        7.2.1–7.2.3): (kind, text) for those the data sets."""
        lines = []
        copy = self._field("copy_number")
        if copy:
            if not copy.isdigit() or len(copy) > 6:
                raise RenderError(f"份号应为不超过6位的数字 / Copy number must be digits: {copy!r}")
            lines.append(("copyno", copy.zfill(6)))
        secrecy, period = self._field("secrecy"), self._field("secrecy_period")
        if secrecy:
            lines.append(("secrecy", secrecy + (f"★{period}" if period else "")))
        if self.urgency:
            lines.append(("urg", self.urgency))
        return lines

    @property
    def signers(self) -> list[str]:
        """签发人 (上行文, GB/T 9704 7.2.5): data["signer"], one name or a list."""
        value = self.data.get("signer") if isinstance(self.data, dict) else None
        names = value if isinstance(value, list) else [value]
        return [str(n).strip() for n in names if n and str(n).strip()]


REQUIRED = ("title", "issue_date")  # every kind; each kind adds its own (kinds.py `required`)


def _lookup(data: dict, dotted: str) -> object:
    value: object = data
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def check_data(kind: str, data: dict) -> None:
    """Refuse data missing a required field (RenderError naming the field)."""
    if not isinstance(data, dict):
        raise RenderError("公文数据必须是字典 / Document data must be a dict")
    from webapp.documents import kinds

    rule = kinds.find(kind)
    missing = [
        f
        for f in (*REQUIRED, *(rule.required if rule else ()))
        if _lookup(data, f) in (None, "", [], {})
    ]
    if missing:
        raise RenderError(
            f"公文数据缺少字段 / Document data is missing: {', '.join(missing)} ({kind})"
        )


def context(req: RenderRequest) -> dict:
    """The template's variables: the data with the issuer's defaults filled in."""
    data, issuer = req.data, req.issuer
    ctx = dict(data)
    ctx["signature"] = data.get("signature") or issuer.signature
    if "contact" not in data and (issuer.contact_name or issuer.contact_phone):
        ctx["contact"] = {"name": issuer.contact_name, "phone": issuer.contact_phone}
    ctx["cc"] = list(data["cc"]) if data.get("cc") is not None else list(issuer.cc)
    ctx["printer"] = data.get("printer") or issuer.printer
    ctx["print_date"] = data.get("print_date") or data.get("issue_date")
    ctx["doc_number"] = req.doc_number
    ctx["draft"] = req.draft
    ctx["letter"] = req.letter
    ctx["kind"] = req.kind
    return ctx


MAX_CHARS = 300_000  # ~ 500 pages of 3号 text: anything bigger is a mistake or an attack
MAX_IMAGES = 60


MISSING_GLYPH = "〓"  # 缺字符号: the typesetter's mark for a character the fonts lack
# Invisible format characters (zero-width joiners, variation selectors, direction marks):
# they have no glyph of their own and are dropped.
INVISIBLE = re.compile(
    "[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff\U0001f3fb-\U0001f3ff]"
)


@functools.cache
def _subset_points() -> frozenset[int]:
    from webapp.documents.rendering.charsets import TIERS, tier_codepoints

    return frozenset().union(*(tier_codepoints(t) for t in TIERS))


def substitute_unprintable(blocks: list[Block], issuer: Issuer) -> int:
    """Text stored before input refused such characters: never print a box (tofu).

    A character no document font can show (an emoji, a private-use character) becomes 〓,
    invisible format characters are dropped. Returns how many were replaced.
    """
    subsets = _subset_points()  # what our font subsets hold: no font needs reading for it
    count = 0

    def fix(text: str) -> str:
        nonlocal count
        text = INVISIBLE.sub("", text)
        if all(ord(c) in subsets or c in "\n\t " for c in text):
            return text
        covered = fonts.coverage(tuple(sorted(issuer.font_paths.items())))
        if all(ord(c) in covered or c in "\n\t " for c in text):
            return text
        out = []
        for c in text:
            if ord(c) in covered or c in "\n\t ":
                out.append(c)
            else:
                out.append(MISSING_GLYPH)
                count += 1
        return "".join(out)

    for block in blocks:
        if block.chart is not None:
            block.chart.fix_texts(fix)
        block.text = fix(block.text)
        block.items = [fix(item) for item in block.items]
        block.rows = [[fix(cell) for cell in row] for row in block.rows]
    return count


def _attach_charts(blocks: list[Block], data: dict) -> None:
    """Each @chart block gets its chart from data["charts"] (by number, from 0)."""
    specs = data.get("charts") or []
    for block in blocks:
        if block.kind == "chart":
            index = int(block.ref)
            if not isinstance(specs, list) or index >= len(specs):
                raise RenderError(f"公文数据没有第{index + 1}个图表 / No chart {index} in data")
            block.chart = charts.from_data(specs[index])


def build_blocks(req: RenderRequest) -> list[Block]:
    """The document's blocks from its template (sandboxed) and data."""
    check_data(req.kind, req.data)
    filename, text = render_lines(req.kind, context(req))
    if len(text) > MAX_CHARS:
        raise RenderError(
            f"公文内容过长 / Document text too long: {len(text)} characters (limit {MAX_CHARS})"
        )
    blocks = parse(text, filename)
    _attach_charts(blocks, req.data)
    substitute_unprintable(blocks, req.issuer)
    keep = titles.keep_terms(req.data)
    for block in blocks:
        if block.kind == "title":
            block.lines = titles.title_lines(block.text, keep)
    if sum(b.kind in ("image", "chart") for b in blocks) > MAX_IMAGES:
        raise RenderError(f"照片过多 / Too many photos in one document (limit {MAX_IMAGES})")
    return blocks
