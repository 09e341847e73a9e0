"""Blocks → HTML for WeasyPrint. Every piece of text goes through markupsafe.escape."""

from __future__ import annotations

import re

from markupsafe import Markup

from webapp.documents.rendering import charts as C
from webapp.documents.rendering import layout as L
from webapp.documents.rendering import qr as QR
from webapp.documents.rendering.blocks import Block
from webapp.documents.rendering.request import RenderRequest

HEAD_CLASS = {1: "f-heiti", 2: "f-kaiti"}


LATIN_RUN = re.compile(r"[0-9A-Za-z][0-9A-Za-z.%\-]*")


def _text(text: str) -> Markup:
    """Escaped text, each run of Latin letters or digits in a span.

    A word processor lays out each run of Latin text on its own, which costs it about a
    quarter point at each change of script (measured with LibreOffice, autospace off); the
    span gives our runs the same, so dates and numbers break lines where the Word file does.
    """
    out, last = [], 0
    for m in LATIN_RUN.finditer(text):
        out.append(Markup("{}").format(text[last : m.start()]))
        out.append(Markup('<span class="lt">{}</span>').format(m.group()))
        last = m.end()
    out.append(Markup("{}").format(text[last:]))
    return Markup("").join(out)


def _para(block: Block) -> Markup:
    cls = f"body l{block.level}"
    if block.heading_line:
        cls += " hd"  # a heading line: kept with what follows
    if block.level in HEAD_CLASS and block.head:
        head, rest = block.text[: block.head], block.text[block.head :]
        inner = Markup('<span class="{}">{}</span>{}').format(
            HEAD_CLASS[block.level], _text(head), _text(rest)
        )
        return Markup('<p class="{}">{}</p>').format(cls, inner)
    return Markup('<p class="{}">{}</p>').format(cls, _text(block.text))


CELLS = {
    ("th", True): Markup('<th class="nw">{}</th>'),
    ("th", False): Markup("<th>{}</th>"),
    ("td", True): Markup('<td class="nw">{}</td>'),
    ("td", False): Markup("<td>{}</td>"),
}


def _cell(tag: str, text: str) -> Markup:
    return CELLS[tag, L.text_width(text) <= L.NOWRAP_CHARS].format(text)


def _table(block: Block) -> Markup:
    """A ruled table: widths from the content, head repeated on each page, rows kept whole."""
    widths = L.column_widths(block.rows)
    cols = Markup("").join(
        Markup('<col style="width:{:.2f}pt">').format(w) for w in widths
    )
    head = Markup("").join(_cell("th", c) for c in block.rows[0])
    body = Markup("").join(
        Markup("<tr>{}</tr>").format(Markup("").join(_cell("td", c) for c in row))
        for row in block.rows[1:]
    )
    return Markup(
        "<table><colgroup>{}</colgroup><thead><tr>{}</tr></thead><tbody>{}</tbody></table>"
    ).format(cols, head, body)


def _chart(block: Block, font_family: str) -> Markup:
    """A chart: SVG in a data: URI (the fetcher serves nothing else), the text block's width,
    its caption under it (仿宋)."""
    width, height = C.size_mm(block.chart)
    return Markup(
        '<figure class="chart"><img src="{}" alt="{}" style="width:{:.2f}mm;height:{:.2f}mm">'
        "<figcaption>{}</figcaption></figure>"
    ).format(C.svg_data_url(block.chart, font_family), block.chart.describe(), width, height,
             block.text)


def _attachments(block: Block) -> Markup:
    out = []
    many = len(block.items) > 1
    for number, name in enumerate(block.items, start=1):
        label = f"{number}.{name}" if many else name
        cls = "att first" if number == 1 else "att"
        prefix = "附件：" if number == 1 else ""
        out.append(Markup('<p class="{}">{}{}</p>').format(cls, prefix, label))
    return Markup('<div class="atts">{}</div>').format(Markup("").join(out))


def _signature(sig: Block | None, date: Block | None) -> Markup:
    lines = []
    if sig:
        lines.append(Markup('<p class="sig">{}</p>').format(sig.text))
    if date:
        lines.append(Markup('<p class="sdate">{}</p>').format(date.text))
    return Markup('<div class="signblock"><div class="signbox">{}</div></div>').format(
        Markup("").join(lines)
    )


def _colophon(cc: Block | None, printer: Block | None, letter: bool) -> Markup:
    lines = []
    if cc:
        lines.append(Markup('<p class="cc">抄送：{}。</p>').format("，".join(cc.items)))
    if printer and not letter:
        org, date = ([*printer.items, "", ""])[:2]
        lines.append(
            Markup(
                '<p class="pr"><span class="org">{}</span><span class="pd">{}印发</span></p>'
            ).format(org, date)
        )
    if not lines:
        return Markup("")
    cls = "colophon letter" if letter else "colophon"
    return Markup('<div class="cslot n{}"><div class="{}">{}</div></div>').format(
        len(lines), cls, Markup("").join(lines)
    )


