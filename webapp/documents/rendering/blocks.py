"""Blocks: a document's text as a list of typed blocks, produced by a sandboxed template.

A template (doc_templates/<kind>.j2) renders to lines; lines starting with ``@`` are
directives (see doc_templates/README.md). Every ``{{ value }}`` is escaped by ``finalize``
so user text can never end a line, start a directive or split a cell: it stays data.
Both renderers (PDF and Word) lay out the same blocks.
"""

from __future__ import annotations

import functools
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from webapp.documents.models import DocumentKind
from webapp.documents.rendering.errors import RenderError, TemplateError

KINDS = tuple(k.value for k in DocumentKind)  # the built-in kinds: each has sample data
REPO_TEMPLATES = Path(__file__).resolve().parents[3] / "doc_templates"

# XML 1.0 forbids these; the caller refuses them at input, we refuse them here too.
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
SHA256 = re.compile(r"[0-9a-f]{64}")

HEADING_PATTERNS = (
    (1, re.compile(r"[一二三四五六七八九十百]+、")),
    (2, re.compile(r"（[一二三四五六七八九十百]+）")),
    (3, re.compile(r"\d{1,3}[.．](?!\d)")),
    (4, re.compile(r"（\d{1,3}）")),
)


@dataclass
class Block:
    """One laid-out unit. ``kind`` is one of the directive names (``para`` for text)."""

    kind: str
    text: str = ""
    level: int = 0  # para: 0 body, 1 "一、", 2 "（一）", 3 "1.", 4 "（1）"
    head: int = 0  # para: characters set in the heading font (run-in heading)
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # table: first row is the header
    ref: str = ""  # image: SHA-256 of the display copy
    lines: list[str] = field(default_factory=list)  # title: its lines (cut between words)
    chart: object = None  # chart: its rendering.charts.Chart (from the data's "charts")

    @property
    def heading_line(self) -> bool:
        """A short 一、/（一） heading standing on its own line (kept with what follows)."""
        return self.level in (1, 2) and self.head >= len(self.text) and len(self.text) <= 28

    def texts(self) -> list[str]:
        """The block's text pieces in reading order (for comparisons between formats)."""
        if self.kind == "table":
            return [cell for row in self.rows for cell in row]
        if self.kind == "chart" and self.chart is not None:
            return [self.text, *self.chart.texts()]
        if self.items:
            return list(self.items)
        return [self.text] if self.text else []


class Raw(str):
    """Template output that is already in line format (only made by our filters)."""

    __slots__ = ()


