"""Word (.docx) output with python-docx, laid out to GB/T 9704 from the same blocks as the PDF.

Fonts are named in ``w:eastAsia`` (the offices' official names); lines are exact (579
twips) with snap-to-grid off; odd and even footers carry the page numbers.
"""

from __future__ import annotations

import functools
import io

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, RGBColor, Twips

from webapp.documents.rendering import charts, fonts
from webapp.documents.rendering import layout as L
from webapp.documents.rendering.blocks import Block
from webapp.documents.rendering.fonts import WORD_NAMES
from webapp.documents.rendering.ooxml import (
    TBLPR_ORDER,
    border,
    child,
    ppr,
    rpr,
    set_fonts,
    set_size,
)
from webapp.documents.rendering.request import RenderRequest, build_blocks

LINE = 579  # twips: 28.95 pt exact
CHAR = round(L.CHAR_PT * 20)  # twips per character (15.75 pt)
PAGE = {"width": 11906, "height": 16838, "top": 2098, "bottom": 1984, "left": 1588, "right": 1474}
HEADER_TW = 1701  # 30 mm: the letter-format mark's top; the 草稿 mark elsewhere
FOOTER_TW = 1446  # page number dashes ~7 mm under the text block
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
EMU_PER_TWIP = 635
MARK_LINE = 1.25  # the mark's exact line height, × its size
WORD_MARK_FIT = 0.92  # the mark a little narrower than the block: fonts differ between PCs

# style name -> (font slot, size pt, alignment, first-line chars)
STYLES = {
    "Duban Mark": ("xiaobiaosong", 22.0, "center", 0),
    "Duban Number": ("fangsong", L.BODY_PT, "center", 0),
    "Duban Urgency": ("heiti", L.BODY_PT, "left", 0),
    "Duban Copy Number": ("fangsong", L.BODY_PT, "left", 0),
    "Duban Title": ("xiaobiaosong", L.TITLE_PT, "center", 0),
    "Duban Recipients": ("fangsong", L.BODY_PT, "left", 0),
    "Duban Body": ("fangsong", L.BODY_PT, "both", 2),
    "Duban Heading 1": ("heiti", L.BODY_PT, "both", 2),
    "Duban Heading 2": ("kaiti", L.BODY_PT, "both", 2),
    "Duban Heading 3": ("fangsong", L.BODY_PT, "both", 2),
    "Duban Heading 4": ("fangsong", L.BODY_PT, "both", 2),
    "Duban Caption": ("heiti", L.BODY_PT, "center", 0),
    "Duban Attachment": ("fangsong", L.BODY_PT, "left", 0),
    "Duban Signature": ("fangsong", L.BODY_PT, "left", 0),
    "Duban Date": ("fangsong", L.BODY_PT, "left", 0),
    "Duban Note": ("fangsong", L.BODY_PT, "left", 2),
    "Duban Colophon": ("fangsong", L.COLOPHON_PT, "left", 0),
    "Duban Page Number": ("songti", L.PAGE_NUMBER_PT, "right", 0),
    "Duban Draft": ("heiti", L.BODY_PT, "right", 0),
    "Duban Table": ("fangsong", 12.0, "center", 0),
    "Duban Figure": ("fangsong", 14.0, "center", 0),
}
ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "both": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


