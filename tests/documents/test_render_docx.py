"""Word output read back with python-docx/lxml: page, fonts, lines, folios, header, 版记."""

from __future__ import annotations

import re

import pytest
from docx.oxml.ns import qn

from tests.documents.render_fixtures import (
    NUMBER,
    SPECIAL,
    docx_text,
    open_docx,
    paragraph_style,
    pdf_text,
    request,
    run_font,
    squash,
    standard_issuer,
    style_font,
)
from webapp.documents.rendering import KINDS, build_blocks, render_docx, render_pdf, sample_data

RED = "E60012"


@pytest.fixture(scope="module")
def standard_doc():
    return open_docx(render_docx(request(issuer=standard_issuer())))


@pytest.fixture(scope="module")
def letter_doc():
    return open_docx(render_docx(request()))


def test_page_size_and_margins_in_twips(standard_doc):
    sect = standard_doc.sections[0]._sectPr
    size, margins = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
    assert (size.get(qn("w:w")), size.get(qn("w:h"))) == ("11906", "16838")
    got = {k: margins.get(qn(f"w:{k}")) for k in ("top", "bottom", "left", "right")}
    assert got == {"top": "2098", "bottom": "1984", "left": "1588", "right": "1474"}


def test_normal_text_is_fangsong_16pt_on_exact_579_twip_lines(standard_doc):
    normal = standard_doc.styles.element.find(f"{qn('w:style')}[@{qn('w:styleId')}='Normal']")
    ppr, rpr = normal.find(qn("w:pPr")), normal.find(qn("w:rPr"))
    spacing = ppr.find(qn("w:spacing"))
    assert spacing.get(qn("w:line")) == "579" and spacing.get(qn("w:lineRule")) == "exact"
    assert ppr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
    assert rpr.find(qn("w:spacing")).get(qn("w:val")) == "-5"  # −0.25 pt
    assert style_font(standard_doc, "Normal") == ("仿宋_GB2312", 16)


def test_fonts_and_sizes_per_block_kind(standard_doc):
    expected = {
        "DubanTitle": ("方正小标宋简体", 22),
        "DubanBody": ("仿宋_GB2312", 16),
        "DubanHeading1": ("黑体", 16),
        "DubanHeading2": ("楷体_GB2312", 16),
        "DubanHeading3": ("仿宋_GB2312", 16),
        "DubanRecipients": ("仿宋_GB2312", 16),
        "DubanSignature": ("仿宋_GB2312", 16),
        "DubanColophon": ("仿宋_GB2312", 14),
        "DubanPageNumber": ("宋体", 14),
    }
    for style_id, want in expected.items():
        assert style_font(standard_doc, style_id) == want, style_id
    paragraphs = standard_doc.paragraphs
    title = next(p for p in paragraphs if p.text.endswith("督办通知"))
    assert paragraph_style(title) == "DubanTitle"
    heading = next(p for p in paragraphs if p.text.startswith("一、督办事项。"))
    head, rest = heading.runs[0], heading.runs[1]
    assert head.text == "一、督办事项。"
    assert run_font(standard_doc, heading, head) == ("黑体", 16)
    assert run_font(standard_doc, heading, rest) == ("仿宋_GB2312", 16)
    body = next(p for p in paragraphs if p.text.startswith("根据"))
    ind = body._p.pPr.find(qn("w:ind"))
    assert ind is None or paragraph_style(body) == "DubanBody"
    styles = standard_doc.styles.element
    body_style = styles.find(f"{qn('w:style')}[@{qn('w:styleId')}='DubanBody']")
    assert body_style.find(qn("w:pPr")).find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    for style in styles.iter(qn("w:style")):
        assert (
            style.find(f"{qn('w:rPr')}/{qn('w:b')}") is None
            or style.get(qn("w:styleId")) not in expected
        )  # no Word bold on our styles


def test_red_mark_and_rule_in_the_standard_format(standard_doc):
    mark, number = standard_doc.paragraphs[0], standard_doc.paragraphs[1]
    assert mark.text == "某某县公安局文件"
    assert paragraph_style(mark) == "DubanMark"
    assert all(str(r.font.color.rgb) == RED for r in mark.runs)
    assert run_font(standard_doc, mark, mark.runs[0])[0] == "方正小标宋简体"
    spacing = mark._p.pPr.find(qn("w:spacing"))
    size = int(mark.runs[0]._r.rPr.find(qn("w:sz")).get(qn("w:val"))) / 2
    line = int(spacing.get(qn("w:line")))
    assert spacing.get(qn("w:lineRule")) == "exact" and line > size * 20  # no clipping
    centre = int(spacing.get(qn("w:before"))) + line / 2  # twips under the block top
    assert centre == pytest.approx(35 * 56.7 + size * 10, abs=10)  # characters at 35 mm
    assert number.text == NUMBER
    assert paragraph_style(number) == "DubanNumber"
    assert standard_doc.styles["Duban Number"].paragraph_format.alignment == 1  # centred
    rule = number._p.pPr.find(f"{qn('w:pBdr')}/{qn('w:bottom')}")
    assert rule.get(qn("w:color")) == RED and rule.get(qn("w:val")) == "single"


