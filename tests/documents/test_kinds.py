"""A new kind of document is one row of the kind table and one template: a test-only kind
(工作提示函, about an item, to its unit, kept 10 years) registered that way is offered on the
item page, issued through the page and the API, rendered in both formats, seen and announced
to the unit, archived under its own retention and checked by archive-verify."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.documents.lifecycle import docx_text, in_order, pdf_text
from tests.documents.test_archive import SCAN_PDF
from tests.helpers import login
from webapp.archive.models import ArchiveRecord
from webapp.documents import kinds
from webapp.documents.data import Source, common
from webapp.documents.models import Document, Retention
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.notify.models import Notification


class TestKind(Labelled):
    __test__ = False  # not a test class

    MEMO = "memo", "工作提示函"


TEMPLATE = """{#- 工作提示函: a kind that exists only in this test. -#}
@title {{ title }}
@recipients {{ recipients|join("、") }}
@p 请你单位关注“{{ item_title }}”（编号{{ code }}），于{{ due|cn_date }}前报告进展。
{% include "_closing.j2" %}
"""


def build_memo(source: Source) -> dict:
    item = source.item
    unit = item.lead_unit.name
    return common(source.settings, title=f"关于{item.title}的工作提示函", recipients=[unit],
                  today=source.today) | {"item_title": item.title, "code": item.code,
                                         "due": item.due_date.isoformat()}


ROW = kinds.Kind(TestKind.MEMO, "memo", kinds.Subject.ITEM, build_memo,
                 required=("item_title",), to_unit=True, retention=Retention.YEARS_10)


@pytest.fixture
def memo_kind(app):
    """The row and the template; both gone after the test."""
    folder = Path(app.instance_path) / "doc_templates"
    folder.mkdir(exist_ok=True)
    (folder / "memo.j2").write_text(TEMPLATE, encoding="utf-8")
    kinds.register(ROW)
    yield ROW
    kinds.unregister(ROW.name)
    (folder / "memo.j2").unlink()


def _download(client, doc_id: int, fmt: str) -> bytes:
    with client.get(f"/documents/{doc_id}/file.{fmt}") as resp:
        assert resp.status_code == 200
        return resp.data


def test_a_registered_kind_renders_issues_and_archives(app, client, runner, office, liaison_a,
                                                       make_item, memo_kind):
    code = make_item("in_progress", title="节前安全检查")
    login(client, office)
    page = client.get(f"/items/{code}").get_data(as_text=True)
    assert "工作提示函" in page and f"/documents/items/{code}/issue/memo" in page
    with client.get(f"/documents/items/{code}/preview/memo") as draft:
        assert draft.status_code == 200
        assert "草稿" in pdf_text(draft.data)

    resp = client.post(f"/documents/items/{code}/issue/memo")
    assert resp.status_code == 302
    with app.app_context():
        doc = db.session.scalar(select(Document))
        assert doc.kind == "memo" and doc.kind.label == "工作提示函"
        assert doc.rendered, doc.render_error
        doc_id, number = doc.id, doc.doc_number
        assert json.loads(doc.data_json)["item_title"] == "节前安全检查"
    markers = [number, "关于节前安全检查的工作提示函", "城关派出所：",
               f"请你单位关注“节前安全检查”（编号{code}）"]
    assert in_order(pdf_text(_download(client, doc_id, "pdf")), markers)
    assert in_order(docx_text(_download(client, doc_id, "docx")), markers)
    # A second live one about the same item is refused, by the kind's own label.
    again = client.post(f"/documents/items/{code}/issue/memo")
    assert again.status_code == 409 and "该事项已印发工作提示函" in again.get_data(as_text=True)

    # To the unit: its liaison sees it and was told; the list and the API name the kind.
    unit = login(app.test_client(), liaison_a)
    assert unit.get(f"/documents/{doc_id}").status_code == 200
    assert "工作提示函" in unit.get("/documents/").get_data(as_text=True)
    with app.app_context():
        told = db.session.scalars(select(Notification.body).where(
            Notification.event == "document_issued")).all()
    assert any(f"工作提示函（{number}）" in t for t in told)
    api = client.get(f"/api/v1/documents/{doc_id}").json
    assert api["kind"] == "memo" and api["doc_number"] == number

    # Archived under the kind's retention (定期10年), without archiving the item.
    scan = client.post(f"/archive/documents/{doc_id}/scan",
                       data={"file": (io.BytesIO(SCAN_PDF), "签发件.pdf")},
                       content_type="multipart/form-data")
    assert scan.status_code == 302, scan.get_data(as_text=True)[:500]
    with app.app_context():
        record = db.session.scalar(select(ArchiveRecord))
        assert f"·{Retention.YEARS_10}·" in record.archive_code
        assert db.session.get(Document, doc_id).item.state == "in_progress"
    result = runner.invoke(args=["archive-verify"])
    assert result.exit_code == 0, result.output


def test_a_registered_kind_is_in_the_settings_and_the_api(app, client, admin, office,
                                                          make_item, api_headers, memo_kind):
    login(client, admin)
    page = client.get("/documents/settings").get_data(as_text=True)
    assert 'value="memo"' in page and "工作提示函" in page
    code = make_item("assigned")
    resp = client.post("/api/v1/documents", headers=api_headers(office),
                       json={"kind": "memo", "item": code})
    assert resp.status_code == 201, resp.json
    assert resp.json["kind"] == "memo" and resp.json["rendered"]
    unknown = client.post("/api/v1/documents", headers=api_headers(office),
                          json={"kind": "no_such_kind", "item": code})
    assert unknown.status_code == 422


def test_every_built_in_kind_has_its_template_and_sample():
    from webapp.documents.rendering.blocks import REPO_TEMPLATES

    for kind in kinds.BUILT_IN:
        assert (REPO_TEMPLATES / f"{kind.template}.j2").is_file()
        assert (REPO_TEMPLATES / "samples" / f"{kind.template}.json").is_file()
    assert kinds.names(signoff=True) == ["circular"]
    assert kinds.names(pdfa=True) == ["closing_report"]
