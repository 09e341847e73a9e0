"""扫码验真 and SM3: the QR code every issued document carries (where GB/T 9704 leaves room,
in both formats, decoded with zxing-cpp), the verify page signed in and anonymous, and SM3
beside SHA-256 for issued and archived files, checked by archive-verify."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.documents.lifecycle import issue
from tests.documents.render_fixtures import pdf_lines, request, standard_issuer
from tests.helpers import login
from webapp.documents import services
from webapp.documents.models import Document
from webapp.documents.rendering import qr, render_docx, render_pdf
from webapp.extensions import db
from webapp.media.store import sm3_hex

PDFTOPPM = shutil.which("pdftoppm") or "pdftoppm"  # poppler-utils (scripts/install-system-deps)
BASE = "https://duban.gaj.example"
URL = f"{BASE}/v/AbCdEfGh0123456789xy"


@pytest.fixture
def base_url(app):
    app.config["VERIFY_BASE_URL"] = BASE
    yield BASE
    app.config["VERIFY_BASE_URL"] = None


def _qr_codes(pdf: bytes, page: int = 1, dpi: int = 300) -> list[tuple[str, tuple[float, ...]]]:
    """The QR codes on a page (pdftoppm at `dpi`, zxing-cpp): text and box in mm."""
    import zxingcpp
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "doc.pdf"
        src.write_bytes(pdf)
        subprocess.run([PDFTOPPM, "-r", str(dpi), "-f", str(page), "-l", str(page), "-png",
                        "-singlefile", str(src), str(Path(tmp) / "page")], check=True)
        image = Image.open(Path(tmp) / "page.png")
        image.load()
    found = []
    for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        p = code.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        mm = 25.4 / dpi
        found.append((code.text, (min(xs) * mm, min(ys) * mm, max(xs) * mm, max(ys) * mm)))
    return found


def _in_the_top_margin(box: tuple[float, ...]) -> None:
    _left, top, right, bottom = box
    assert abs(right - 184) < 1.0 and abs(bottom - top - qr.SIZE_MM) < 1.0
    assert abs(top - qr.TOP_MM) < 1.0
    assert bottom < 30  # above the letter format's issuer mark and the text block (37 mm)


@pytest.mark.parametrize("letter", [False, True], ids=["standard", "letter"])
def test_the_qr_code_decodes_and_stands_in_the_top_margin(letter):
    issuer = standard_issuer(letter_kinds=frozenset({"notice"}) if letter else frozenset())
    req = request("notice", issuer=issuer)
    req.verify_url = URL
    pdf = render_pdf(req)
    [(found, box)] = _qr_codes(pdf)
    assert found == URL
    _in_the_top_margin(box)
    # The layout is the same with and without it: every text line where it was.
    req.verify_url = None
    plain = render_pdf(req)
    assert _qr_codes(plain) == []
    strip = [[(ln["text"], round(ln["top"], 2), round(ln["x0"], 2)) for ln in page]
             for page in pdf_lines(plain)]
    assert strip == [[(ln["text"], round(ln["top"], 2), round(ln["x0"], 2)) for ln in page]
                     for page in pdf_lines(pdf)]


def test_drafts_carry_no_qr_code():
    req = request("notice", number=None)
    req.verify_url = URL
    assert _qr_codes(render_pdf(req)) == []
    assert b"verify.png" not in render_docx(req)


@pytest.mark.slow
def test_the_word_files_qr_code_as_libreoffice_lays_it_out():
    from tests.documents.libreoffice import docx_to_pdf

    for letter in (False, True):
        issuer = standard_issuer(letter_kinds=frozenset({"circular"}) if letter else frozenset())
        req = request("circular", issuer=issuer)
        req.verify_url = URL
        laid_out = docx_to_pdf(render_docx(req), f"qr-{letter}")
        [(found, box)] = _qr_codes(laid_out)
        assert found == URL
        _in_the_top_margin(box)


def _main(html: str) -> str:
    """The page's <main> (the top bar differs between a signed-in user and nobody)."""
    return re.search(r"<main.*?</main>", html, re.S).group(0)