@functools.cache
def _base_document() -> bytes:
    """A blank document with our page, styles and settings (built once per process)."""
    doc = Document()
    normal = doc.styles["Normal"]
    set_fonts(normal.element, WORD_NAMES["fangsong"])
    set_size(normal.element, L.BODY_PT)
    rpr(normal.element, "spacing", val=str(round(L.CHAR_SPACING_PT * 20)))  # −0.25 pt
    rpr(normal.element, "kern", val="0")
    rpr(normal.element, "lang", val="en-US", eastAsia="zh-CN")
    ppr(normal.element, "snapToGrid", val="0")
    ppr(normal.element, "spacing", before="0", after="0", line=str(LINE), lineRule="exact")
    # No hanging punctuation, no extra space between Chinese and Latin text or digits: the
    # lines break where the PDF's do (Word, WPS and LibreOffice default to both).
    ppr(normal.element, "overflowPunct", val="0")
    ppr(normal.element, "autoSpaceDE", val="0")
    ppr(normal.element, "autoSpaceDN", val="0")
    ppr(normal.element, "adjustRightInd", val="0")
    for name, (slot, size, align, indent) in STYLES.items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        set_fonts(style.element, WORD_NAMES[slot])  # Latin text too: metrics as in the PDF
        set_size(style.element, size)
        style.paragraph_format.alignment = ALIGN[align]
        if indent:
            ppr(
                style.element, "ind", firstLine=str(indent * CHAR), firstLineChars=str(indent * 100)
            )
        if size != L.BODY_PT:
            rpr(style.element, "spacing", val="0")
    # The 草稿 mark sits in the header, 30 mm down: an 18 pt line ends above the text block.
    ppr(doc.styles["Duban Draft"].element, "spacing", before="0", after="0", line="360",
        lineRule="exact")
    for name in ("Duban Table", "Duban Figure"):
        ppr(
            doc.styles[name].element,
            "spacing",
            before="0",
            after="0",
            line=str(round(L.TABLE_LINE_PT * 20)),
            lineRule="exact",
        )
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    section.page_width, section.page_height = Twips(PAGE["width"]), Twips(PAGE["height"])
    section.top_margin, section.bottom_margin = Twips(PAGE["top"]), Twips(PAGE["bottom"])
    section.left_margin, section.right_margin = Twips(PAGE["left"]), Twips(PAGE["right"])
    section.header_distance, section.footer_distance = Twips(HEADER_TW), Twips(FOOTER_TW)
    section.gutter = Twips(0)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE))
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _style(p, style: str) -> None:
    # Set w:pStyle directly: python-docx's lookup by name scans every style (~4 ms a call).
    ppr(p._p, "pStyle", val=style.replace(" ", ""))


def _para(container, style: str, text: str = ""):
    p = container.add_paragraph()
    _style(p, style)
    for tag in ("overflowPunct", "autoSpaceDE", "autoSpaceDN"):  # LibreOffice reads them
        ppr(p._p, tag, val="0")
    if text:
        p.add_run(text)
    return p


def _red(run) -> None:
    run.font.color.rgb = RGBColor.from_string(L.RED_HEX)


def _spacing(p, before: int = 0, line: int | None = None) -> None:
    attrs = {"before": str(before)}
    if line is not None:
        attrs.update(line=str(line), lineRule="exact")
    ppr(p._p, "spacing", **attrs)


def _page_number(footer, even: bool) -> None:
    p = footer.paragraphs[0]
    _style(p, "Duban Page Number")
    p.alignment = WD_ALIGN_PARAGRAPH.LEFT if even else WD_ALIGN_PARAGRAPH.RIGHT
    side = "left" if even else "right"
    ppr(p._p, "ind", **{side: str(round(L.PAGE_NUMBER_PT * 20))})
    _spacing(p, 0, round(L.PAGE_NUMBER_PT * 20))
    p.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    p._p.append(field)
    run_after = OxmlElement("w:r")
    t2 = OxmlElement("w:t")
    t2.set(qn("xml:space"), "preserve")
    t2.text = " —"
    run_after.append(t2)
    p._p.append(run_after)


def _draft_mark(header) -> None:
    p = header.paragraphs[0] if header.paragraphs else _para(header, "Duban Draft")
    _style(p, "Duban Draft")
    _red(p.add_run("草稿"))


