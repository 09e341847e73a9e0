"""PDF output measured against GB/T 9704 (positions in mm from the top-left of the page)."""

from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess

import pikepdf
import pytest

from tests.documents.render_fixtures import (
    LONG_TEXT,
    MM,
    NUMBER,
    SPECIAL,
    pdf_lines,
    pdf_rules,
    pdf_text,
    request,
    squash,
    standard_issuer,
    width,
)
from webapp.documents.rendering import (
    KINDS,
    RenderError,
    build_blocks,
    check_environment,
    font_report,
    fonts,
    render_pdf,
    sample_data,
)

LINE = 28.95 / MM  # line pitch in mm
TOP, LEFT, BLOCK_BOTTOM = 37.0, 28.0, 262.0
RED = (0.901961, 0.0, 0.070588)


def em_top(line) -> float:
    """Top of the ideographic em box of a line's first character (0.88 em above baseline)."""
    return line["baseline"] - 0.88 * line["size"] / MM


def em_centre(line) -> float:
    return line["baseline"] - 0.38 * line["size"] / MM


def find(lines, text):
    return next(line for line in lines if text in line["text"])


@pytest.fixture(scope="module")
def standard_notice() -> bytes:
    return render_pdf(request(issuer=standard_issuer()))


def test_standard_header_and_first_body_line_follow_gbt9704(standard_notice):
    page = pdf_lines(standard_notice)[0]
    mark, number = page[0], page[1]
    assert mark["text"] == "某某县公安局文件"
    assert all(c["non_stroking_color"] == RED for c in mark["chars"])
    assert em_top(mark) == pytest.approx(TOP + 35, abs=1.0)  # 35 mm under the block top
    assert (mark["x0"] + mark["x1"]) / 2 == pytest.approx(105, abs=1)
    mark_h = mark["size"] / MM
    assert mark_h <= 22.0 + 0.01
    assert number["text"] == NUMBER
    # 发文字号: two blank lines under the mark, centred.
    expected_number = TOP + 35 + mark_h + 2 * LINE + LINE / 2
    assert em_centre(number) == pytest.approx(expected_number, abs=1.0)
    assert (number["x0"] + number["x1"]) / 2 == pytest.approx(105, abs=1)
    # Red rule 4 mm under the 发文字号, 156 mm wide.
    rules = [r for r in pdf_rules(standard_notice) if r["color"] == RED]
    assert len(rules) == 1
    rule = rules[0]
    assert (rule["x0"], rule["x1"]) == (pytest.approx(LEFT, abs=0.2), pytest.approx(184, abs=0.2))
    number_bottom = number["baseline"] + 0.12 * 16 / MM
    rule_y = (rule["top"] + rule["bottom"]) / 2
    assert rule_y - number_bottom == pytest.approx(4.0, abs=1.0)
    # Title two blank lines under the rule; 主送 one blank line under it; then the body.
    title = find(page, "督办通知")
    assert title["size"] == pytest.approx(22, abs=0.1)
    assert em_centre(title) == pytest.approx(rule_y + 2 * LINE + LINE / 2, abs=1.0)
    recipients = page[3]
    assert recipients["text"] == "城关派出所："
    assert recipients["x0"] == pytest.approx(LEFT, abs=0.3)
    assert em_centre(recipients) == pytest.approx(em_centre(title) + 2 * LINE, abs=1.0)
    first_body = page[4]
    expected_first = rule_y + 2 * LINE + LINE + LINE + LINE + LINE / 2
    assert em_centre(first_body) == pytest.approx(expected_first, abs=1.0)
    assert first_body["x0"] == pytest.approx(LEFT + 2 * 15.75 / MM, abs=0.4)  # 2 characters in


