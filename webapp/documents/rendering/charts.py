"""Charts in a document (a 通报's figures): horizontal bars drawn from plain data.

One layout in millimetres, the width of the text block (156 mm), drawn twice: as SVG for the
PDF (WeasyPrint draws it as vectors, from a data: URI, with the document's own 仿宋 faces)
and as a 300 dpi PNG for the Word file (python-docx cannot embed SVG), drawn with Pillow
from the same shapes and the same font file. Pillow is already a dependency of the engine
(photos), draws CJK text with the renderer's fonts and needs no cairo; WeasyPrint no longer
writes PNG and cairosvg is not installed.

The data (doc_templates/README.md, circular):
``{"title": "…", "series": ["报结率", "按期办结率"], "max": 1,
   "rows": [{"label": "城关派出所", "bars": [{"value": 0.9, "text": "90.0%"}, …]}],
   "text": "…"}`` — each bar's ``text`` is its value as printed, next to the bar.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import math
from dataclasses import asdict, dataclass, field
from xml.sax.saxutils import escape, quoteattr

from webapp.documents.rendering import layout as L
from webapp.documents.rendering.errors import RenderError

WIDTH_MM = L.BLOCK_W  # the text block's width (GB/T 9704: 156 mm)
MAX_HEIGHT_MM = 200.0  # a taller chart is scaled down to fit a page with its caption
LABEL_MM = 3.7  # 五号 (10.5 pt)
VALUE_MM = 3.35
BAR_MM = 3.6
BAR_GAP_MM = 0.8
ROW_GAP_MM = 2.6
LABEL_MAX_MM = 56.0
DPI = 300
PALETTE = ("#1f4e8c", "#d9822b", "#3a7d44", "#8c1f1f")  # distinct greys in black and white
MAX_ROWS = 60
MAX_BARS = 4


@dataclass
class ChartBar:
    value: float
    text: str


@dataclass
class ChartRow:
    label: str
    bars: list[ChartBar] = field(default_factory=list)


@dataclass
class Chart:
    title: str
    rows: list[ChartRow]
    series: list[str] = field(default_factory=list)
    max: float | None = None

    def texts(self) -> list[str]:
        """Every piece of text the chart prints (fonts, checks, comparisons)."""
        out = list(self.series) if len(self.series) > 1 else []
        for row in self.rows:
            out.append(row.label)
            out.extend(b.text for b in row.bars)
        return out or ["暂无数据"]

    def fix_texts(self, fix) -> None:
        self.title = fix(self.title)
        self.series = [fix(s) for s in self.series]
        for row in self.rows:
            row.label = fix(row.label)
            for bar in row.bars:
                bar.text = fix(bar.text)

    def describe(self) -> str:
        """The chart's values as one line of text (the picture's alternative text)."""
        names = self.series if len(self.series) > 1 else []
        parts = []
        for row in self.rows:
            values = "，".join(
                (f"{names[i]}{b.text}" if i < len(names) else b.text)
                for i, b in enumerate(row.bars))
            parts.append(f"{row.label}：{values}")
        return f"{self.title}。" + "；".join(parts)


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RenderError(f"图表数值无效 / Invalid chart value for {what}: {value!r}")
    return float(value)


def from_data(spec: object) -> Chart:
    """A chart from the document's plain data; RenderError when it is malformed."""
    if not isinstance(spec, dict) or not isinstance(spec.get("rows"), list):
        raise RenderError("图表数据无效 / Chart data must be a dict with rows")
    if len(spec["rows"]) > MAX_ROWS:
        raise RenderError(f"图表行数过多 / Too many chart rows (limit {MAX_ROWS})")
    rows = []
    for row in spec["rows"]:
        if not isinstance(row, dict) or not isinstance(row.get("bars"), list) \
                or len(row["bars"]) > MAX_BARS:
            raise RenderError("图表数据无效 / Chart row must have a list of bars")
        label = str(row.get("label") or "")
        bars = [ChartBar(max(0.0, _number(b.get("value") if isinstance(b, dict) else None,
                                          label)),
                         str(b.get("text") if b.get("text") is not None else b.get("value")))
                for b in row["bars"]]
        rows.append(ChartRow(label, bars))
    peak = spec.get("max")
    return Chart(str(spec.get("title") or ""), rows,
                 [str(s) for s in spec.get("series") or []],
                 _number(peak, "max") if peak is not None else None)


# --- layout: shapes in millimetres -----------------------------------------------------------


@dataclass
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float
    anchor: str = "start"  # or "end"


def text_mm(text: str, size: float) -> float:
    return L.text_width(text) * size


def _baseline(top: float, height: float, size: float) -> float:
    """The baseline that centres a line of CJK text of `size` in [top, top + height]."""
    return top + height / 2 + size * 0.36


