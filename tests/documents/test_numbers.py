"""Document numbers (发文字号): gapless per (机关代字, year) under concurrent issuing, threads
and processes; a new year starts at 1; drafts use no number; voided numbers stay on record."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from tests.documents.lifecycle import issue
from tests.helpers import login
from webapp.auth.models import User
from webapp.database import local_today
from webapp.documents import services
from webapp.documents.models import Document, DocumentState
from webapp.extensions import db
from webapp.numbering import current_number
from webapp.supervision.services import item_by_code

ROOT = Path(__file__).resolve().parents[2]


def _sequences(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Document.sequence).order_by(Document.sequence)))


def test_fifty_threads_get_numbers_one_to_fifty(app, office, make_item):
    codes = [make_item("assigned") for _ in range(50)]
    errors: list[BaseException] = []
    numbers: list[str] = []
    start = threading.Barrier(50)

    def worker(code: str) -> None:
        try:
            start.wait()  # before any query: outside requests every transaction may write
            with app.app_context():
                actor = db.session.get(User, office.id)
                item = item_by_code(code)
                doc = services.issue_document("notice", actor=actor, item=item)
                db.session.commit()
                numbers.append(doc.doc_number)
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(c,)) for c in codes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert _sequences(app) == list(range(1, 51))
    with app.app_context():
        year = local_today().year
    assert sorted(numbers) == sorted(f"某公督〔{year}〕{n}号" for n in range(1, 51))
    with app.app_context():
        assert current_number("doc:某公督", year) == 50


SCRIPT = textwrap.dedent("""
    import sys
    from webapp import create_app
    from webapp.auth.models import User
    from webapp.documents import services
    from webapp.extensions import db
    from webapp.supervision.services import item_by_code

    uri, upload, office_id, *codes = sys.argv[1:]
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "AUDIT_HMAC_KEY": "test-audit-key", "SQLALCHEMY_DATABASE_URI": uri,
                      "UPLOAD_ROOT": upload})
    with app.app_context():
        for code in codes:
            actor = db.session.get(User, int(office_id))
            services.issue_document("notice", actor=actor, item=item_by_code(code))
            db.session.commit()
            db.session.remove()
    print("done", len(codes))
""")


def test_five_processes_get_numbers_one_to_fifty(app, office, make_item, tmp_path):
    codes = [make_item("assigned") for _ in range(50)]
    script = tmp_path / "issue.py"
    script.write_text(SCRIPT)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), uri, app.config["UPLOAD_ROOT"], str(office.id),
             *codes[i::5]], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for i in range(5)
    ]
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err.decode()[-2000:]
        assert out.decode().strip() == "done 10"
    assert _sequences(app) == list(range(1, 51))
    with app.app_context():
        numbers = db.session.scalars(select(Document.doc_number)).all()
        assert len(set(numbers)) == 50


def test_first_document_of_2027_is_number_one(app, office, make_item):
    a, b, c = make_item("assigned"), make_item("assigned"), make_item("assigned")
    assert issue(app, office, "notice", a, render=False,
                 today=date(2026, 12, 31))["doc_number"] == "某公督〔2026〕1号"
    assert issue(app, office, "notice", b, render=False,
                 today=date(2026, 12, 31))["doc_number"] == "某公督〔2026〕2号"
    first = issue(app, office, "notice", c, render=False, today=date(2027, 1, 1))
    assert first["doc_number"] == "某公督〔2027〕1号"
    assert (first["year"], first["sequence"]) == (2027, 1)


def test_preview_allocates_no_number(app, client, office, make_item):
    code = make_item("assigned")
    login(client, office)
    resp = client.get(f"/documents/items/{code}/preview/notice")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == "application/pdf"
    assert resp.data.startswith(b"%PDF")
    resp = client.get(f"/documents/items/{code}/preview/notice?format=docx")
    assert resp.status_code == 200
    assert resp.data.startswith(b"PK")
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 0
        assert current_number("doc:某公督", local_today().year) == 0
        assert current_number("doc:某公督", local_today().year + 1) == 0
    # The first issued document after previews is number 1.
    assert issue(app, office, "notice", code, render=False)["sequence"] == 1


def test_void_and_correction_keep_the_old_number(app, client, office, make_item):
    code = make_item("assigned")
    old = issue(app, office, "notice", code)
    login(client, office)
    resp = client.post(f"/documents/{old['id']}/correct", data={"reason": "承办单位名称有误"})
    assert resp.status_code == 302
    with app.app_context():
        docs = db.session.scalars(select(Document).order_by(Document.id)).all()
        assert [d.sequence for d in docs] == [1, 2]
        first, second = docs
        assert first.state == DocumentState.VOIDED
        assert first.void_reason == "承办单位名称有误"
        assert first.voided_by_id == office.id
        assert first.doc_number == old["doc_number"]
        assert first.pdf_sha256 == old["pdf_sha256"]  # the old files stay on record
        assert second.replaces_id == first.id
        assert second.state == DocumentState.ISSUED
        assert second.rendered
    # The voided document is still listed and downloadable, marked voided.
    page = client.get("/documents/").get_data(as_text=True)
    assert old["doc_number"] in page
    assert "已作废" in page
    with client.get(f"/documents/{old['id']}/file.pdf") as resp:
        assert resp.status_code == 200
        assert resp.data.startswith(b"%PDF")
    # Voiding twice is a conflict; a voided number is never reused.
    resp = client.post(f"/documents/{old['id']}/void", data={"reason": "再次作废"})
    assert resp.status_code == 409
    third = issue(app, office, "notice", make_item("assigned"), render=False)
    assert third["sequence"] == 3


def test_a_second_live_notice_for_one_item_is_refused_without_a_number(
        app, client, office, make_item):
    code = make_item("assigned")
    login(client, office)
    assert client.post(f"/documents/items/{code}/issue/notice").status_code == 302
    resp = client.post(f"/documents/items/{code}/issue/notice")  # double submit
    assert resp.status_code == 409
    assert "已印发督办通知" in resp.get_data(as_text=True)
    assert _sequences(app) == [1]
