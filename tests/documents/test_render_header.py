"""The 版头: 份号, 密级★保密期限, 紧急程度 and 签发人 when the data sets them (GB/T 9704 7.2)."""

from __future__ import annotations

import pytest

from tests.documents.render_fixtures import (
    MM,
    NUMBER,
    open_docx,
    paragraph_style,
    pdf_lines,
    request,
    run_font,
    standard_issuer,
)
from webapp.documents.rendering import RenderError, render_docx, render_pdf, sample_data

LINE = 28.95 / MM
TOP, LEFT, RIGHT = 37.0, 28.0, 184.0


def marked(**fields) -> dict:
    data = sample_data("notice")
    data.update({"copy_number": 12, "secrecy": "机密", "secrecy_period": "1年",
                 "urgency": "特急"} | fields)
    return data


def centre(line) -> float:
    return line["baseline"] - 0.38 * line["size"] / MM


def test_standard_header_stacks_copy_number_secrecy_and_urgency_top_left():
    page = pdf_lines(render_pdf(request(data=marked(), issuer=standard_issuer())))[0]
    texts = [line["text"] for line in page[:4]]
    assert texts == ["000012", "机密★1年", "特急", "某某县公安局文件"]
    for i, line in enumerate(page[:3]):
        assert line["x0"] == pytest.approx(LEFT, abs=0.3)
        assert centre(line) == pytest.approx(TOP + (i + 0.5) * LINE, abs=1.0)
    assert "duban-sans" in page[1]["font"] and "duban-sans" in page[2]["font"]  # 黑体
    mark = page[3]
    assert mark["baseline"] - 0.88 * mark["size"] / MM == pytest.approx(TOP + 35, abs=1.0)


def test_letter_format_puts_them_under_the_double_rule_with_the_number_on_the_last():
    page = pdf_lines(render_pdf(request(data=marked())))[0]
    copy, secrecy = page[1], page[2]
    assert (copy["text"], secrecy["text"]) == ("000012", "机密★1年")
    urgency = next(line for line in page if line["text"].startswith("特急"))
    number = next(line for line in page if NUMBER in line["text"])
    assert urgency["baseline"] == pytest.approx(number["baseline"], abs=0.3)
    assert secrecy["baseline"] - copy["baseline"] == pytest.approx(LINE, abs=0.2)
    assert number["x1"] == pytest.approx(RIGHT, abs=0.5)
    title = next(line for line in page if abs(line["size"] - 22) < 0.1)
    assert centre(title) - centre(number) == pytest.approx(3 * LINE, abs=1.0)


def test_signer_of_an_upward_document():
    data = sample_data("closing_report") | {"signer": "李局长"}
    req = request("closing_report", data=data, issuer=standard_issuer())
    page = pdf_lines(render_pdf(req))[0]
    row = [line for line in page if NUMBER in line["text"] or "签发人" in line["text"]]
    chars = [c for line in row for c in line["chars"]]
    number_x0 = min(c["x0"] for c in chars) / MM
    signer_x1 = max(c["x1"] for c in chars) / MM
    assert number_x0 == pytest.approx(LEFT + 16 / MM, abs=0.5)  # one character in
    assert signer_x1 == pytest.approx(RIGHT - 16 / MM, abs=0.5)
    name = [c for c in chars if c["text"] in "李局长"]
    assert name and all("duban-serif" in c["fontname"] or "UKai" in c["fontname"]
                        for c in name)  # the 楷体 slot
    doc = open_docx(render_docx(req))
    number = next(p for p in doc.paragraphs if paragraph_style(p) == "DubanNumber")
    assert number.text == f"{NUMBER}\t签发人：李局长"
    assert run_font(doc, number, number.runs[-1])[0] == "楷体_GB2312"


def test_word_header_lines_in_both_formats():
    doc = open_docx(render_docx(request(data=marked(), issuer=standard_issuer())))
    first = [(p.text, paragraph_style(p)) for p in doc.paragraphs[:4]]
    assert first == [("000012", "DubanCopyNumber"), ("机密★1年", "DubanUrgency"),
                     ("特急", "DubanUrgency"), ("某某县公安局文件", "DubanMark")]
    letter = open_docx(render_docx(request(data=marked())))
    header = [p.text for p in letter.sections[0].first_page_header.paragraphs]
    assert header[1:] == ["000012", "机密★1年", f"特急\t{NUMBER}"]


def test_a_bad_copy_number_is_refused():
    with pytest.raises(RenderError, match="份号"):
        render_pdf(request(data=marked(copy_number="A-12")))
