"""暗访检查记录 from a published inspection (with its photos), and published findings in the
circular; unpublished inspections stay out of documents."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from tests.documents.lifecycle import docx_text, in_order, pdf_text, signed, squash
from tests.helpers import login
from tests.inspections import conftest as inspection_fixtures
from webapp.documents.models import Document
from webapp.extensions import db

# The inspections tests' fixtures, shared here: a submitted or published inspection of unit A
# with one finding and its photo, made through the real API.
as_user = inspection_fixtures.as_user
submitted = inspection_fixtures.submitted
published = inspection_fixtures.published


def _get(client, url):
    with client.get(url) as resp:
        return resp.status_code, resp.data


def test_inspection_record_is_issued_with_its_photos(app, client, office, liaison_a,
                                                     published):
    facts = published()
    login(client, office)
    status, draft = _get(client, f"/documents/inspections/{facts['uuid']}/preview")
    assert status == 200
    assert draft.startswith(b"%PDF")
    resp = client.post(f"/documents/inspections/{facts['uuid']}/issue")
    assert resp.status_code == 302
    with app.app_context():
        doc = db.session.scalar(select(Document))
        data = json.loads(doc.data_json)
        doc_id, number = doc.id, doc.doc_number
        assert doc.rendered, doc.render_error
        assert doc.inspection_id is not None
    finding = data["findings"][0]
    assert finding["description"] == facts["findings"][0]["description"]
    assert len(finding["photos"]) == 1
    assert data["inspection"]["unit"] == "城关派出所"
    _, pdf = _get(client, f"/documents/{doc_id}/file.pdf")
    _, docx = _get(client, f"/documents/{doc_id}/file.docx")
    markers = [number, "城关派出所", facts["findings"][0]["description"]]
    assert in_order(pdf_text(pdf), markers)
    assert in_order(docx_text(docx), markers)
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as p:
        assert sum(len(page.images) for page in p.pages) >= 1  # the photo is in the PDF
    # Not addressed to a liaison: their list does not show it and the document is a 404.
    client.post("/logout")
    login(client, liaison_a)
    assert _get(client, f"/documents/{doc_id}")[0] == 404
    assert number not in client.get("/documents/").get_data(as_text=True)


def test_unpublished_inspection_gives_no_document(app, client, office, submitted):
    facts = submitted()
    login(client, office)
    assert client.post(f"/documents/inspections/{facts['uuid']}/issue").status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 0


@pytest.mark.parametrize("publish", [True, False])
def test_circular_lists_only_published_findings(app, client, office, leader, published,
                                                submitted, publish):
    facts = published() if publish else submitted()
    login(client, office)
    form = {"start": "2026-11-01", "end": "2026-11-30", "summary": "十一月督查情况。",
            "action": "draft"}
    signed(app, client, leader, client.post("/documents/circular", data=form))
    with app.app_context():
        doc = db.session.scalar(select(Document))
        data = json.loads(doc.data_json)
        doc_id = doc.id
    description = facts["findings"][0]["description"]
    if publish:
        assert [f["description"] for f in data["findings"]] == [description]
        assert data["findings"][0]["mode_label"] == "暗访"
        _, pdf = _get(client, f"/documents/{doc_id}/file.pdf")
        assert squash(description) in squash(pdf_text(pdf))
    else:
        assert data["findings"] == []


def test_inspection_page_panel_and_double_issue(app, client, office, published):
    facts = published()
    login(client, office)
    from flask import render_template_string

    from webapp.inspections.models import Inspection

    with app.test_request_context():
        from flask_login import login_user

        from webapp.auth.models import User

        login_user(db.session.get(User, office.id))
        inspection = db.session.scalar(select(Inspection))
        html = render_template_string('{% include "documents/_inspection_panel.html" %}',
                                      inspection=inspection)
    assert f"/documents/inspections/{facts['uuid']}/issue" in html
    assert client.post(f"/documents/inspections/{facts['uuid']}/issue").status_code == 302
    assert client.post(f"/documents/inspections/{facts['uuid']}/issue").status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 1