def _letter_header(req: RenderRequest, header) -> None:
    mark = req.issuer.mark_text(letter=True)
    size = L.mark_size_mm(mark) * L.MM * WORD_MARK_FIT
    p = header.paragraphs[0]
    _style(p, "Duban Mark")
    _spacing(p, 0, round(size * MARK_LINE * 20))
    set_size(_red_run(p, mark)._r, size)
    half = round((L.LETTER_RULE_MM - L.BLOCK_W) / 2 * 56.7)
    ppr(p._p, "ind", left=str(-half), right=str(-half))
    # The characters stand centred in a line 25 % taller than they are: the header starts that
    # much higher (render_docx), and the rule's distance is counted from the characters.
    slack = size * (MARK_LINE - 1) / 2
    gap = max(0, round(L.RULE_GAP_MM * L.MM - slack))
    border(p._p, "bottom", "thickThinSmallGap", 24, L.RED_HEX, gap)
    lines = req.header_lines
    for kind, text in lines[:-1]:  # 份号, 密级: flush left under the double rule
        _header_line(header, kind, text)
    number = _para(header, "Duban Number")
    if lines:  # the last of them flush left on the 发文字号's line
        kind, text = lines[-1]
        number.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _right_tab(number, PAGE["width"] - PAGE["left"] - PAGE["right"])
        run = number.add_run(text)
        if kind != "copyno":
            set_fonts(run._r, WORD_NAMES["heiti"])
        number.add_run().add_tab()
    else:
        number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    number.add_run(req.doc_number or "")
    if req.draft:
        _red(number.add_run("草稿"))


def _header_line(container, kind: str, text: str):
    """份号 (仿宋) or 密级/紧急程度 (黑体), one line flush left."""
    return _para(container, "Duban Copy Number" if kind == "copyno" else "Duban Urgency", text)


def _right_tab(p, pos: int) -> None:
    tab = OxmlElement("w:tab")
    tab.set(qn("w:val"), "right")
    tab.set(qn("w:pos"), str(pos))
    ppr(p._p, "tabs").append(tab)


def _red_run(p, text: str):
    run = p.add_run(text)
    _red(run)
    return run


BOTTOM_RULE = """<w:r xmlns:w="{w}" xmlns:wp="{wp}" xmlns:a="{a}" xmlns:wps="{wps}"><w:drawing>
<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="251659265"
 behindDoc="1" locked="1" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>
<wp:positionH relativeFrom="page"><wp:posOffset>{x}</wp:posOffset></wp:positionH>
<wp:positionV relativeFrom="page"><wp:posOffset>{y}</wp:posOffset></wp:positionV>
<wp:extent cx="{cx}" cy="0"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>
<wp:docPr id="9002" name="红色双线"/><wp:cNvGraphicFramePr/>
<a:graphic><a:graphicData uri="{wps}"><wps:wsp><wps:cNvCnPr/>
<wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="0"/></a:xfrm>
<a:prstGeom prst="line"><a:avLst/></a:prstGeom>
<a:ln w="{w_emu}" cmpd="thinThick"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></a:ln>
</wps:spPr><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>"""
EMU_PER_MM = 36000
LETTER_RULE_W_MM = 1.2  # thin over thick, as the PDF draws it


def _letter_footer(footer) -> None:
    """The letter format's lower red double rule (thin over thick), 20 mm above the bottom
    edge of page 1: a line shape placed on the page (a footer border would sit higher)."""
    from docx.oxml.ns import nsmap
    from lxml import etree

    p = footer.paragraphs[0]
    _spacing(p, 0, 20)
    bottom = L.PAGE_H - L.LETTER_BOTTOM_RULE_MM - LETTER_RULE_W_MM / 2
    xml = BOTTOM_RULE.format(
        w=nsmap["w"], wp=nsmap["wp"], a=nsmap["a"], wps=WPS,
        x=round((L.PAGE_W - L.LETTER_RULE_MM) / 2 * EMU_PER_MM), y=round(bottom * EMU_PER_MM),
        cx=round(L.LETTER_RULE_MM * EMU_PER_MM), w_emu=round(LETTER_RULE_W_MM * EMU_PER_MM),
        color=L.RED_HEX,
    )
    p._p.append(etree.fromstring(xml))