def test_letter_format_header_and_footer(letter_doc):
    section = letter_doc.sections[0]
    assert section.different_first_page_header_footer
    header = int(section._sectPr.find(qn("w:pgMar")).get(qn("w:header")))
    mark_pt = int(section.first_page_header.paragraphs[0].runs[0]._r.rPr.find(qn("w:sz"))
                  .get(qn("w:val"))) / 2
    assert header + mark_pt * 0.125 * 20 == pytest.approx(1701, abs=2)  # characters at 30 mm
    mark, number = section.first_page_header.paragraphs[:2]
    assert mark.text == "某某县公安局" and all(str(r.font.color.rgb) == RED for r in mark.runs)
    double = mark._p.pPr.find(f"{qn('w:pBdr')}/{qn('w:bottom')}")
    assert double.get(qn("w:val")) == "thickThinSmallGap" and double.get(qn("w:color")) == RED
    assert number.text == NUMBER and number.alignment == 2  # flush right
    footer = section.first_page_footer._element.xml
    assert 'cmpd="thinThick"' in footer and 'relativeFrom="page"' in footer  # the lower rule
    assert "PAGE" not in section.first_page_footer._element.xml  # no folio on page 1


def test_odd_and_even_page_numbers(standard_doc):
    settings = standard_doc.settings.element
    assert settings.find(qn("w:evenAndOddHeaders")) is not None
    section = standard_doc.sections[0]
    for footer, align, side in (
        (section.footer, 2, "right"),
        (section.even_page_footer, 0, "left"),
    ):
        p = footer.paragraphs[0]
        assert paragraph_style(p) == "DubanPageNumber"
        assert p.alignment == align
        assert p._p.pPr.find(qn("w:ind")).get(qn(f"w:{side}")) == "280"  # one 14 pt character
        field = p._p.find(qn("w:fldSimple"))
        assert field.get(qn("w:instr")) == "PAGE"
        text = "".join(t.text for t in p._p.iter(qn("w:t")))
        assert re.fullmatch(r"— \d+ —", text)


def test_colophon_is_anchored_to_the_bottom_of_the_text_block(standard_doc):
    from docx.text.paragraph import Paragraph

    wp = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
    anchor = next(standard_doc.element.body.iter(f"{wp}anchor"))
    position = anchor.find(f"{wp}positionV")
    assert position.get("relativeFrom") == "margin"
    assert position.find(f"{wp}align").text == "bottom"
    assert anchor.find(f"{wp}wrapTopAndBottom") is not None  # text keeps clear of it
    box = [Paragraph(p, None) for p in anchor.iter(qn("w:p"))]
    assert [p.text for p in box] == [
        "抄送：县公安局户政大队。", "某某县公安局办公室\t2026年11月27日印发"]
    for p in box:
        borders = p._p.pPr.find(qn("w:pBdr"))
        sizes = {side: borders.find(qn(f"w:{side}")).get(qn("w:sz"))
                 for side in ("top", "bottom", "between")}
        assert sizes == {"top": "8", "bottom": "8", "between": "6"}  # thick, thick, thin
        assert paragraph_style(p) == "DubanColophon"
    assert style_font(standard_doc, "DubanColophon") == ("仿宋_GB2312", 14)


def test_draft_has_the_mark_in_the_headers_and_no_number():
    doc = open_docx(render_docx(request(issuer=standard_issuer(), number=None)))
    section = doc.sections[0]
    for header in (section.header, section.even_page_header):
        p = header.paragraphs[0]
        assert p.text == "草稿" and str(p.runs[0].font.color.rgb) == RED
    assert "〔2026〕" not in docx_text(render_docx(request(issuer=standard_issuer(), number=None)))


