"""The Word files as LibreOffice lays them out, measured like the PDFs (GB/T 9704): the 版记 at
the foot of the last page, the letter format's rules, the 草稿 mark inside the top margin, the
same page count as our PDF and the same body lines."""

from __future__ import annotations

import re

import pytest

from tests.documents.libreoffice import SOFFICE, as_word_reads_it, docx_to_pdf
from tests.documents.render_fixtures import (
    LONG_TEXT,
    MM,
    long_circular,
    pdf_lines,
    request,
    standard_issuer,
)
from webapp.documents.rendering import KINDS, render_docx, render_pdf, sample_data

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE is None, reason="libreoffice-writer-nogui is not installed"),
]
LINE = 28.95 / MM
FOLIO = re.compile(r"— ?\d+ ?—")


def cases() -> dict:
    out = {}
    for kind in KINDS:
        out[f"{kind}-standard"] = request(kind, issuer=standard_issuer())
        out[f"{kind}-letter"] = request(kind, issuer=standard_issuer(letter_kinds=frozenset(KINDS)))
    draft = sample_data("notice")
    draft["item"]["content"] = LONG_TEXT
    out["notice-long-draft"] = request(data=draft, number=None, issuer=standard_issuer())
    out["circular-60-rows"] = request("circular", data=long_circular(60))
    return out


@pytest.fixture(scope="module")
def laid_out():
    """name -> (request, our PDF, LibreOffice's PDF of our .docx)."""
    return {
        name: (req, render_pdf(req), docx_to_pdf(as_word_reads_it(render_docx(req)), name))
        for name, req in cases().items()
    }


def body_lines(pdf: bytes) -> list[list[str]]:
    """Per page, the 3号 body lines' text (no page numbers, no spaces, no joiners)."""
    return [
        [re.sub(r"[\s\u200b]", "", line["text"]) for line in page
         if abs(line["size"] - 16) < 0.3 and not FOLIO.fullmatch(line["text"].strip())]
        for page in pdf_lines(pdf)
    ]


def rules(pdf: bytes, page: int) -> list[dict]:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        p = doc.pages[page]
        return [{"top": (r["top"] - r.get("linewidth", 0) / 2) / MM,
                 "bottom": (r["bottom"] + r.get("linewidth", 0) / 2) / MM,
                 "width": (r["x1"] - r["x0"]) / MM,
                 "red": _red(r.get("stroking_color")) or _red(r.get("non_stroking_color"))}
                for r in p.lines + p.rects]


def _red(color) -> bool:
    return isinstance(color, tuple | list) and len(color) == 3 and color[0] > 0.8 \
        and color[1] < 0.1


def test_same_pages_and_body_lines_as_the_pdf(laid_out):
    same = total = 0
    report = []
    for name, (_req, ours, theirs) in laid_out.items():
        a, b = body_lines(ours), body_lines(theirs)
        assert len(b) == len(a), (name, len(a), len(b))
        flat_b = {line for page in b for line in page}
        lines = [line for page in a for line in page]
        hits = sum(line in flat_b for line in lines)
        same, total = same + hits, total + len(lines)
        report.append(f"{name}: {hits}/{len(lines)}")
    assert same / total >= 0.95, report


def test_the_colophon_stands_at_the_foot_of_the_last_page(laid_out):
    for name, (req, _ours, theirs) in laid_out.items():
        pages = pdf_lines(theirs)
        last = pages[-1]
        ours = [line for line in pdf_lines(_ours)[-1] if _colophon_line(line["text"])]
        cc = [line for line in last if _colophon_line(line["text"])]
        assert len(cc) == len(ours), name
        if not cc:
            continue  # a letter without 抄送 has no 版记
        if req.letter:  # no rules: the 抄送 line where the PDF has it
            assert cc[0]["baseline"] == pytest.approx(ours[0]["baseline"], abs=1.0), name
            continue
        black = [r for r in rules(theirs, len(pages) - 1) if not r["red"] and r["width"] > 140]
        assert max(r["bottom"] for r in black) == pytest.approx(262, abs=0.6), name
        assert min(r["top"] for r in black) < cc[0]["top"], name
        assert len(pages) == 1 or len(pages) % 2 == 0, name  # on an even page


def _colophon_line(text: str) -> bool:
    return text.startswith("抄送") or text.replace(" ", "").endswith("印发")


def test_letter_format_rules_where_gbt9704_puts_them(laid_out):
    _req, _ours, theirs = laid_out["notice-letter"]
    mark = pdf_lines(theirs)[0][0]
    top = mark["baseline"] - 0.88 * mark["size"] / MM
    bottom = mark["baseline"] + 0.12 * mark["size"] / MM
    assert top == pytest.approx(30, abs=1.0)  # 30 mm from the top of the page
    red = [r for r in rules(theirs, 0) if r["red"]]
    assert all(r["width"] == pytest.approx(170, abs=0.5) for r in red)
    upper = min(r["top"] for r in red)
    assert upper - bottom == pytest.approx(4, abs=1.0)  # 4 mm under the mark
    assert max(r["bottom"] for r in red) == pytest.approx(297 - 20, abs=0.6)  # 20 mm up


def test_draft_mark_leaves_the_text_block_where_it_was(laid_out):
    _req, _ours, draft = laid_out["notice-long-draft"]
    _req, _ours, issued = laid_out["circular-standard"]
    for page in pdf_lines(draft):
        mark = next(line for line in page if line["text"] == "草稿")
        assert mark["bottom"] < 37
    first_draft = next(line for line in pdf_lines(draft)[1] if line["text"] != "草稿")
    first_issued = pdf_lines(issued)[1][0]
    assert first_draft["baseline"] == pytest.approx(first_issued["baseline"], abs=0.2)
    centre = first_draft["baseline"] - 0.38 * first_draft["size"] / MM
    assert centre == pytest.approx(37 + LINE / 2, abs=1.5)