def _standard_header(req: RenderRequest, doc) -> None:
    mark = req.issuer.mark_text(letter=False)
    size = L.mark_size_mm(mark) * L.MM * WORD_MARK_FIT
    for kind, text in req.header_lines:  # 份号, 密级, 紧急程度: top left of the text block
        _header_line(doc, kind, text)
    p = _para(doc, "Duban Mark")
    # The line is taller than the characters (Word clips glyphs in too tight an exact line);
    # space before is cut by half the extra so the characters stay 35 mm under the block top.
    before = L.MARK_TOP_STANDARD_MM * 56.7 - size * (MARK_LINE - 1) / 2 * 20
    before -= LINE * len(req.header_lines)
    _spacing(p, round(before), round(size * MARK_LINE * 20))
    set_size(_red_run(p, mark)._r, size)
    number = _para(doc, "Duban Number", req.doc_number or "")
    if req.signers:  # 上行文: 发文字号 one character in from the left, 签发人 one in from the right
        number.alignment = WD_ALIGN_PARAGRAPH.LEFT
        width = PAGE["width"] - PAGE["left"] - PAGE["right"]
        ppr(number._p, "ind", left=str(CHAR), right=str(CHAR))
        _right_tab(number, width - 2 * CHAR)
        number.add_run().add_tab()
        number.add_run("签发人：")
        set_fonts(number.add_run("　".join(req.signers))._r, WORD_NAMES["kaiti"])
    _spacing(number, 2 * LINE)
    # The red rule: 4 mm under the number's characters (≈ 6 pt under its line box).
    border(number._p, "bottom", "single", 8, L.RED_HEX, 5)


def _signature(doc, sig: Block | None, date: Block | None) -> None:
    sig_w = L.text_width(sig.text) if sig else 0
    date_w = L.text_width(date.text) if date else 0
    box = max(sig_w, date_w + 2)
    start = 28 - 2 - box
    # The signature never stands alone on a page: the text before it keeps with it.
    body = doc.element.body
    last = body[-2] if len(body) > 1 and body[-1].tag == qn("w:sectPr") else body[-1]
    if last.tag == qn("w:p"):
        ppr(last, "keepNext")
    first = True
    for block, extra, style in ((sig, 0, "Duban Signature"), (date, 2, "Duban Date")):
        if block is None:
            continue
        p = _para(doc, style, block.text)
        ppr(p._p, "ind", left=str(round((start + extra) * CHAR)))
        if first:
            _spacing(p, LINE)
            ppr(p._p, "keepNext")
            first = False


def _blank_line_above(el) -> None:
    """One blank line above the element after the title (主送, body or a table)."""
    if el.tag == qn("w:tbl"):
        el = next(el.iter(qn("w:p")))
    spacing = el.find(f"{qn('w:pPr')}/{qn('w:spacing')}")
    if spacing is None or int(spacing.get(qn("w:before"), "0")) < LINE:
        ppr(el, "spacing", before=str(LINE))


def _attachments(doc, block: Block) -> None:
    many = len(block.items) > 1
    for number, name in enumerate(block.items, start=1):
        label = f"{number}.{name}" if many else name
        p = _para(doc, "Duban Attachment", ("附件：" if number == 1 else "") + label)
        if number == 1:
            ppr(p._p, "ind", left=str(5 * CHAR), hanging=str(3 * CHAR))
            _spacing(p, LINE)
        else:
            ppr(p._p, "ind", left=str(5 * CHAR))


def _table(doc, block: Block) -> None:
    """A ruled table: widths from the content (as in the PDF), fixed layout, the head row
    repeated on each page, no row split across pages."""
    widths = [round(w * 20) for w in L.column_widths(block.rows)]
    table = doc.add_table(rows=len(block.rows), cols=len(block.rows[0]))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    tbl_w.set(qn("w:w"), str(sum(widths)))
    tbl_w.set(qn("w:type"), "dxa")
    child(tbl_pr, "tblLayout", TBLPR_ORDER, type="fixed")
    margins = child(tbl_pr, "tblCellMar", TBLPR_ORDER)
    for side, size in (("top", 20), ("left", 60), ("bottom", 20), ("right", 60)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(size))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    for col, width in zip(table._tbl.tblGrid.iterchildren(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(width))
    for r, row in enumerate(block.rows):
        tr = table.rows[r]
        tr_pr = tr._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if r == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))
        for c, value in enumerate(row):
            cell = tr.cells[c]
            cell.width = Twips(widths[c])
            p = cell.paragraphs[0]
            _style(p, "Duban Table")
            run = p.add_run(value)
            if L.text_width(value) <= L.NOWRAP_CHARS:
                cell._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))
            if r == 0:
                set_fonts(run._r, WORD_NAMES["heiti"])
    _para(doc, "Duban Body")  # a blank line after the table