def _header(req: RenderRequest) -> Markup:
    mark = req.issuer.mark_text(req.letter)
    number = req.doc_number or ""
    left = Markup("").join(
        Markup('<div class="tl {} n{}">{}</div>').format(kind, i, text)
        for i, (kind, text) in enumerate(req.header_lines)
    )
    if req.qr_url:  # 扫码验真, in the top margin of page 1 (rendering/qr.py says where)
        left += Markup('<img class="qr" alt="" src="{}">').format(QR.png_data_url(req.qr_url))
    if req.letter:
        return Markup(
            '<div class="hdr letter">{}<div class="mark">{}</div><div class="drule top"></div>'
            '<div class="docno">{}</div><div class="drule bottom"></div></div>'
        ).format(left, mark, number)
    signer = Markup("")
    if req.signers and not req.letter:  # 上行文: 发文字号 one in from the left, 签发人 right
        signer = Markup('<div class="signer">签发人：<span class="f-kaiti">{}</span></div>').format(
            "　".join(req.signers)
        )
    cls = "docno signed" if req.signers else "docno"
    return Markup(
        '<div class="hdr standard">{}<div class="mark">{}</div><div class="{}">{}</div>{}'
        '<div class="rrule"></div></div>'
    ).format(left, mark, cls, number, signer)


def header_css(req: RenderRequest, mark_baseline: float = 0.88) -> str:
    """Per-document CSS: the header geometry depends on the mark's length and font."""
    mark = req.issuer.mark_text(req.letter)
    count = len(req.header_lines)
    line_mm = L.LINE_PT / L.MM
    if req.letter:
        g = L.letter_header_mm(mark, count)
        extra = (
            f".hdr .drule.top{{top:{g['rule']:.2f}mm}}"
            f".hdr .drule.bottom{{top:{g['bottom_rule'] - 1.2:.2f}mm}}"
        )
    else:
        g = L.standard_header_mm(mark)
        extra = f".hdr .rrule{{top:{g['rule'] - L.RULE_PT / L.MM / 2:.2f}mm}}"
    size = g["mark_h"]
    spacing = (
        0.0
        if size < L.MARK_MAX_MM
        else max(0.0, (L.BLOCK_W - size * len(mark)) / max(1, len(mark)) * 0.25)
    )
    return (
        f".hdr{{height:{g['title_top']:.2f}mm}}"
        f".hdr .mark{{top:{g['mark_top'] - size * (mark_baseline - 0.88):.2f}mm;"
        f"font-size:{size:.2f}mm;"
        f"line-height:{size:.2f}mm;letter-spacing:{spacing:.2f}mm}}"
        f".hdr .docno{{top:{g['number_top']:.2f}mm}}"
        + "".join(
            f".hdr .tl.n{i}{{top:{(g['left_top'] if req.letter else 0) + i * line_mm:.2f}mm}}"
            for i in range(count)
        )
        + f".hdr .signer{{top:{g['number_top']:.2f}mm}}"
        + extra
        + _page_css(req)
    )


# A page holding only the 版记 is not numbered (GB/T 9704): give it a page of its own name.
# GB/T 9704 puts the 版记 on an even page: "alone" moves it to a page of its own, "blank" adds
# an empty page before that one (neither page is numbered).
UNNUMBERED = "{@bottom-right{content:none}@bottom-left{content:none}}"
COLOPHON_CSS = {
    "inline": "",
    "alone": ".cslot{page:colophon}@page colophon" + UNNUMBERED,
    "blank": ".cslot{page:colophon}@page colophon" + UNNUMBERED
    + ".blankpage{page:blank;height:1pt}@page blank" + UNNUMBERED,
}


def _page_css(req: RenderRequest) -> str:
    css = ""
    if req.letter:  # 信函格式: no page number on page 1
        css += "@page :first{@bottom-right{content:none}}"
    if req.draft:
        css += '@page{@top-right{content:"草稿"}}'
    return css


