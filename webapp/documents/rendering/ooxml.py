"""Small WordprocessingML helpers: properties in schema order, fonts in w:eastAsia."""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

PPR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]
RPR_ORDER = [
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
]
TBLPR_ORDER = [
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
]
PBDR_ORDER = ["top", "left", "bottom", "right", "between", "bar"]


def child(parent, tag: str, order: list[str], **attrs: str):
    """Get or insert ``w:tag`` under parent in schema order, then set w: attributes."""
    el = parent.find(qn(f"w:{tag}"))
    if el is None:
        el = OxmlElement(f"w:{tag}")
        later = order[order.index(tag) + 1 :]
        for sibling in parent:
            name = sibling.tag.rpartition("}")[2]
            if name in later:
                sibling.addprevious(el)
                break
        else:
            parent.append(el)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), str(value))
    return el


def ppr(parent_el, tag: str, **attrs: str):
    """A w:pPr child (parent_el is a w:p or w:style element)."""
    return child(parent_el.get_or_add_pPr(), tag, PPR_ORDER, **attrs)


def rpr(parent_el, tag: str, **attrs: str):
    """A w:rPr child (parent_el is a w:r or w:style element)."""
    return child(parent_el.get_or_add_rPr(), tag, RPR_ORDER, **attrs)


def set_fonts(el, east_asia: str, latin: str | None = None) -> None:
    """Name the font for Chinese (w:eastAsia) and Latin text of a run or style."""
    latin = latin or east_asia
    rpr(el, "rFonts", ascii=latin, hAnsi=latin, eastAsia=east_asia, cs=latin, hint="eastAsia")


def set_size(el, points: float) -> None:
    """Font size in points (w:sz and w:szCs are half-points)."""
    half = str(round(points * 2))
    rpr(el, "sz", val=half)
    rpr(el, "szCs", val=half)


def border(p_el, side: str, style: str, eighths: int, color: str, space: int = 0) -> None:
    """A paragraph border (w:pBdr/w:side); eighths of a point, space in points."""
    bdr = ppr(p_el, "pBdr")
    child(bdr, side, PBDR_ORDER, val=style, sz=str(eighths), space=str(space), color=color)