def test_full_page_holds_22_lines_of_28_characters():
    data = sample_data("notice")
    data["item"]["content"] = LONG_TEXT
    pdf = render_pdf(request(data=data, issuer=standard_issuer()))
    pages = pdf_lines(pdf)
    assert len(pages) >= 3
    body = [line for line in pages[1] if line["size"] == pytest.approx(16, abs=0.1)]
    assert len(body) == 22
    assert em_centre(body[0]) == pytest.approx(TOP + LINE / 2, abs=1.0)
    assert em_centre(body[-1]) == pytest.approx(TOP + 21.5 * LINE, abs=1.0)
    pitches = [b["baseline"] - a["baseline"] for a, b in itertools.pairwise(body)]
    assert all(p == pytest.approx(LINE, abs=0.05) for p in pitches)
    widths = [
        width(line["text"]) for page in pages for line in page if abs(line["size"] - 16) < 0.1
    ]
    assert max(widths) == 28  # the grid is filled, never exceeded
    assert all(line["x1"] <= 184.3 for page in pages for line in page)


def test_page_numbers_sit_7mm_under_the_block_outside_edge():
    data = sample_data("notice")
    data["item"]["content"] = LONG_TEXT
    pages = pdf_lines(render_pdf(request(data=data, issuer=standard_issuer())))
    for number, page in enumerate(pages, start=1):
        folio = page[-1]
        if number == len(pages) and folio["text"].endswith("印发"):
            continue  # a page holding only the 版记 carries no number
        assert folio["text"] == f"— {number} —"
        assert folio["size"] == pytest.approx(14, abs=0.1)
        assert em_centre(folio) == pytest.approx(BLOCK_BOTTOM + 7, abs=1.0)
        one_char = 14 / MM
        if number % 2:  # odd pages: right, one character in
            assert folio["x1"] == pytest.approx(184 - one_char, abs=0.5)
        else:
            assert folio["x0"] == pytest.approx(LEFT + one_char, abs=0.5)


def test_colophon_last_rule_lies_on_the_bottom_edge_of_the_block(standard_notice):
    pages = pdf_lines(standard_notice)
    last = len(pages) - 1
    cc = find(pages[last], "抄送：")
    printer = find(pages[last], "印发")
    assert cc["size"] == pytest.approx(14, abs=0.1)
    assert printer["size"] == pytest.approx(14, abs=0.1)
    assert cc["x0"] == pytest.approx(LEFT + 14 / MM, abs=0.3)
    assert printer["x1"] == pytest.approx(184 - 14 / MM, abs=0.3)
    assert printer["text"].startswith("某某县公安局办公室") and printer["text"].endswith("印发")
    rules = [r for r in pdf_rules(standard_notice, last) if r["color"] != RED]
    assert max(r["bottom"] for r in rules) == pytest.approx(BLOCK_BOTTOM, abs=0.3)
    assert min(r["top"] for r in rules) < cc["top"]


def test_letter_format_header():
    pdf = render_pdf(request())  # notices are set in 信函格式 by default
    page = pdf_lines(pdf)[0]
    mark, number = page[0], page[1]
    assert mark["text"] == "某某县公安局"  # no 文件 in the letter format
    assert em_top(mark) == pytest.approx(30, abs=1.0)  # 30 mm from the top of the page
    assert number["x1"] == pytest.approx(184, abs=0.5)  # flush right
    red = [r for r in pdf_rules(pdf) if r["color"] == RED]
    assert all(r["x1"] - r["x0"] == pytest.approx(170, abs=0.3) for r in red)
    tops = sorted(r["top"] for r in red)
    assert tops[0] == pytest.approx(em_top(mark) + mark["size"] / MM + 4, abs=1.0)
    assert max(r["bottom"] for r in red) == pytest.approx(297 - 20, abs=0.5)
    assert not any(re.fullmatch(r"— \d+ —", line["text"]) for line in page)  # no folio on p. 1
    assert "印发" not in pdf_text(pdf)  # letter format: 版记 without 印发


def test_fonts_per_block_kind_and_embedded(standard_notice):
    report = font_report()
    page = pdf_lines(standard_notice)[0]
    title = find(page, "督办通知")
    heading = find(page, "一、督办事项")
    body = page[4]

    def face(slot):  # the pre-subset fallback face of a slot, any tier
        return re.compile(rf"\+duban-{report[slot]['subset']}-(core|l1|l2)\b")

    assert face("xiaobiaosong").search(title["font"])
    assert face("heiti").search(heading["chars"][0]["fontname"])
    assert face("fangsong").search(body["font"])
    assert body["size"] == pytest.approx(16, abs=0.1)
    out = subprocess.run(
        [shutil.which("pdffonts"), "-"], input=standard_notice, capture_output=True, check=True
    ).stdout.decode()
    rows = out.splitlines()[2:]
    assert rows and all(" yes yes yes " in row for row in rows)