def build_html(
    req: RenderRequest,
    blocks: list[Block],
    mark_baseline: float = 0.88,
    colophon: str = "inline",
    chart_font: str = "serif",
) -> str:
    """The whole document as HTML (text escaped), with metadata for the PDF.

    ``colophon``: "inline" (after the body), "alone" (on a page of its own) or "blank" (on a
    page of its own after an empty one): see ``pdf.colophon_plan``.
    """
    parts: list[Markup] = [_header(req)]
    sig = next((b for b in blocks if b.kind == "signature"), None)
    date = next((b for b in blocks if b.kind == "date"), None)
    cc = next((b for b in blocks if b.kind == "cc"), None)
    printer = next((b for b in blocks if b.kind == "printer"), None)
    signed = False
    for block in blocks:
        kind = block.kind
        if kind == "title":
            lines = Markup("<br>").join(block.lines or [block.text])
            parts.append(Markup('<h1 class="title">{}</h1>').format(lines))
        elif kind == "recipients":
            parts.append(Markup('<p class="recipients">{}：</p>').format(block.text))
        elif kind == "para":
            parts.append(_para(block))
        elif kind == "caption":
            parts.append(Markup('<p class="caption">{}</p>').format(block.text))
        elif kind == "table":
            parts.append(_table(block))
        elif kind == "image":
            parts.append(
                Markup(
                    '<figure><img src="duban-image:{}" alt=""><figcaption>{}</figcaption></figure>'
                ).format(block.ref, block.text)
            )
        elif kind == "chart":
            parts.append(_chart(block, chart_font))
        elif kind == "attachments":
            parts.append(_attachments(block))
        elif kind in ("signature", "date") and not signed:
            parts.append(_signature(sig, date))
            signed = True
        elif kind == "note":
            parts.append(Markup('<p class="note">{}</p>').format(block.text))
        elif kind == "pagebreak":
            parts.append(Markup('<div class="pagebreak"></div>'))
    if colophon == "blank":
        parts.append(Markup('<div class="blankpage"></div>'))
    parts.append(_colophon(cc, printer, req.letter))
    title = next((b.text for b in blocks if b.kind == "title"), "")
    from webapp.documents import kinds

    label = kinds.get(req.kind).label
    subject = f"{label} {req.doc_number}" if req.doc_number else f"{label}（草稿）"
    keywords = ", ".join(k for k in ("督办", label, _item_code(req)) if k)
    classes = ["letter" if req.letter else "standard"] + (["draft"] if req.draft else [])
    page_css = COLOPHON_CSS[colophon]
    doc = Markup(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{}</title>'
        '<meta name="author" content="{}"><meta name="description" content="{}">'
        '<meta name="keywords" content="{}"><meta name="generator" content="Duban">'
        '<style>{}</style></head><body class="{}">{}</body></html>'
    ).format(
        title,
        req.data.get("signature") or req.issuer.signature,
        subject,
        keywords,
        Markup(header_css(req, mark_baseline) + page_css),  # noqa: S704 (our own CSS)
        " ".join(classes),
        Markup("").join(parts),
    )
    return str(doc)


def _item_code(req: RenderRequest) -> str:
    item = req.data.get("item")
    return str(item.get("code", "")) if isinstance(item, dict) else ""


