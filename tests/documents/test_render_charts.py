"""Charts in a 通报: chosen when drafting (page and API), drawn from the circular's own figures,
as vectors in the PDF and as a picture the text block's width in the Word file, captioned,
their values in the text and the table; without the option nothing changes."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pdfplumber
import pytest
from docx.shared import Mm
from PIL import Image

from tests.documents.libreoffice import SOFFICE, docx_to_pdf
from tests.documents.lifecycle import docx_text, pdf_text, signed, squash
from tests.helpers import login
from webapp.database import local_today
from webapp.documents.models import Document
from webapp.documents.rendering import (
    RenderError,
    render_pdf,
    render_sample,
    sample_data,
)
from webapp.documents.rendering import charts as C
from webapp.documents.rendering import layout as L
from webapp.documents.rendering.pdf import make_fetcher
from webapp.documents.rendering.pdf_html import build_html
from webapp.documents.rendering.request import Issuer, RenderRequest, build_blocks
from webapp.extensions import db

BLOCK_W_PT = L.BLOCK_W * L.MM
BAR_BLUE = (0.121569, 0.305882, 0.54902)  # PALETTE[0] as pdfplumber reads it


def _days_ago(n: int):
    return local_today() - timedelta(days=n)


@pytest.fixture
def period(app, units, make_item):
    """Items of two units: closed on time, open and overdue (3 and 20 days)."""
    with app.app_context():
        today = local_today()
    make_item("closed")
    make_item("closed", lead_unit_id=units["B"].id)
    make_item("in_progress", due_date=today - timedelta(days=3))
    make_item("in_progress", due_date=today - timedelta(days=20), lead_unit_id=units["B"].id)
    start, end = today - timedelta(days=40), today + timedelta(days=40)
    return {"start": start.isoformat(), "end": end.isoformat(), "summary": "本期督办工作总体平稳。"}


def _data(app, doc_id: int) -> dict:
    with app.app_context():
        return json.loads(db.session.get(Document, doc_id).data_json)


def _file(client, doc_id: int, fmt: str) -> bytes:
    with client.get(f"/documents/{doc_id}/file.{fmt}") as resp:
        assert resp.status_code == 200
        return resp.data


def _pictures(docx: bytes) -> list[tuple[int, int, str]]:
    """(cx, cy, descr) of every inline picture of the body."""
    import re

    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        xml = z.read("word/document.xml").decode()
    out = []
    for inline in re.findall(r"<wp:inline.*?</wp:inline>", xml, re.S):
        cx, cy = re.search(r'<wp:extent cx="(\d+)" cy="(\d+)"', inline).groups()
        descr = re.search(r'<wp:docPr [^>]*descr="([^"]*)"', inline)
        out.append((int(cx), int(cy), descr.group(1) if descr else ""))
    return out


def test_a_circular_with_charts_states_the_same_figures_as_its_table(
        app, client, office, leader, period):
    login(client, office)
    made = client.post("/documents/circular", data=period | {"charts": "1", "action": "draft"})
    doc_id = signed(app, client, leader, made)
    data = _data(app, doc_id)
    by_unit, overdue = data["charts"]
    # the chart by unit is the table's lines: same units, same 报结率 and 按期办结率 text
    table = {row[0]: row for row in data["table"]["rows"][:-1]}
    assert [r["label"] for r in by_unit["rows"]] == [
        u for u, row in table.items() if row[1] or row[2]]
    assert {"城关派出所", "交警大队"} <= {r["label"] for r in by_unit["rows"]}
    for row in by_unit["rows"]:
        assert [b["text"] for b in row["bars"]] == table[row["label"]][6:8]
    # overdue by days: its total is the table's 当前逾期 (合计), the buckets as in the text
    totals = data["table"]["rows"][-1]
    counts = {r["label"]: r["bars"][0]["value"] for r in overdue["rows"]}
    assert sum(counts.values()) == totals[4] == 2
    assert counts["逾期1—7天"] == 1 and counts["逾期8—30天"] == 1

    pdf = _file(client, doc_id, "pdf")
    text = squash(pdf_text(pdf))
    assert "图1各单位报结率与按期办结率" in text
    assert "图2逾期未办结事项按逾期天数" in text
    assert "逾期1—7天1件" in text and "全局逾期未办结事项2件" in text  # the values as text
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = next(p for p in doc.pages if "图1" in (p.extract_text() or ""))
        bars = [r for r in page.rects if r["non_stroking_color"] == BAR_BLUE]
        # the chart is drawn as vectors, inside the text block, as wide as the block allows
        assert len(bars) >= len(by_unit["rows"])
        left = L.LEFT * L.MM
        assert min(r["x0"] for r in page.rects) >= left - 1
        assert max(r["x1"] for r in bars) <= left + BLOCK_W_PT + 1
        chart_fonts = {c["fontname"] for c in page.chars if c["text"] in "城关派出所"}
        assert chart_fonts and all("duban" in f or "Noto" in f for f in chart_fonts)

    docx = _file(client, doc_id, "docx")
    pictures = _pictures(docx)
    assert len(pictures) == 2
    for cx, _cy, descr in pictures:
        assert cx == Mm(L.BLOCK_W)  # the text block's width: 156 mm
        assert descr
    assert "城关派出所：报结率" in pictures[0][2]
    words = squash(docx_text(docx))
    assert "图1各单位报结率与按期办结率" in words and "全局逾期未办结事项2件" in words
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        media = sorted(n for n in z.namelist() if n.startswith("word/media/"))
        with Image.open(io.BytesIO(z.read(media[0]))) as image:
            assert image.format == "PNG"
            assert image.width == round(L.BLOCK_W / 25.4 * C.DPI)


def test_without_the_option_the_circular_has_no_charts(app, client, office, leader, period):
    login(client, office)
    doc_id = signed(app, client, leader,
                    client.post("/documents/circular", data=period | {"action": "draft"}))
    data = _data(app, doc_id)
    assert "charts" not in data
    assert "图1" not in pdf_text(_file(client, doc_id, "pdf"))
    assert _pictures(_file(client, doc_id, "docx")) == []


def test_the_api_and_the_draft_form_carry_the_option(app, client, office, period, api_headers):
    headers = api_headers(office)
    made = client.post("/api/v1/documents/drafts", headers=headers,
                       json={"kind": "circular", "start": period["start"],
                             "end": period["end"], "charts": True})
    assert made.status_code == 201, made.json
    url = f"/api/v1/documents/drafts/{made.json['id']}"
    with client.get(f"{url}/file.pdf", headers=headers) as got:
        assert got.status_code == 200
        assert "图1" in pdf_text(got.data)
    # the draft page shows the box ticked; revising without it drops the charts
    login(client, office)
    page = client.get(f"/documents/drafts/{made.json['id']}").get_data(as_text=True)
    assert 'name="charts" value="1" checked' in page
    revised = client.post(f"{url}/revise", headers=headers,
                          json={"kind": "circular", "start": period["start"],
                                "end": period["end"]})
    assert revised.status_code == 200
    with client.get(f"{url}/file.pdf", headers=headers) as got:
        assert "图1" not in pdf_text(got.data)
    with app.test_request_context():
        from flask import url_for

        url = url_for("stats.statistics")
    panel = client.get(url).get_data(as_text=True)
    assert "circular-panel" in panel and 'name="charts" value="1"' in panel


def _sample_with_charts() -> dict:
    data = sample_data("circular")
    data["charts"] = [
        {"title": "各单位报结率", "series": ["报结率", "按期办结率"], "max": 1,
         "rows": [{"label": row[0], "bars": [{"value": 0.5, "text": "50.0%"},
                                            {"value": 0.25, "text": "25.0%"}]}
                  for row in data["table"]["rows"][:4]]},
        {"title": "逾期事项", "rows": [{"label": "逾期1—7天", "bars": [{"value": 3,
                                                                  "text": "3件"}]}]},
    ]
    return data


def _request(data: dict) -> RenderRequest:
    from webapp.documents.rendering import sample_image_loader

    return RenderRequest(kind="circular", data=data, issuer=Issuer(), doc_number=None,
                         image_loader=sample_image_loader)


def test_the_pdf_embeds_the_chart_as_an_svg_data_uri_only():
    req = _request(_sample_with_charts())
    html = build_html(req, build_blocks(req))
    assert html.count('src="data:image/svg+xml;base64,') == 2
    from weasyprint.urls import FatalURLFetchingError

    with pytest.raises(FatalURLFetchingError, match="blocked URL"):
        make_fetcher().fetch("file:///etc/passwd")  # the fetcher's rules stay as they were
    # the SVG names the document's own 仿宋 faces, never a font of its own choosing
    svg = C.svg(C.from_data(req.data["charts"][0]), '"duban-serif-core", serif')
    assert "font-family='\"duban-serif-core\", serif'" in svg
    assert "<text" in svg and "城关派出所" in svg
    assert "href" not in svg and "url(" not in svg  # it fetches nothing


def test_broken_chart_data_is_refused_and_unprintable_text_is_marked():
    data = _sample_with_charts()
    data["charts"][1]["rows"][0]["bars"][0]["value"] = "many"
    with pytest.raises(RenderError):
        render_pdf(_request(data))
    # a template (an office's override) asking for a chart the data does not have
    from webapp.documents.rendering.blocks import parse
    from webapp.documents.rendering.request import _attach_charts

    with pytest.raises(RenderError, match="No chart 2"):
        _attach_charts(parse("@chart 2|图3　缺"), _sample_with_charts())
    data = _sample_with_charts()
    data["charts"][0]["rows"][0]["label"] = "城关😀所"
    blocks = build_blocks(_request(data))
    chart = next(b for b in blocks if b.kind == "chart").chart
    assert chart.rows[0].label == "城关〓所"


def test_a_tall_chart_is_scaled_to_fit_a_page():
    chart = C.from_data({"title": "t", "series": ["a", "b"], "rows": [
        {"label": f"第{i}单位", "bars": [{"value": 1, "text": "1"}, {"value": 2, "text": "2"}]}
        for i in range(40)]})
    width, height = C.size_mm(chart)
    assert height == pytest.approx(C.MAX_HEIGHT_MM) and width < L.BLOCK_W
    small = C.from_data({"title": "t", "rows": [{"label": "甲", "bars": [{"value": 1}]}]})
    assert C.size_mm(small)[0] == L.BLOCK_W


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice not installed")
def test_libreoffice_opens_the_word_file_with_its_charts():
    docx = render_sample("circular", "docx", data=_sample_with_charts())
    pdf = docx_to_pdf(docx, "circular-charts")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        images = [i for p in doc.pages for i in p.images]
        text = squash("".join(p.extract_text() or "" for p in doc.pages))
    assert len(images) == 2
    for image in images:  # laid out as wide as the text block
        assert image["x1"] - image["x0"] == pytest.approx(BLOCK_W_PT, abs=1.5)
    assert "图1各单位报结率" in text and "图2逾期事项" in text