def test_round_trip_of_awkward_text_and_no_fetch(tmp_path):
    import http.server
    import threading

    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        img = f'<img src="http://127.0.0.1:{server.server_port}/x.png">'
        data = sample_data("notice")
        data["item"]["content"] = "\n".join([*SPECIAL, img])
        data["title"] = "关于A & B < C的通知{{ 7*7 }}"
        pdf = render_pdf(request(data=data, issuer=standard_issuer()))
    finally:
        server.shutdown()
        server.server_close()
    assert hits == []
    text = squash(pdf_text(pdf))
    for piece in [*SPECIAL, img, data["title"]]:
        assert squash(piece) in text, piece
    assert "通知49" not in text  # the title was not evaluated as a template
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert len(doc.attachments) == 0
        assert "/EmbeddedFiles" not in doc.Root.get("/Names", {})


def test_our_fetcher_refuses_everything_but_our_own_schemes():
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    from webapp.documents.rendering.pdf import make_fetcher

    loaded = []
    fetcher = make_fetcher(image_loader=lambda ref: loaded.append(ref) or b"\xff\xd8")
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1:1/",
        "https://example.org/",
        "ftp://127.0.0.1/x",
        "duban-image:../../etc/passwd",
    ):
        with pytest.raises(FatalURLFetchingError):
            fetcher(url)
    assert fetcher("data:text/plain;base64,QQ==").read() == b"A"
    fetcher("duban-image:" + "a" * 64)
    assert loaded == ["a" * 64]
    html = weasyprint.HTML(string='<p>x<img src="file:///etc/hostname"></p>', url_fetcher=fetcher)
    with pytest.raises(FatalURLFetchingError):
        html.write_pdf()


def test_photos_come_from_the_image_loader_only():
    kind = "inspection_record"
    refs = []

    def loader(ref):
        from webapp.documents.rendering import sample_image_loader

        refs.append(ref)
        return sample_image_loader(ref)

    req = request(kind)
    req.image_loader = loader
    pdf = render_pdf(req)
    photos = [p["ref"] for f in sample_data(kind)["findings"] for p in f["photos"]]
    assert sorted(refs) == sorted(photos)
    text = pdf_text(pdf)
    for finding in sample_data(kind)["findings"]:
        for photo in finding["photos"]:
            assert photo["caption"] in text
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        images = [
            pikepdf.PdfImage(obj).obj
            for obj in doc.objects
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
        ]
        assert len(images) == len(photos)
        assert all(img.Filter == "/DCTDecode" for img in images)  # the JPEGs, not re-encoded


def test_closing_report_is_pdfa_with_metadata():
    pdf = render_pdf(request("closing_report", pdfa=True))
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        meta = doc.open_metadata()
        assert meta["pdfaid:part"] == "3"
        assert meta["pdfaid:conformance"] == "U"
        info = doc.docinfo
        assert str(info["/Title"]) == sample_data("closing_report")["title"]
        assert str(info["/Author"]) == "某某县公安局"
        assert str(info["/Subject"]) == f"办结报告 {NUMBER}"
        assert "2026-045" in str(info["/Keywords"])


def test_draft_is_marked_on_every_page_and_has_no_number():
    data = sample_data("notice")
    data["item"]["content"] = LONG_TEXT
    pdf = render_pdf(request(data=data, issuer=standard_issuer(), number=None))
    pages = pdf_lines(pdf)
    assert len(pages) > 1
    for page in pages:
        draft = find(page, "草稿")
        assert draft["bottom"] < TOP and all(c["non_stroking_color"] == RED for c in draft["chars"])
    assert "〔2026〕" not in pdf_text(pdf)