def stylesheet(stacks: dict[str, str], font_faces: str, title_weight: str = "normal") -> str:
    """The document CSS shared by every render (parsed once per process)."""
    line = f"{L.LINE_PT}pt"
    ch = f"{L.CHAR_PT}pt"
    page_no = (
        f"font-family:{stacks['songti']};font-size:{L.PAGE_NUMBER_PT}pt;line-height:"
        f"{L.PAGE_NUMBER_PT}pt;vertical-align:top;"
        f"padding-top:{L.PAGE_NUMBER_GAP_MM - L.PAGE_NUMBER_PT / L.MM / 2:.2f}mm;"
        'content:"— " counter(page) " —";letter-spacing:0'
    )
    return f"""
{font_faces}
@page {{ size: A4; margin: {L.TOP}mm {L.RIGHT}mm {L.BOTTOM}mm {L.LEFT}mm; }}
@page :right {{ @bottom-right {{ {page_no}; text-align: right; padding-right: 1em; }} }}
@page {{ @top-right {{ font-family: {stacks["heiti"]}; font-size: 16pt; color: {L.RED};
  vertical-align: middle; letter-spacing: 0; }} }}
@page :left {{ @bottom-left {{ {page_no}; text-align: left; padding-left: 1em; }} }}
html {{ font-family: {stacks["fangsong"]}; font-size: {L.BODY_PT}pt; line-height: {line};
  letter-spacing: {L.CHAR_SPACING_PT}pt; color: #000; }}
body {{ margin: 0; }}
p, h1, figure {{ margin: 0; orphans: 1; widows: 1; }}
.hdr {{ position: relative; }}
.hdr .mark {{ position: absolute; left: -20mm; right: -20mm; text-align: center;
  font-family: {stacks["xiaobiaosong"]}; font-weight: {title_weight}; color: {L.RED};
  white-space: nowrap; }}
.hdr .docno {{ position: absolute; left: 0; right: 0; text-align: center;
  height: {line}; letter-spacing: 0; }}
.hdr .tl {{ position: absolute; left: 0; height: {line}; letter-spacing: 0; }}
.hdr .urg, .hdr .secrecy {{ font-family: {stacks["heiti"]}; }}
.hdr .docno.signed {{ text-align: left; padding-left: 1em; }}
.hdr .signer {{ position: absolute; right: 0; height: {line}; padding-right: 1em;
  letter-spacing: 0; }}
.hdr .qr {{ position: absolute; top: {QR.TOP_MM - L.TOP}mm; left: {QR.LEFT_MM - L.LEFT}mm;
  width: {QR.SIZE_MM}mm; height: {QR.SIZE_MM}mm; image-rendering: pixelated; }}
.hdr .rrule {{ position: absolute; left: 0; right: 0; height: 0;
  border-top: {L.RULE_PT}pt solid {L.RED}; }}
.hdr.letter .docno {{ text-align: right; }}
.hdr .drule {{ position: absolute; left: {-(L.LETTER_RULE_MM - L.BLOCK_W) / 2}mm;
  width: {L.LETTER_RULE_MM}mm; height: 0.6mm; }}
.hdr .drule.top {{ border-top: 0.7mm solid {L.RED}; border-bottom: 0.25mm solid {L.RED}; }}
.hdr .drule.bottom {{ border-top: 0.25mm solid {L.RED}; border-bottom: 0.7mm solid {L.RED}; }}
h1.title {{ font-family: {stacks["xiaobiaosong"]}; font-size: {L.TITLE_PT}pt;
  font-weight: {title_weight};
  text-align: center; line-height: {line}; letter-spacing: 0; }}
.recipients, h1.title + p, h1.title + div, h1.title + table, h1.title + figure {{
  margin-top: {line}; }}
.lt {{ padding: 0 0.2pt 0 0.3pt; }}
p.body {{ text-indent: calc(2 * {ch}); overflow-wrap: anywhere; }}
.f-heiti {{ font-family: {stacks["heiti"]}; }}
.f-kaiti {{ font-family: {stacks["kaiti"]}; }}
.caption {{ text-align: center; font-family: {stacks["heiti"]}; break-after: avoid; }}
p.hd {{ break-after: avoid; }}
table {{ width: 100%; table-layout: fixed; border-collapse: collapse;
  font-size: {L.TABLE_PT}pt; line-height: {L.TABLE_LINE_PT}pt;
  letter-spacing: 0; margin: 4pt 0 {line} 0; }}
th, td {{ border: 0.5pt solid #000; padding: 1pt {L.CELL_PAD_PT}pt; text-align: center;
  overflow-wrap: anywhere; }}
th.nw, td.nw {{ white-space: nowrap; }}
th {{ font-family: {stacks["heiti"]}; font-weight: normal; }}
tr {{ break-inside: avoid; }}
figure {{ text-align: center; break-inside: avoid; margin: 4pt 0; }}
figure img {{ max-width: 120mm; max-height: 105mm; }}
figure.chart img {{ max-width: none; max-height: none; }}
figcaption {{ font-size: 14pt; text-align: center; letter-spacing: 0; }}
.atts {{ margin-top: {line}; }}
.att {{ padding-left: calc(5 * {ch}); }}
.att.first {{ text-indent: calc(-3 * {ch}); }}
.signblock {{ margin-top: {line}; text-align: right; padding-right: calc(2 * {ch});
  break-before: avoid; break-inside: avoid; }}
.signbox {{ display: inline-block; text-align: left; white-space: nowrap; }}
.sdate {{ padding-left: calc(2 * {ch}); }}
.note {{ text-indent: calc(2 * {ch}); }}
.pagebreak {{ break-before: page; }}
.cslot {{ break-inside: avoid; }}
.cslot.n1 {{ height: {L.LINE_PT + 2}pt; }}
.cslot.n2 {{ height: {2 * L.LINE_PT + 3}pt; }}
.colophon {{ position: absolute; left: 0; right: 0; bottom: 0; font-size: {L.COLOPHON_PT}pt;
  letter-spacing: 0; border-top: {L.COLOPHON_THICK_MM}mm solid #000;
  border-bottom: {L.COLOPHON_THICK_MM}mm solid #000; }}
.colophon.letter {{ border: 0; }}
.colophon p {{ line-height: {line}; padding: 0 1em; }}
.colophon p + p {{ border-top: {L.COLOPHON_THIN_MM}mm solid #000; }}
.colophon .pr {{ display: flex; justify-content: space-between; }}
"""