def test_awkward_text_round_trips_exactly():
    data = sample_data("notice")
    data["item"]["content"] = "\n".join(SPECIAL)
    data["title"] = "关于A & B < C的通知{{ 7*7 }}</w:t>"
    doc = open_docx(render_docx(request(data=data)))
    texts = [p.text for p in doc.paragraphs]
    assert data["title"] in texts
    for piece in SPECIAL:
        assert any(piece in t for t in texts), piece


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("letter", [False, True])
def test_both_formats_carry_the_same_text_in_the_same_order(kind, letter):
    issuer = request().issuer if letter else standard_issuer()
    issuer.letter_kinds = frozenset(KINDS) if letter else frozenset()
    req = request(kind, issuer=issuer)
    word = squash(docx_text(render_docx(req)).replace("\t", ""))
    pdf = squash(re.sub(r"— \d+ —", "", pdf_text(render_pdf(req))))
    for table in (b for b in build_blocks(req) if b.kind == "table"):
        head = squash("".join(table.rows[0]))  # the PDF repeats a table's head on each page
        first = pdf.find(head) + len(head)
        pdf = pdf[:first] + pdf[first:].replace(head, "")
    assert word == pdf


def test_signature_and_attachments_indents():
    data = sample_data("notice")
    data["attachments"] = ["督办事项清单", "办理情况反馈表"]
    doc = open_docx(render_docx(request(data=data, issuer=standard_issuer())))
    paras = {p.text: p for p in doc.paragraphs}
    first, second = paras["附件：1.督办事项清单"], paras["2.办理情况反馈表"]
    ind = first._p.pPr.find(qn("w:ind"))
    assert (ind.get(qn("w:left")), ind.get(qn("w:hanging"))) == ("1575", "945")  # 5 and 3 chars
    assert second._p.pPr.find(qn("w:ind")).get(qn("w:left")) == "1575"
    sig, date = paras["某某县公安局"], paras["2026年11月27日"]
    sig_left = int(sig._p.pPr.find(qn("w:ind")).get(qn("w:left")))
    date_left = int(date._p.pPr.find(qn("w:ind")).get(qn("w:left")))
    assert date_left - sig_left == 2 * 315  # the date starts two characters right
    assert sig_left + 9 * 315 == (28 - 2) * 315  # 署名 right-indented two characters


def test_photos_and_captions_in_word():
    data = sample_data("inspection_record")
    doc = open_docx(render_docx(request("inspection_record", data=data)))
    pictures = doc.inline_shapes
    photos = [p for f in data["findings"] for p in f["photos"]]
    assert len(pictures) == len(photos)
    assert all(shape.width <= 120 * 36000 + 1 for shape in pictures)  # ≤ 120 mm wide (EMU)
    texts = [p.text for p in doc.paragraphs]
    for photo in photos:
        assert any(text.endswith(photo["caption"]) for text in texts)


@pytest.mark.parametrize("kind", KINDS)
def test_properties_are_in_schema_order(kind):
    """Word rejects files whose pPr/rPr/tblPr children are out of order."""
    import io
    import zipfile

    from lxml import etree

    from webapp.documents.rendering.ooxml import PPR_ORDER, RPR_ORDER, TBLPR_ORDER

    data = render_docx(request(kind))
    orders = {"pPr": PPR_ORDER, "rPr": RPR_ORDER, "tblPr": TBLPR_ORDER}
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = [n for n in package.namelist() if n.startswith("word/") and n.endswith(".xml")]
        for name in parts:
            root = etree.fromstring(package.read(name))
            for tag, order in orders.items():
                for el in root.iter(qn(f"w:{tag}")):
                    names = [c.tag.rpartition("}")[2] for c in el]
                    ranks = [order.index(n) for n in names if n in order]
                    assert ranks == sorted(ranks), (name, tag, names)


def test_urgency_in_word():
    data = sample_data("notice")
    data["urgency"] = "特急"
    doc = open_docx(render_docx(request(data=data, issuer=standard_issuer())))
    first = doc.paragraphs[0]
    assert first.text == "特急" and paragraph_style(first) == "DubanUrgency"
    assert run_font(doc, first, first.runs[0]) == ("黑体", 16)
    letter = open_docx(render_docx(request(data=data)))
    number = letter.sections[0].first_page_header.paragraphs[1]
    assert number.text == f"特急\t{NUMBER}"
    assert run_font(letter, number, number.runs[0])[0] == "黑体"


def test_long_title_lines_in_word():
    data = sample_data("notice")
    data["title"] = "关于督促解决城关派出所户籍窗口群众排长队问题的督办通知"
    doc = open_docx(render_docx(request(data=data)))
    title = next(p for p in doc.paragraphs if paragraph_style(p) == "DubanTitle")
    assert title.text == "关于督促解决城关派出所户籍窗口\n群众排长队问题的督办通知"


def test_signature_keeps_with_the_text_before_it():
    doc = open_docx(render_docx(request()))
    paras = doc.paragraphs
    sig = next(i for i, p in enumerate(paras) if paragraph_style(p) == "DubanSignature")
    for p in paras[sig - 1 : sig + 1]:
        assert p._p.pPr.find(qn("w:keepNext")) is not None, p.text
