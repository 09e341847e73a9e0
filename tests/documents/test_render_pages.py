"""The 版记 on an even page (GB/T 9704 7.4): an odd page count gets the 版记 a page of its own,
after an empty page when needed; neither is numbered. PDF and Word plan it the same way."""

from __future__ import annotations

import re

import pytest
from docx.oxml.ns import qn

from tests.documents.render_fixtures import (
    LONG_TEXT,
    open_docx,
    pdf_lines,
    pdf_rules,
    request,
    standard_issuer,
)
from webapp.documents.rendering import build_blocks, render_docx, render_pdf, sample_data
from webapp.documents.rendering.pdf import page_plan

FOLIO = re.compile(r"— \d+ —")


def notice(paragraphs: int, chars: int | None = None) -> dict:
    data = sample_data("notice")
    data["item"]["content"] = "\n".join(LONG_TEXT.split("\n")[:1] * paragraphs) or "请办理。"
    if chars:  # one long paragraph: ends the body on a full even page
        data["item"]["content"] = (LONG_TEXT.split("\n")[0] * 20)[:chars]
    return data


@pytest.fixture(scope="module")
def documents():
    """Notices from one to six pages, each with its PDF pages and the Word plan."""
    out = []
    for paragraphs, chars in ((0, None), (4, None), (8, None), (10, None), (13, None),
                              (17, None), (0, 1720)):
        req = request(data=notice(paragraphs, chars), issuer=standard_issuer())
        out.append((req, pdf_lines(render_pdf(req)), render_pdf(req)))
    return out


def test_the_colophon_stands_on_an_even_page_unnumbered_when_alone(documents):
    plans = set()
    for req, pages, pdf in documents:
        last = pages[-1]
        assert any(line["text"].endswith("印发") for line in last)
        red = (0.901961, 0.0, 0.070588)
        rules = [r for r in pdf_rules(pdf, len(pages) - 1) if r["color"] != red]
        assert max(r["bottom"] for r in rules) == pytest.approx(262.0, abs=0.3)
        if len(pages) == 1:
            continue
        assert len(pages) % 2 == 0, [line["text"] for line in last]
        body_sizes = [line for line in last if abs(line["size"] - 16) < 0.1]
        alone = not body_sizes
        if alone:
            assert not any(FOLIO.fullmatch(line["text"]) for line in last)
        blank = [p for p in pages if not p]
        for number, page in enumerate(pages, start=1):
            if page and page is not last:
                assert page[-1]["text"] == f"— {number} —"
        plan = "blank" if blank else "alone" if alone else "inline"
        plans.add(plan)
        assert page_plan(req, build_blocks(req)) == plan
    assert plans == {"blank", "alone", "inline"}  # each case met at least once


def test_word_follows_the_same_plan(documents):
    for req, _pages, _pdf in documents:
        plan = page_plan(req, build_blocks(req))
        doc = open_docx(render_docx(req))
        sections = doc.sections
        if plan == "inline":
            assert len(sections) == 1
            continue
        assert len(sections) == 2
        last = sections[-1]
        for footer in (last.footer, last.even_page_footer):
            assert not footer.is_linked_to_previous
            assert "PAGE" not in footer._element.xml  # the 版记 page carries no number
        breaks = [br for br in doc.element.body.iter(qn("w:br")) if br.get(qn("w:type")) == "page"]
        assert bool(breaks) == (plan == "blank")


def test_one_page_documents_need_no_layout_for_word():
    import webapp.documents.rendering.pdf as pdf_module

    data = notice(0)
    data["item"]["instructions"] = []
    req = request(data=data)  # a short notice in the letter format
    assert len(pdf_lines(render_pdf(req))) == 1
    before = dict(pdf_module._plans)
    pdf_module._plans.clear()  # forget the layout just made
    try:
        assert page_plan(req, build_blocks(req)) == "inline"
        assert pdf_module._plans == {}  # decided without laying the document out
    finally:
        pdf_module._plans.update(before)
