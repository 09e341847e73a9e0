"""The list as a 台账: search by person, 文号 and 档号; sortable columns; 20/50/100 a page — on
the page and in the API alike."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.helpers import login
from webapp.database import local_today
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.people.models import Person
from webapp.supervision.models import SupervisionItem


def _item(app, code) -> SupervisionItem:
    return db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))


def _codes(client, headers, query: str) -> list[str]:
    resp = client.get(f"/api/v1/items?{query}", headers=headers)
    assert resp.status_code == 200, resp.json
    return [i["code"] for i in resp.json["items"]]


def test_search_by_person_document_number_and_archive_code(app, client, api_headers,
                                                           make_item, office, units):
    linked, filed, other = make_item("in_progress"), make_item("closed"), make_item("assigned")
    with app.app_context():
        person = Person(unit_id=units["A"].id, name="周建国", post="副所长")
        db.session.add(person)
        db.session.flush()
        item = _item(app, linked)
        item.direct_responsible_id, item.direct_responsible = person.id, "老周"
        db.session.add(Document(kind="supervision_notice", item_id=_item(app, filed).id,
                                title="督办通知", doc_number="督办〔2026〕17号",
                                issuer_code="督办", year=2026, sequence=17, data_json="{}",
                                issuer_json="{}", issued_by_id=office.id,
                                archive_code="DB·2026·Y·0012"))
        db.session.commit()
    h = api_headers(office)
    assert _codes(client, h, "q=周建国") == [linked]  # the person's name, not the item's text
    assert _codes(client, h, "q=老周") == [linked]  # the legacy text too
    assert _codes(client, h, "q=〔2026〕17号") == [filed]
    assert _codes(client, h, "q=Y·0012") == [filed]
    assert _codes(client, h, "q=张所长") == [other, filed, linked]
    login(client, office)
    page = client.get("/items/?q=周建国").get_data(as_text=True)
    assert linked in page and filed not in page


def test_sortable_columns(app, client, api_headers, make_item, office, units):
    with app.app_context():
        today = local_today()
    late = make_item("in_progress", due_date=today + timedelta(days=30))
    soon = make_item("in_progress", due_date=today + timedelta(days=2))
    none = make_item("registered")
    h = api_headers(office)
    assert _codes(client, h, "") == [none, soon, late]  # newest first by default
    assert _codes(client, h, "sort=due") == [soon, late, none]  # no date last
    assert _codes(client, h, "sort=due&dir=desc") == [late, soon, none]
    assert _codes(client, h, "sort=code&dir=asc") == [late, soon, none]
    assert _codes(client, h, "sort=registered&dir=desc") == [none, soon, late]
    assert _codes(client, h, "sort=state")[0] == none  # registered before in_progress
    bad = client.get("/api/v1/items?sort=password", headers=h)
    assert bad.status_code == 422 and bad.json["error"]["field"] == "sort"
    assert client.get("/api/v1/items?sort=due&dir=up", headers=h).status_code == 422
    login(client, office)
    page = client.get("/items/?sort=due&dir=asc").get_data(as_text=True)
    assert 'aria-sort="ascending"' in page
    assert "sort=due&amp;dir=desc" in page  # clicking again turns the order round
    assert page.index(soon) < page.index(late)
    assert client.get("/items/?sort=nonsense").status_code == 422


def test_page_size_selector(app, client, api_headers, make_item, office):
    for _ in range(23):
        make_item("registered")
    login(client, office)
    page = client.get("/items/").get_data(as_text=True)
    assert '<select name="per_page">' in page
    assert all(f'<option value="{n}"' in page for n in (20, 50, 100))
    assert page.count('name="code" value=') == 20
    page = client.get("/items/?per_page=50").get_data(as_text=True)
    assert page.count('name="code" value=') == 23
    assert '<option value="50" selected>' in page
    resp = client.get("/api/v1/items?per_page=50", headers=api_headers(office)).json
    assert resp["per_page"] == 50 and len(resp["items"]) == 23