def escape_value(value: object) -> str:
    """Escape a value for the line format: it stays inside its line, cell and directive."""
    if value is None or isinstance(value, jinja2.Undefined):
        return ""
    if isinstance(value, Raw):
        return str(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")  # line/paragraph separators
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("|", "\\|").replace("@", "\\@")


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"n": "\n", "|": "|", "@": "@", "\\": "\\"}.get(nxt, ch + nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _split_cells(args: str) -> list[str]:
    cells, start, i = [], 0, 0
    while i < len(args):
        if args[i] == "\\":
            i += 2
            continue
        if args[i] == "|":
            cells.append(args[start:i])
            start = i + 1
        i += 1
    cells.append(args[start:])
    return [_unescape(c).strip() for c in cells]


# --- template filters ---------------------------------------------------------------------

ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?")


def cn_date(value: object) -> str:
    """'2026-03-05' → '2026年3月5日' (GB/T 9704: year in full, no leading zeros)."""
    if value is None or isinstance(value, jinja2.Undefined):
        return ""
    text = str(value)
    match = ISO_DATE.fullmatch(text.strip()[:16]) or ISO_DATE.fullmatch(text.strip())
    if not match:
        return text
    year, month, day, hour, minute = match.groups()
    out = f"{int(year)}年{int(month)}月{int(day)}日"
    if hour is not None:
        out += f"{int(hour)}时{minute}分"
    return out


def cn_numeral(value: int) -> str:
    """1 → 一, 12 → 十二 (section numbers up to 99)."""
    digits = "零一二三四五六七八九"
    n = int(value)
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


SENTENCE_END = "。！？…”）"


def sentence(value: object) -> str:
    """Text as a sentence: a final 。 unless it already ends one (，；、 become 。)."""
    text = "" if value is None or isinstance(value, jinja2.Undefined) else str(value).strip()
    if not text or text[-1] in SENTENCE_END:
        return text
    return text.rstrip("，,；;、：:. ") + "。"


def clause(value: object) -> str:
    """Text inside a sentence (a quote, brackets): without its final punctuation."""
    text = "" if value is None or isinstance(value, jinja2.Undefined) else str(value).strip()
    return text.rstrip("。；;，,、.！!").strip()


def paragraphs(value: object) -> list[str]:
    """A multi-paragraph field as its paragraphs (a newline starts one; blank lines dropped)."""
    if value is None or isinstance(value, jinja2.Undefined):
        return []
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return [line.strip() for line in text.split("\n") if line.strip()]


def cells(values: object) -> Raw:
    """Join values as the cells of one directive (each value escaped)."""
    if not values or isinstance(values, jinja2.Undefined):
        return Raw("")
    return Raw("|".join(escape_value(v) for v in values))  # type: ignore[union-attr]


# --- environment ---------------------------------------------------------------------------


def template_dirs() -> tuple[str, ...]:
    """instance/doc_templates (office overrides) first, then the repository's doc_templates."""
    try:
        from flask import current_app

        instance = Path(current_app.instance_path)
    except RuntimeError:
        instance = REPO_TEMPLATES.parent / "instance"
    return (str(instance / "doc_templates"), str(REPO_TEMPLATES))


class StrictSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, failing loudly on unsafe attributes (``__class__``…).

    Jinja's sandbox returns an undefined value for them, which our lenient undefined would
    print as nothing; a template touching them must fail instead.
    """

    def unsafe_undefined(self, obj: object, attribute: str) -> jinja2.Undefined:
        raise SecurityError(
            f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe"
        )


@functools.cache
def environment(dirs: tuple[str, ...]) -> ImmutableSandboxedEnvironment:
    """One sandboxed environment per search path (templates are re-read when changed)."""
    env = StrictSandbox(
        loader=jinja2.FileSystemLoader(list(dirs)),
        undefined=jinja2.ChainableUndefined,
        finalize=escape_value,
        autoescape=False,  # output is our line format, escaped by finalize (not HTML)
        trim_blocks=False,  # block-tag lines leave blank lines, which the parser skips
        lstrip_blocks=True,
        auto_reload=True,
    )
    env.filters.update(
        cn_date=cn_date,
        cn_numeral=cn_numeral,
        cells=cells,
        sentence=sentence,
        clause=clause,
        paragraphs=paragraphs,
    )
    return env


def _template_line(exc: BaseException, name: str) -> tuple[str, int | None]:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.filename or name, exc.lineno
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".j2"):
            return frame.filename, frame.lineno
    return name, None


def render_lines(kind: str, context: dict) -> tuple[str, str]:
    """Render the kind's template to line format; returns (template file, text)."""
    from webapp.documents import kinds

    rule = kinds.find(kind)
    if rule is None:
        raise RenderError(f"未知的公文种类 / Unknown document kind: {kind!r}")
    dirs = template_dirs()
    name = f"{rule.template}.j2"
    # The environment is chosen by the directory that holds the template now, so an override
    # added to instance/doc_templates while the server runs is used from the next render on.
    holder = next((d for d in dirs if (Path(d) / name).is_file()), None)
    # Its includes (_closing.j2…) come from the same directory first, then the others.
    env = environment((holder, *(d for d in dirs if d != holder)) if holder else dirs)
    try:
        template = env.get_template(name)
        return template.filename or name, template.render(context)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(
            f"找不到公文模板 / Document template not found: {exc.name} (in {', '.join(dirs)})"
        ) from exc
    except (jinja2.TemplateError, SecurityError, Exception) as exc:
        filename, line = _template_line(exc, name)
        where = f"{filename}, line {line}" if line else filename
        raise TemplateError(
            f"公文模板出错 / Document template error in {where}: {type(exc).__name__}: {exc}"
        ) from exc


# --- parsing -----------------------------------------------------------------------------


def detect_heading(text: str) -> tuple[int, int]:
    """(level, characters of the heading run) from 一、 / （一） / 1. / （1） numbering."""
    for level, pattern in HEADING_PATTERNS:
        if pattern.match(text):
            stop = text.find("。")
            head = len(text) if stop == -1 or stop == len(text) - 1 else stop + 1
            return level, head
    return 0, 0


def _paragraphs(raw: str, split: bool) -> list[Block]:
    text = _unescape(raw)
    parts = text.split("\n") if split else [text.replace("\n", " ")]
    blocks = []
    for part in parts:
        part = part.strip()
        if part:
            level, head = detect_heading(part)
            blocks.append(Block("para", part, level, head))
    return blocks


SIMPLE = {"title", "recipients", "caption", "signature", "date", "note"}
LISTS = {"attachments", "cc", "printer"}


def parse(text: str, filename: str = "template") -> list[Block]:
    """Parse line-format text into blocks; a malformed directive is a TemplateError."""
    blocks: list[Block] = []
    table: Block | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        if not line.startswith("@"):
            target = table.rows if table else None
            if target is not None:
                raise TemplateError(f"{filename}: text inside @table (output line {number})")
            blocks.extend(_paragraphs(line, split=True))
            continue
        name, _, args = line[1:].partition(" ")
        args = args.strip()
        if table is not None and name not in ("row", "endtable"):
            raise TemplateError(f"{filename}: @{name} inside @table (output line {number})")
        if name == "p":
            blocks.extend(_paragraphs(args, split=True))
        elif name == "h":
            blocks.extend(_paragraphs(args, split=False))
        elif name in SIMPLE:
            value = _unescape(args).replace("\n", " ").strip()
            if value:
                blocks.append(Block(name, value))
        elif name in LISTS:
            items = [c for c in _split_cells(args)] if args else []
            if name != "printer":
                items = [c for c in items if c]
            if any(items):
                blocks.append(Block(name, items=items))
        elif name == "table":
            table = Block("table", rows=[_split_cells(args)])
        elif name == "row":
            if table is None:
                raise TemplateError(f"{filename}: @row outside @table (output line {number})")
            row = _split_cells(args)
            width = len(table.rows[0])
            table.rows.append((row + [""] * width)[:width])
        elif name == "endtable":
            if table is None:
                raise TemplateError(f"{filename}: @endtable without @table (line {number})")
            blocks.append(table)
            table = None
        elif name == "image":
            ref, caption = ([*_split_cells(args), ""])[:2]
            if not SHA256.fullmatch(ref):
                raise RenderError(f"照片引用无效 / Invalid photo reference: {ref[:80]!r}")
            blocks.append(Block("image", caption, ref=ref))
        elif name == "chart":
            index, caption = ([*_split_cells(args), ""])[:2]
            if not index.isdigit() or len(index) > 3:
                raise TemplateError(f"{filename}: @chart needs the chart's number (output line "
                                    f"{number})")
            blocks.append(Block("chart", caption, ref=index))
        elif name == "pagebreak":
            blocks.append(Block("pagebreak"))
        else:
            raise TemplateError(f"{filename}: unknown directive @{name} (output line {number})")
    if table is not None:
        raise TemplateError(f"{filename}: @table without @endtable")
    for block in blocks:
        for piece in [block.text, *block.items, *(c for r in block.rows for c in r)]:
            if ILLEGAL_XML.search(piece):
                raise RenderError(
                    "文本含有不可用的控制字符 / Text contains XML-illegal control characters"
                )
    return blocks