def _image(doc, block: Block, req: RenderRequest) -> None:
    if req.image_loader is None:
        from webapp.documents.rendering.errors import RenderError

        raise RenderError(f"照片无法读取 / No image loader for photo {block.ref[:12]}")
    data = req.image_loader(block.ref)
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    max_w, max_h = 120.0, 105.0
    scale = min(max_w / width, max_h / height)
    p = _para(doc, "Duban Figure")
    ppr(p._p, "keepNext")
    p.add_run().add_picture(io.BytesIO(data), width=Mm(width * scale))
    ppr(p._p, "spacing", before="80", line="240", lineRule="auto")
    if block.text:
        _para(doc, "Duban Figure", block.text)


def _chart(doc, block: Block, req: RenderRequest) -> None:
    """A chart as a 300 dpi PNG (Word takes no SVG) drawn with the 仿宋 font file the text
    uses, as wide as the text block, its values as the picture's alternative text."""
    font = fonts.slot_file("fangsong", tuple(sorted(req.issuer.font_paths.items())))
    data = charts.png(block.chart, font.path, font.index)
    width, _height = charts.size_mm(block.chart)
    p = _para(doc, "Duban Figure")
    ppr(p._p, "keepNext")
    shape = p.add_run().add_picture(io.BytesIO(data), width=Mm(width))
    shape._inline.docPr.set("descr", block.chart.describe())
    ppr(p._p, "spacing", before="80", line="240", lineRule="auto")
    if block.text:
        _para(doc, "Duban Figure", block.text)


QR_PICTURE = """<w:r xmlns:w="{w}" xmlns:wp="{wp}" xmlns:a="{a}" xmlns:pic="{pic}"
 xmlns:r="{r}"><w:drawing>
<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="251659266"
 behindDoc="0" locked="1" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>
<wp:positionH relativeFrom="page"><wp:posOffset>{x}</wp:posOffset></wp:positionH>
<wp:positionV relativeFrom="page"><wp:posOffset>{y}</wp:posOffset></wp:positionV>
<wp:extent cx="{cx}" cy="{cx}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>
<wp:docPr id="9003" name="扫码验真" descr="{url}"/>
<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>
<a:graphic><a:graphicData uri="{pic}"><pic:pic><pic:nvPicPr><pic:cNvPr id="9003"
 name="verify.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="{rid}"/>
<a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>
<a:ext cx="{cx}" cy="{cx}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>
</pic:pic></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>"""


def _qr(doc, url: str) -> None:
    """扫码验真: the QR code, anchored to the page in the top margin of page 1 (qr.py says
    where); the picture carries its quiet zone, so it starts that much further out."""
    from xml.sax.saxutils import quoteattr

    from docx.oxml import parse_xml
    from docx.oxml.ns import nsmap

    from webapp.documents.rendering import qr

    rid, _ = doc.part.get_or_add_image(io.BytesIO(qr.png(url)))
    side = qr.png_size_mm(url)
    quiet = (side - qr.SIZE_MM) / 2
    xml = QR_PICTURE.format(
        w=nsmap["w"], wp=nsmap["wp"], a=nsmap["a"], pic=nsmap["pic"], r=nsmap["r"], rid=rid,
        url=quoteattr(url)[1:-1],
        x=round((qr.LEFT_MM - quiet) * EMU_PER_MM), y=round((qr.TOP_MM - quiet) * EMU_PER_MM),
        cx=round(side * EMU_PER_MM))
    first = doc.element.body[0]
    first.append(parse_xml(xml))