@pytest.mark.parametrize("kind", KINDS)
def test_extracted_text_equals_the_source_text(kind):
    req = request(kind, issuer=standard_issuer())
    blocks = build_blocks(req)
    expected = ["某某县公安局文件", NUMBER]
    for block in blocks:
        if block.kind == "recipients":
            expected.append(block.text + "：")
        elif block.kind == "attachments":
            expected.append("附件：" + "".join(block.items))
        elif block.kind == "cc":
            expected.append("抄送：" + "，".join(block.items) + "。")
        elif block.kind == "printer":
            expected.append(block.items[0] + block.items[1] + "印发")
        else:
            expected.extend(block.texts())
    text = re.sub(r"— \d+ —", "", pdf_text(render_pdf(req)))
    assert squash(text) == squash("".join(expected))


@pytest.fixture
def no_fonts(tmp_path, monkeypatch):
    """Fontconfig pointed at an empty configuration: no font at all is installed."""
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><fontconfig></fontconfig>', encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    fonts.reset_cache()
    yield
    fonts.reset_cache()


def test_no_cjk_font_refuses_to_render(no_fonts):
    assert fonts.system_fonts() == {}
    with pytest.raises(RenderError, match="No CJK font"):
        render_pdf(request())
    with pytest.raises(RenderError, match="没有可用的中文字体"):
        font_report()
    assert any("No CJK font" in problem for problem in check_environment())


def test_environment_is_fit_for_rendering():
    assert check_environment() == []
    report = font_report()
    assert set(report) == {"xiaobiaosong", "fangsong", "heiti", "kaiti", "songti"}
    for slot in report.values():
        assert slot["file"] and slot["source"] in ("configured", "system", "fallback")
        assert slot["official"] == (slot["source"] != "fallback")


def fonts_of(pdf: bytes) -> set[str]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return {
            str(font.BaseFont).split("+", 1)[-1]
            for page in doc.pages
            for font in page.Resources.Font.values()
        }


def test_only_the_subset_tiers_a_document_needs_are_embedded():
    data = sample_data("notice")
    data["item"]["content"] = "请按时办理。"  # common characters only
    common = fonts_of(render_pdf(request(data=data)))
    assert common and all("-core" in name for name in common), common
    data["item"]["content"] = "请按时办理，联系人：王琛、张喆。"  # 琛 GB2312 level 2, 喆 GBK
    rare = fonts_of(render_pdf(request(data=data)))
    assert any(name.startswith("duban-serif-l2") for name in rare), rare
    assert "Noto-Serif-CJK-SC" in rare  # outside GB2312: the system font after our subsets
    assert len(render_pdf(request())) < 100 * 1024  # a one-page notice stays small


def test_a_colophon_only_last_page_is_not_numbered():
    data = sample_data("notice")
    data["contact"] = {"name": "王明", "phone": "0000-1234567"}  # one line more: 版记 spills
    pages = pdf_lines(render_pdf(request(data=data)))
    assert len(pages) == 2
    assert [line["text"] for line in pages[1]] == ["抄送：县公安局户政大队。"]


def test_signature_date_and_attachments_follow_the_no_seal_rule():
    char = 15.75 / MM
    data = sample_data("notice")
    data["attachments"] = ["督办事项清单", "办理情况反馈表"]
    page = pdf_lines(render_pdf(request(data=data, issuer=standard_issuer())))[-1]
    first, second = find(page, "附件："), find(page, "办理情况反馈表")
    assert first["text"] == "附件：1.督办事项清单"
    assert first["x0"] == pytest.approx(LEFT + 2 * char, abs=0.3)
    assert second["text"] == "2.办理情况反馈表"
    assert second["x0"] == pytest.approx(LEFT + 5 * char, abs=0.3)  # aligned with the name
    body_end = find(page, "逾期未办结")
    assert first["baseline"] - body_end["baseline"] == pytest.approx(2 * LINE, abs=0.2)
    sig = next(ln for ln in page if ln["text"] == "某某县公安局")
    date = find(page, "2026年11月27日")
    assert date["baseline"] - sig["baseline"] == pytest.approx(LINE, abs=0.2)
    assert sig["baseline"] - second["baseline"] == pytest.approx(2 * LINE, abs=0.2)
    assert date["x0"] - sig["x0"] == pytest.approx(2 * char, abs=0.3)  # two characters right
    assert max(sig["x1"], date["x1"]) == pytest.approx(184 - 2 * char, abs=0.5)  # 2 in