def layout(chart: Chart) -> tuple[float, list[Rect | Text]]:
    """(height in mm, shapes) of the chart, WIDTH_MM wide."""
    shapes: list[Rect | Text] = []
    y = 1.0
    if len(chart.series) > 1:
        x = 0.0
        for i, name in enumerate(chart.series):
            shapes.append(Rect(x, y + 0.5, 3.0, 3.0, PALETTE[i % len(PALETTE)]))
            shapes.append(Text(x + 4.2, _baseline(y, 4.0, VALUE_MM), name, VALUE_MM))
            x += 4.2 + text_mm(name, VALUE_MM) + 6
        y += 4.0 + ROW_GAP_MM
    if not chart.rows:
        shapes.append(Text(0, _baseline(y, 5, LABEL_MM), "暂无数据", LABEL_MM))
        return y + 6.0, shapes
    label_w = min(LABEL_MAX_MM, max(text_mm(r.label, LABEL_MM) for r in chart.rows)) + 2.0
    value_w = max((text_mm(b.text, VALUE_MM) for r in chart.rows for b in r.bars),
                  default=0.0) + 1.5
    x0 = label_w
    usable = max(10.0, WIDTH_MM - x0 - value_w)
    peak = chart.max or max((b.value for r in chart.rows for b in r.bars), default=0.0) or 1.0
    top = y
    for row in chart.rows:
        n = max(1, len(row.bars))
        height = n * BAR_MM + (n - 1) * BAR_GAP_MM
        size = LABEL_MM
        if text_mm(row.label, size) > LABEL_MAX_MM:
            size = LABEL_MAX_MM / L.text_width(row.label)
        shapes.append(Text(x0 - 1.5, _baseline(y, height, size), row.label, size, "end"))
        for i, bar in enumerate(row.bars):
            by = y + i * (BAR_MM + BAR_GAP_MM)
            length = usable * min(bar.value, peak) / peak if bar.value else 0.0
            if length:
                shapes.append(Rect(x0, by, max(0.4, length), BAR_MM,
                                   PALETTE[i % len(PALETTE)]))
            shapes.append(Text(x0 + length + 1.0, _baseline(by, BAR_MM, VALUE_MM), bar.text,
                               VALUE_MM))
        y += height + ROW_GAP_MM
    shapes.append(Rect(x0 - 0.15, top - 1.0, 0.3, y - top, "#000000"))  # the axis
    return y, shapes


def size_mm(chart: Chart) -> tuple[float, float]:
    """(width, height) the chart is printed at: the text block's width, unless too tall."""
    height, _ = layout(chart)
    scale = min(1.0, MAX_HEIGHT_MM / height)
    return WIDTH_MM * scale, height * scale


# --- SVG (PDF) -------------------------------------------------------------------------------


def svg(chart: Chart, font_family: str) -> str:
    """The chart as an SVG document; `font_family` is a CSS family list (the 仿宋 stack)."""
    height, shapes = layout(chart)
    parts = []
    for s in shapes:
        if isinstance(s, Rect):
            parts.append(f'<rect x="{s.x:.2f}" y="{s.y:.2f}" width="{s.w:.2f}" '
                         f'height="{s.h:.2f}" fill="{s.fill}"/>')
        else:
            parts.append(f'<text x="{s.x:.2f}" y="{s.y:.2f}" font-size="{s.size:.2f}" '
                         f'text-anchor="{s.anchor}">{escape(s.text)}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_MM}mm" '
            f'height="{height:.2f}mm" viewBox="0 0 {WIDTH_MM} {height:.2f}" '
            f'font-family={quoteattr(font_family)} fill="#000000">'
            f'<title>{escape(chart.describe())}</title>' + "".join(parts) + "</svg>")


def svg_data_url(chart: Chart, font_family: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(
        svg(chart, font_family).encode()).decode()


# --- PNG (Word) ------------------------------------------------------------------------------


@functools.cache
def _font(path: str, index: int, pixels: int):
    from PIL import ImageFont

    return ImageFont.truetype(path, pixels, index=index)


def png(chart: Chart, font_path: str, font_index: int = 0) -> bytes:
    """The chart as a 300 dpi PNG, drawn with the document's 仿宋 font file (the last few
    are kept: a draft's preview, its Word file and the issued one draw the same chart)."""
    key = json.dumps([asdict(chart), font_path, font_index], ensure_ascii=False)
    return _png(key)


@functools.lru_cache(maxsize=32)
def _png(key: str) -> bytes:
    from PIL import Image, ImageDraw

    spec, font_path, font_index = json.loads(key)
    chart = from_data(spec)
    height, shapes = layout(chart)
    k = DPI / 25.4
    image = Image.new("RGB", (round(WIDTH_MM * k), round(height * k)), "white")
    draw = ImageDraw.Draw(image)
    for s in shapes:
        if isinstance(s, Rect):
            draw.rectangle([s.x * k, s.y * k, (s.x + s.w) * k - 1, (s.y + s.h) * k - 1],
                           fill=s.fill)
        else:
            font = _font(font_path, font_index, max(6, round(s.size * k)))
            draw.text((s.x * k, s.y * k), s.text, fill="black", font=font,
                      anchor="ls" if s.anchor == "start" else "rs")
    out = io.BytesIO()
    # a few flat colours and the text's grey levels: a palette image is a third of the size
    image.quantize(64).save(out, "PNG", dpi=(DPI, DPI), compress_level=6)
    return out.getvalue()