COLOPHON_BOX = """<w:r xmlns:w="{w}" xmlns:wp="{wp}" xmlns:a="{a}" xmlns:wps="{wps}"><w:drawing>
<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="251659264"
 behindDoc="0" locked="1" layoutInCell="1" allowOverlap="0"><wp:simplePos x="0" y="0"/>
<wp:positionH relativeFrom="margin"><wp:align>center</wp:align></wp:positionH>
<wp:positionV relativeFrom="margin"><wp:align>bottom</wp:align></wp:positionV>
<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapTopAndBottom/>
<wp:docPr id="9001" name="版记"/><wp:cNvGraphicFramePr/>
<a:graphic><a:graphicData uri="{wps}"><wps:wsp><wps:cNvSpPr txBox="1"/>
<wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>
<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>
<wps:txbx><w:txbxContent/></wps:txbx>
<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="b"
 anchorCtr="0"><a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic>
</wp:anchor></w:drawing></w:r>"""


def _colophon(doc, cc: Block | None, printer: Block | None, letter: bool) -> None:
    """版记 in a text box anchored to the bottom of the text block (Word, WPS, LibreOffice).

    The box is as wide as the text block and as tall as its lines; text keeps clear of it
    (top and bottom wrapping). The first and last thick rules are the paragraphs' top and
    bottom borders, the thin ones the "between" border, so the last rule lies on the bottom
    edge of the text block. In the letter format the 版记 has no rules and no 印发 line.
    """
    from docx.oxml.ns import nsmap
    from lxml import etree

    lines = []
    if cc:
        lines.append(("抄送：" + "，".join(cc.items) + "。", None))
    if printer and not letter:
        org, date = ([*printer.items, "", ""])[:2]
        lines.append((org, f"{date}印发"))
    if not lines:
        return
    width = PAGE["width"] - PAGE["left"] - PAGE["right"]
    one = round(L.COLOPHON_PT * 20)
    anchor = _para(doc, "Duban Body")  # holds the box; takes no room itself
    ppr(anchor._p, "spacing", before="0", line="20", lineRule="exact")
    xml = COLOPHON_BOX.format(
        w=nsmap["w"], wp=nsmap["wp"], a=nsmap["a"], wps=WPS,
        cx=width * EMU_PER_TWIP, cy=(len(lines) * LINE + 20) * EMU_PER_TWIP,
    )
    run = etree.fromstring(xml)
    anchor._p.append(run)
    content = run.find(f".//{qn('w:txbxContent')}")
    for left, right in lines:
        p = OxmlElement("w:p")
        content.append(p)
        ppr(p, "pStyle", val="DubanColophon")
        ppr(p, "ind", left=str(one), right=str(one))
        if not letter:
            border(p, "top", "single", 8, "000000", 0)
            border(p, "bottom", "single", 8, "000000", 0)
            border(p, "between", "single", 6, "000000", 0)
        _text_run(p, left)
        if right:
            tab = OxmlElement("w:tab")
            tab.set(qn("w:val"), "right")
            tab.set(qn("w:pos"), str(width - 2 * one))
            ppr(p, "tabs").append(tab)
            p.append(OxmlElement("w:r"))
            p[-1].append(OxmlElement("w:tab"))
            _text_run(p, right)


def _text_run(p, text: str) -> None:
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    p.append(run)


def _colophon_page(doc, blank: bool) -> None:
    """Start a section for the 版记 on a page of its own (after an empty page when `blank`),
    as the PDF does to keep it on an even page: its footers carry no page number."""
    from docx.enum.section import WD_SECTION

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    closing = doc.element.body[-2]  # the paragraph that now ends the body's section
    ppr(closing, "spacing", before="0", line="20", lineRule="exact")  # no room on the page
    section.different_first_page_header_footer = False
    for footer in (section.footer, section.even_page_footer, section.first_page_footer):
        footer.is_linked_to_previous = False
    if blank:  # an empty page first (LibreOffice drops a break that opens a page)
        first = _para(doc, "Duban Body")
        first.add_run().add_break(WD_BREAK.PAGE)
        first.runs[0]._r.addprevious(OxmlElement("w:r"))


