"""Helpers for the rendering tests: sample requests and readers for PDF and Word output."""

from __future__ import annotations

import io
import re
import unicodedata

import docx
import pdfplumber
from docx.oxml.ns import qn

from webapp.documents.rendering import Issuer, RenderRequest, sample_data, sample_image_loader

MM = 72 / 25.4
NUMBER = "某公督〔2026〕12号"
SPECIAL = [
    'A & B < C "D"',
    "{{ 7*7 }}",
    "</w:t></w:r>",
    "〔2026〕12号",
    "𠀾 堃 喆",
    "表情符号：★☆※",
    '<link rel=attachment href="file:///etc/passwd">',
]
# About 1,500 characters of plain body text: several full pages.
LONG_TEXT = "\n".join(
    "各单位要进一步提高认识，切实把督办事项落实到位，确保件件有着落、事事有回音，"
    "对敷衍塞责、推诿扯皮的，一经查实，严肃追究有关人员责任。" * 2
    for _ in range(8)
)


def standard_issuer(**changes) -> Issuer:
    """An issuer setting every kind in the standard (红头文件) format."""
    issuer = Issuer(letter_kinds=frozenset())
    for key, value in changes.items():
        setattr(issuer, key, value)
    return issuer


def request(
    kind: str = "notice",
    *,
    data: dict | None = None,
    issuer: Issuer | None = None,
    number: str | None = NUMBER,
    pdfa: bool = False,
) -> RenderRequest:
    """A render request for a kind's sample data (or the given data)."""
    return RenderRequest(
        kind=kind,
        data=data if data is not None else sample_data(kind),
        issuer=issuer or Issuer(),
        doc_number=number,
        pdfa=pdfa,
        image_loader=sample_image_loader,
    )


def squash(text: str) -> str:
    """Text without any whitespace, for comparing text across layouts."""
    return re.sub(r"\s+", "", text)


def width(text: str) -> float:
    """Width in characters: full-width 1, others ½."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


# --- PDF ------------------------------------------------------------------------------------


def pdf_lines(pdf: bytes) -> list[list[dict]]:
    """Per page, the text lines with top/bottom/x0/x1 in mm, size, font and baseline."""
    pages = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            lines = []
            for line in page.extract_text_lines(return_chars=True):
                chars = line["chars"]
                lines.append(
                    {
                        "text": line["text"],
                        "top": line["top"] / MM,
                        "bottom": line["bottom"] / MM,
                        "x0": line["x0"] / MM,
                        "x1": line["x1"] / MM,
                        "size": chars[0]["size"],
                        "font": chars[0]["fontname"],
                        "baseline": (page.height - chars[0]["matrix"][5]) / MM,
                        "chars": chars,
                    }
                )
            pages.append(lines)
    return pages


def pdf_rules(pdf: bytes, page_no: int = 0) -> list[dict]:
    """Filled rectangles and lines of a page (the rules), in mm, with their colour."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[page_no]
        return [
            {
                "top": r["top"] / MM,
                "bottom": r["bottom"] / MM,
                "x0": r["x0"] / MM,
                "x1": r["x1"] / MM,
                "color": r.get("non_stroking_color"),
            }
            for r in page.rects + page.lines
        ]


def pdf_text(pdf: bytes) -> str:
    """All text of the PDF, page by page."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(page.extract_text() for page in doc.pages)


# --- Word -----------------------------------------------------------------------------------


def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def style_font(document, style_id: str) -> tuple[str | None, float | None]:
    """(w:eastAsia font, size in pt) of a paragraph style, following based-on styles."""
    styles = document.styles.element
    east, size = None, None
    while style_id:
        el = styles.find(f"{qn('w:style')}[@{qn('w:styleId')}='{style_id}']")
        if el is None:
            break
        rpr = el.find(qn("w:rPr"))
        if rpr is not None:
            fonts = rpr.find(qn("w:rFonts"))
            if east is None and fonts is not None and fonts.get(qn("w:eastAsia")):
                east = fonts.get(qn("w:eastAsia"))
            sz = rpr.find(qn("w:sz"))
            if size is None and sz is not None:
                size = int(sz.get(qn("w:val"))) / 2
        based = el.find(qn("w:basedOn"))
        style_id = based.get(qn("w:val")) if based is not None else None
    return east, size


def run_font(document, paragraph, run) -> tuple[str | None, float | None]:
    """The East-Asian font and size a run ends up with (run, then its paragraph style)."""
    east, size = None, None
    rpr = run._r.find(qn("w:rPr"))
    if rpr is not None:
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is not None:
            east = fonts.get(qn("w:eastAsia"))
        sz = rpr.find(qn("w:sz"))
        if sz is not None:
            size = int(sz.get(qn("w:val"))) / 2
    style_east, style_size = style_font(document, paragraph_style(paragraph))
    return east or style_east, size or style_size


def paragraph_style(paragraph) -> str:
    ppr = paragraph._p.pPr
    style = ppr.find(qn("w:pStyle")) if ppr is not None else None
    return style.get(qn("w:val")) if style is not None else "Normal"


def docx_text(data: bytes) -> str:
    """The document's text in reading order: first-page header, body (tables inline)."""
    document = open_docx(data)
    parts = []
    section = document.sections[0]
    if section.different_first_page_header_footer:
        parts += [p.text for p in section.first_page_header.paragraphs]
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            parts.append("".join(t.text or "" for t in child.iter(qn("w:t"))))
        elif child.tag == qn("w:tbl"):
            for cell_p in child.iter(qn("w:p")):
                parts.append("".join(t.text or "" for t in cell_p.iter(qn("w:t"))))
    return "\n".join(parts)


def long_circular(rows: int = 200) -> dict:
    """The sample 通报 with a statistics table of `rows` rows (about ten pages at 200)."""
    data = sample_data("circular")
    units = [row[0] for row in data["table"]["rows"]]
    data["table"]["rows"] = [
        [
            f"{units[i % len(units)]}（{i // len(units) + 1}组）",
            5 + i % 11,
            5 + i % 11 - i % 3,
            i % 3,
            f"{(5 + i % 11 - i % 3) / (5 + i % 11) * 100:.1f}%",
        ]
        for i in range(rows)
    ]
    data["summary"] = "\n".join([data["summary"]] * 3)
    return data
