"""Text the fonts cannot show: refused at input by name, substituted at render for text stored
before, never printed as tofu; long Latin strings wrap; rare characters keep the title bold."""

from __future__ import annotations

import io
import shutil
import subprocess

import pikepdf
import pytest

from tests.documents.render_fixtures import (
    docx_text,
    pdf_lines,
    pdf_text,
    request,
    squash,
)
from webapp.documents.rendering import build_blocks, render_docx, render_pdf, sample_data
from webapp.errors import InvalidInput
from webapp.validation import clean_text

STORED = "群众反映😀办事难👍🏻，附图\ue000一张。\u2028第二段：已整改\u200d完毕。"


@pytest.mark.parametrize(("text", "code"), [("好😀", "U+1F600"), ("✂剪", "U+2702"),
                                             ("私\ue000用", "U+E000")])
def test_input_refuses_what_no_document_can_print_naming_it(text, code):
    with pytest.raises(InvalidInput) as info:
        clean_text(text, field="content", label="事项内容")
    assert code in str(info.value) and "事项内容" in str(info.value)


def test_input_turns_unicode_line_breaks_into_newlines_and_drops_invisible_marks():
    assert clean_text("一\u2028二\u2029三\u200b四\u202e", field="c", label="内容") == "一\n二\n三四"
    assert clean_text("★ ※ 〓 ①", field="c", label="内容") == "★ ※ 〓 ①"  # printable symbols stay


def test_stored_text_is_substituted_in_both_formats():
    data = sample_data("notice")
    data["item"]["content"] = STORED
    req = request(data=data)
    paras = [b.text for b in build_blocks(req) if b.kind == "para"]
    assert "一、督办事项。群众反映〓办事难〓，附图〓一张。" in paras
    assert "第二段：已整改完毕。" in paras  # U+2028 started a paragraph; U+200D dropped
    pdf, word = squash(pdf_text(render_pdf(req))), squash(docx_text(render_docx(req)))
    for text in (pdf, word):
        assert "群众反映〓办事难〓，附图〓一张。" in text and "第二段：已整改完毕。" in text
        assert "😀" not in text and "\ue000" not in text


def test_no_tofu_and_an_honest_pdfa_claim():
    data = sample_data("closing_report")
    data["feedback"]["result"] = STORED
    pdf = render_pdf(request("closing_report", data=data, pdfa=True))
    text = squash(pdf_text(pdf))
    for block in build_blocks(request("closing_report", data=data)):
        for piece in block.texts():
            assert squash(piece) in text  # nothing lost to a broken glyph
    out = subprocess.run([shutil.which("pdffonts"), "-"], input=pdf, capture_output=True,
                         check=True).stdout.decode()
    assert all(" yes yes yes " in row for row in out.splitlines()[2:])  # embedded, Unicode
    import pymupdf

    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        for page in doc:
            for block in page.get_text("rawdict")["blocks"]:
                for line in block.get("lines", []):
                    for span in line["spans"]:
                        assert all(ch["c"] != "\ufffd" for ch in span["chars"])
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert doc.open_metadata()["pdfaid:part"] == "3"


def test_long_latin_strings_wrap_inside_the_text_block():
    url = "https://duban.example.gov/documents/" + "x1y2z3" * 30
    number = "4" * 90
    data = sample_data("notice")
    data["item"]["content"] = f"链接{url}\n编号{number}"
    pages = pdf_lines(render_pdf(request(data=data)))
    assert all(line["x1"] <= 184.3 for page in pages for line in page), "runs off the page"
    text = squash("".join(line["text"] for page in pages for line in page))
    assert url in text and number in text


def test_a_rare_character_keeps_the_title_bold():
    data = sample_data("notice")
    data["title"] = "关于王堃同志反映问题的督办通知"  # 堃: beyond GB2312, beyond our subsets
    page = pdf_lines(render_pdf(request(data=data)))[0]
    title = next(line for line in page if abs(line["size"] - 22) < 0.1)
    fonts = {c["text"]: c["fontname"] for c in title["chars"]}
    assert fonts["堃"].endswith("Bold"), fonts["堃"]
    assert "Bold" in fonts["王"] or "bold" in fonts["王"]