def render_docx(req: RenderRequest) -> bytes:
    """The document as .docx bytes, laid out to GB/T 9704 from the same blocks as the PDF."""
    blocks = build_blocks(req)
    doc = Document(io.BytesIO(_base_document()))
    section = doc.sections[0]
    if req.letter:
        mark = L.mark_size_mm(req.issuer.mark_text(letter=True)) * L.MM * WORD_MARK_FIT
        slack = round(mark * (MARK_LINE - 1) / 2 * 20)  # the mark's characters at 30 mm
        section.header_distance = Twips(HEADER_TW - slack)
        section.different_first_page_header_footer = True
        _letter_header(req, section.first_page_header)
        _letter_footer(section.first_page_footer)
    else:
        _standard_header(req, doc)
    _page_number(section.footer, even=False)
    _page_number(section.even_page_footer, even=True)
    if req.draft:
        _draft_mark(section.header)
        _draft_mark(section.even_page_header)
    sig = next((b for b in blocks if b.kind == "signature"), None)
    date = next((b for b in blocks if b.kind == "date"), None)
    cc = next((b for b in blocks if b.kind == "cc"), None)
    printer = next((b for b in blocks if b.kind == "printer"), None)
    signed = False
    title_seen = False
    after_title = None
    for block in blocks:
        if after_title is not None and len(doc.element.body) > after_title:
            _blank_line_above(doc.element.body[after_title - 1])
            after_title = None
        kind = block.kind
        if kind == "title":
            p = _para(doc, "Duban Title")
            for number, line in enumerate(block.lines or [block.text]):
                if number:
                    p.runs[-1].add_break()
                p.add_run(line)
            if not title_seen:
                _spacing(p, 2 * LINE)
            title_seen = True
            after_title = len(doc.element.body)  # the next paragraph: one blank line above
        elif kind == "recipients":
            _spacing(_para(doc, "Duban Recipients", block.text + "："), LINE)
        elif kind == "para":
            style = f"Duban Heading {block.level}" if block.level else "Duban Body"
            p = _para(doc, style)
            if block.level in (1, 2) and block.head < len(block.text):
                p.add_run(block.text[: block.head])
                rest = p.add_run(block.text[block.head :])
                set_fonts(rest._r, WORD_NAMES["fangsong"])
            else:
                p.add_run(block.text)
                if block.heading_line:
                    ppr(p._p, "keepNext")  # a heading line stays with what follows
        elif kind == "caption":
            ppr(_para(doc, "Duban Caption", block.text)._p, "keepNext")
        elif kind == "table":
            _table(doc, block)
        elif kind == "image":
            _image(doc, block, req)
        elif kind == "chart":
            _chart(doc, block, req)
        elif kind == "attachments":
            _attachments(doc, block)
        elif kind in ("signature", "date") and not signed:
            _signature(doc, sig, date)
            signed = True
        elif kind == "note":
            _para(doc, "Duban Note", block.text)
        elif kind == "pagebreak":
            _para(doc, "Duban Body").add_run().add_break(WD_BREAK.PAGE)
    if cc or (printer and not req.letter):
        from webapp.documents.rendering.pdf import page_plan

        plan = page_plan(req, blocks)
        if plan != "inline":
            _colophon_page(doc, blank=plan == "blank")
    _colophon(doc, cc, printer, req.letter)
    if req.qr_url:
        _qr(doc, req.qr_url)
    props = doc.core_properties
    props.title = next((b.text for b in blocks if b.kind == "title"), "")
    props.author = req.data.get("signature") or req.issuer.signature
    from webapp.documents import kinds

    label = kinds.get(req.kind).label
    props.subject = label + (f" {req.doc_number}" if req.doc_number else "（草稿）")
    props.keywords = "督办, " + label
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
