"""Title line breaks: every title the demo data produces breaks between words, lines balanced."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta

import pytest

from tests.documents.render_fixtures import pdf_lines, request, width
from webapp.demo import UNITS
from webapp.documents.data import circular_title, item_title
from webapp.documents.inspection_data import inspection_title
from webapp.documents.rendering import build_blocks, render_docx, render_pdf, sample_data
from webapp.documents.rendering.titles import keep_terms, title_lines, words
from webapp.inspections.models import InspectionMode
from webapp.supervision.demo_items import ITEMS

UNIT_NAMES = tuple(name for _code, name, _kind in UNITS)
# Splits a clerk sends back: inside words, numbers, dates and names.
BAD = ("时间过长", "备勤制度", "工作人员", "派出所", "管理所", "报警电话", "接通率", "不到位")


def _periods():
    for year in (2025, 2026):
        for month in range(1, 13):
            start = date(year, month, 1)
            end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            yield start, end
        for quarter in range(4):
            start = date(year, 3 * quarter + 1, 1)
            end = (date(year, 3 * quarter + 4, 1) if quarter < 3 else date(year + 1, 1, 1))
            yield start, end - timedelta(days=1)
        yield date(year, 1, 1), date(year, 12, 31)
    yield date(2025, 10, 1), date(2026, 1, 31)  # across a year, 1月 next to 31日


def demo_titles() -> list[str]:
    titles = [item_title(spec.title, label) for spec in ITEMS
              for label in ("督办通知", "催办通知", "办结报告")]
    titles += [circular_title(start, end) for start, end in _periods()]
    titles += [inspection_title(unit, mode.label) for unit in UNIT_NAMES
               for mode in InspectionMode]
    return titles


def cuts_of(lines: list[str]) -> list[int]:
    positions, pos = [], 0
    for line in lines[:-1]:
        pos += len(line)
        positions.append(pos)
    return positions


def protected_spans(title: str):
    """Runs no cut may fall inside: numbers and dates, unit names, the words listed above."""
    pattern = r"\d{4}年\d{1,2}月\d{1,2}日|\d+(?:\.\d+)?%?|〔\d{4}〕\d+号|（[^）]*）"
    for match in re.finditer(pattern, title):
        yield match.group(), match.start(), match.end()
    for term in (*UNIT_NAMES, *BAD):
        for match in re.finditer(re.escape(term), title):
            yield term, match.start(), match.end()


def test_demo_titles_break_between_words_on_balanced_lines():
    titles = demo_titles()
    assert len(titles) > 120
    broken = 0
    for title in titles:
        lines = title_lines(title, UNIT_NAMES)
        assert "".join(lines) == title
        assert all(width(line) <= 20 for line in lines), lines
        if len(lines) == 1:
            continue
        broken += 1
        boundaries = {*cuts_of([w for w, _tag in words(title)]), len(title)}
        for cut in cuts_of(lines):
            assert cut in boundaries, (title, lines)  # a word boundary of the segmenter
            for term, start, end in protected_spans(title):
                assert not start < cut < end, (title, lines, term)
            assert title[cut] not in "，。、；：）》〕”的", lines
        widths = [width(line) for line in lines]
        assert min(widths) >= 0.45 * max(widths), lines  # 排列对称: no stub line
    assert broken >= 25


def test_the_issue_examples_come_out_whole():
    assert title_lines(circular_title(date(2025, 10, 1), date(2026, 1, 31))) == [
        "关于2025年10月1日至2026年1月31日", "督办工作情况的通报"]
    assert title_lines(item_title("东郊派出所值班备勤制度落实不到位", "督办通知")) == [
        "关于东郊派出所值班备勤制度", "落实不到位的督办通知"]
    assert title_lines("关于车管所业务窗口工作人员态度生硬问题的办结报告") == [
        "关于车管所业务窗口工作人员", "态度生硬问题的办结报告"]


def test_names_in_the_data_are_kept_whole():
    data = sample_data("notice")
    data["recipients"] = ["城关镇东风路社区警务室"]
    terms = keep_terms(data)
    assert "城关镇东风路社区警务室" in terms and data["item"]["lead_unit"] in terms
    title = "关于督促城关镇东风路社区警务室尽快落实社区矛盾纠纷排查化解的督办通知"
    for cut in cuts_of(title_lines(title, terms)):
        start = title.index("城关镇东风路社区警务室")
        assert not start < cut < start + len("城关镇东风路社区警务室")


@pytest.mark.parametrize("kind", ["circular", "notice"])
def test_pdf_and_word_print_the_same_title_lines(kind):
    data = sample_data(kind)
    if kind == "circular":
        data["title"] = circular_title(date(2025, 10, 1), date(2026, 1, 31))
    else:
        data["title"] = item_title("东郊派出所值班备勤制度落实不到位", "督办通知")
    req = request(kind, data=data)
    lines = next(b for b in build_blocks(req) if b.kind == "title").lines
    assert len(lines) == 2
    page = pdf_lines(render_pdf(req))[0]
    assert [line["text"] for line in page if abs(line["size"] - 22) < 0.1] == lines
    from tests.documents.render_fixtures import open_docx, paragraph_style

    doc = open_docx(render_docx(req))
    title = next(p for p in doc.paragraphs if paragraph_style(p) == "DubanTitle")
    assert title.text.split("\n") == lines


def test_segmentation_is_cheap_once_loaded():
    titles = demo_titles()
    title_lines(titles[0])
    start = time.perf_counter()
    for title in titles:
        title_lines(title, UNIT_NAMES)
    per_title = (time.perf_counter() - start) / len(titles)
    assert per_title < 0.02  # generous here; benchmarks/bench_documents.py prints the figure