def test_verify_page_signed_in_and_anonymous(app, client, office, liaison_a, liaison_b,
                                             make_item, base_url):
    code = make_item("assigned", title="整改窗口排队问题")
    doc = issue(app, office, "notice", code)
    with app.app_context():
        row = db.session.get(Document, doc["id"])
        verify_code, number = row.verify_code, row.doc_number
        assert services.verify_url(row) == f"{BASE}/v/{verify_code}"
        sums = {"pdf": (row.pdf_sha256, row.pdf_sm3), "docx": (row.docx_sha256, row.docx_sm3)}
    assert re.fullmatch(r"[A-Za-z0-9_-]{16}", verify_code)
    url = f"/v/{verify_code}"

    # The issued PDF's QR code opens this very page.
    office_client = login(app.test_client(), office)
    with office_client.get(f"/documents/{doc['id']}/file.pdf") as got:
        pdf = got.data
    [(found, _)] = _qr_codes(pdf)
    assert found == f"{BASE}{url}"
    with office_client.get(f"/documents/{doc['id']}/file.docx") as got:
        docx = got.data
    for data, (sha, sm3) in ((pdf, sums["pdf"]), (docx, sums["docx"])):
        assert hashlib.sha256(data).hexdigest() == sha and sm3_hex(data) == sm3

    # Signed in with access (the office; the unit's own liaison): everything.
    for persona in (office, liaison_a):
        page = login(app.test_client(), persona).get(url)
        body = page.get_data(as_text=True)
        assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
        for fact in (number, "关于整改窗口排队问题的督办通知", "某某县公安局", "已印发（有效）",
                     *sums["pdf"], *sums["docx"]):
            assert fact in body, fact

    # Anonymous, and signed in without access: only whether it exists and is valid.
    anonymous = client.get(url)
    hidden = login(app.test_client(), liaison_b).get(url)
    for page in (anonymous, hidden):
        body = page.get_data(as_text=True)
        assert page.status_code == 200 and "真实有效" in body and number in body
        for secret in ("整改窗口排队问题", "某某县公安局", sums["pdf"][0], sums["pdf"][1],
                       "城关派出所"):
            assert secret not in body, secret
    assert _main(anonymous.get_data(as_text=True)) == _main(hidden.get_data(as_text=True))

    # An absent code: the same for nobody and for someone signed in.
    absent = client.get("/v/NoSuchCode0000000000")
    hidden_absent = login(app.test_client(), liaison_b).get("/v/NoSuchCode0000000000")
    assert absent.status_code == hidden_absent.status_code == 200  # an answer like the others
    assert "查无此公文" in absent.get_data(as_text=True)
    assert _main(absent.get_data(as_text=True)) == _main(hidden_absent.get_data(as_text=True))
    assert "查无此公文" in client.get("/v/" + "x" * 300).get_data(as_text=True)

    # Voided, then corrected: anonymous sees "no longer valid", the office sees why.
    assert office_client.post(f"/documents/{doc['id']}/correct",
                              data={"reason": "时限有误"}).status_code == 302
    body = client.get(url).get_data(as_text=True)
    assert "已失效" in body and "真实有效" not in body and "时限有误" not in body
    body = office_client.get(url).get_data(as_text=True)
    with app.app_context():
        new = db.session.scalar(select(Document).where(Document.replaces_id == doc["id"]))
        new_number, new_code = new.doc_number, new.verify_code
    assert "已被更正" in body and new_number in body
    assert "真实有效" in client.get(f"/v/{new_code}").get_data(as_text=True)


def test_sm3_beside_sha256_for_archived_files_and_archive_verify_checks_it(
        app, client, runner, office, make_item):
    from tests.documents.test_archive import SCAN_PDF

    code = make_item("closed")
    doc = issue(app, office, "closing_report", code)
    login(client, office)
    resp = client.post(f"/archive/documents/{doc['id']}/scan",
                       data={"file": (io.BytesIO(SCAN_PDF), "签发件.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    with app.app_context():
        from webapp.archive.models import ArchiveRecord
        from webapp.audit.models import AuditEvent

        record = db.session.scalar(select(ArchiveRecord))
        assert record.sm3 == sm3_hex(SCAN_PDF)
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "archive_file"))
        assert event.details["sm3"] == record.sm3
        rendered = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "document_rendered"))
        assert rendered.details["pdf_sm3"] == db.session.get(Document, doc["id"]).pdf_sm3
    detail = client.get(f"/documents/{doc['id']}").get_data(as_text=True)
    assert record.sm3 in detail
    result = runner.invoke(args=["archive-verify"])
    assert result.exit_code == 0, result.output

    # A row whose SM3 was changed (the file and its SHA-256 untouched) is named.
    with app.app_context():
        db.session.execute(text("UPDATE archive_record SET sm3 = :s"), {"s": "0" * 64})
        db.session.commit()
    result = runner.invoke(args=["archive-verify"])
    assert result.exit_code == 1
    assert "SM3 不符" in result.output and record.archive_code in result.output


def test_migration_backfills_sm3_and_verify_codes(app, office, make_item):
    """Rows from before 0018 get SM3 from their stored files and a verify code."""
    from flask_migrate import downgrade, upgrade

    code = make_item("assigned")
    doc = issue(app, office, "notice", code)
    with app.app_context():
        row = db.session.get(Document, doc["id"])
        expected = (row.pdf_sm3, row.docx_sm3)
        db.session.remove()
        downgrade(revision="0017")
        upgrade()
        row = db.session.get(Document, doc["id"])
        assert (row.pdf_sm3, row.docx_sm3) == expected and expected[0]
        assert row.verify_code and len(row.verify_code) == 16
        assert json.loads(row.issuer_json)  # the rest untouched