def test_long_circular_table_heads_repeat_and_headings_keep_with_their_text():
    from tests.documents.render_fixtures import long_circular

    pdf = render_pdf(request("circular", data=long_circular()))
    pages = pdf_lines(pdf)
    assert 8 <= len(pages) <= 12
    table_pages = [p for p in pages if any(line["text"].startswith("单位 交办") for line in p)]
    assert len(table_pages) >= 6  # the head row is repeated on every page of the table
    for page in pages:
        body = [line for line in page if not re.fullmatch(r"— \d+ —", line["text"])]
        last = body[-1]["text"]
        assert not re.fullmatch(r"[一二三四五六七八九十]+、\S{1,12}", last), last
    rows = sum(1 for p in pages for line in p if re.search(r"（\d+组）", line["text"]))
    assert rows == 200


def test_a_configured_font_file_is_used_and_reported():
    path = str(fonts.subset_face("sans", "core"))  # any real font file stands in for 黑体
    issuer = standard_issuer(font_paths={"heiti": path})
    report = font_report(issuer)
    assert report["heiti"] | {"word_name": None} == {
        "family": "duban-heiti",
        "file": path,
        "official": True,
        "source": "configured",
        "subset": None,
        "word_name": None,
    }
    assert report["fangsong"]["source"] == "fallback"
    page = pdf_lines(render_pdf(request(issuer=issuer)))[0]
    heading = find(page, "一、督办事项")
    assert heading["chars"][0]["fontname"].endswith("+duban-heiti")


@pytest.mark.parametrize("letter", [False, True])
def test_urgency_is_set_top_left_in_heiti(letter):
    data = sample_data("notice")
    data["urgency"] = "特急"
    issuer = request().issuer if letter else standard_issuer()
    pdf = render_pdf(request(data=data, issuer=issuer))
    page = pdf_lines(pdf)[0]
    urgency = next(line for line in page if line["text"].startswith("特急"))
    assert urgency["x0"] == pytest.approx(LEFT, abs=0.3)
    assert "duban-sans" in urgency["chars"][0]["fontname"]  # the 黑体 slot
    if letter:  # on the 发文字号's line, under the first red double rule
        number = find(page, NUMBER)
        assert urgency["baseline"] == pytest.approx(number["baseline"], abs=0.3)
    else:  # first line of the text block; the mark stays 35 mm down
        assert em_centre(urgency) == pytest.approx(TOP + LINE / 2, abs=1.0)
        assert em_top(find(page, "某某县公安局文件")) == pytest.approx(TOP + 35, abs=1.0)


def test_long_title_is_balanced_and_words_stay_whole():
    data = sample_data("notice")
    data["title"] = "关于督促解决城关派出所户籍窗口群众排长队问题的督办通知"
    page = pdf_lines(render_pdf(request(data=data)))[0]
    titles = [line["text"] for line in page if line["size"] == pytest.approx(22, abs=0.1)]
    assert titles == ["关于督促解决城关派出所户籍窗口", "群众排长队问题的督办通知"]
    assert all(line["x0"] > LEFT for line in page if line["text"] in titles)  # centred


def test_signature_never_stands_alone_on_a_page():
    data = sample_data("notice")
    data["title"] = "关于督促解决城关派出所户籍窗口群众排长队问题的督办通知"
    data["attachments"] = ["督办事项清单", "办理情况反馈表"]
    pages = pdf_lines(render_pdf(request(data=data)))
    assert len(pages) == 2  # this notice just spills over
    page = next(p for p in pages if any(line["text"] == "某某县公安局" for line in p))
    others = [
        line
        for line in page
        if line["size"] == pytest.approx(16, abs=0.1)
        and line["text"] not in ("某某县公安局", "2026年11月27日")
    ]
    assert others, [line["text"] for line in page]
