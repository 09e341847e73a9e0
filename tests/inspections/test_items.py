"""Findings → supervision items: a new item for the inspected unit, or a link to an existing one;
item pages list an item's findings through the same visibility filter."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.inspections.conftest import new_uuid, record_body
from webapp.auth.models import User
from webapp.extensions import db
from webapp.inspections.links import findings_for_item
from webapp.supervision.models import ItemState, Source, SupervisionItem


def _item_body(**overrides) -> dict:
    due = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=15)
    body = {"due_date": due.isoformat(),
            "first_responsible": "张所长", "direct_responsible": "李副所长",
            "urgency": "urgent"}
    body.update(overrides)
    return body


def _url(facts: dict, index: int, what: str) -> str:
    return f"/inspections/{facts['uuid']}/findings/{facts['findings'][index]['uuid']}/{what}"


def test_finding_becomes_an_item_for_the_inspected_unit(app, published, units):
    facts = published()
    office = facts["office"]
    resp = office.post(_url(facts, 0, "item"), _item_body())
    assert resp.status_code == 201, resp.json
    code = resp.json["code"]
    assert resp.json["source"] == "inspection"
    assert resp.json["lead_unit"]["id"] == units["A"].id
    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        assert item.source == Source.INSPECTION
        assert item.lead_unit_id == units["A"].id
        assert item.state == ItemState.ASSIGNED
        assert "窗口民警工作时间玩手机" in item.content
        assert "赵督查" not in item.content  # never the inspector's name
    record = office.get(f"/inspections/{facts['uuid']}").json
    assert record["findings"][0]["item"]["code"] == code
    assert record["findings"][0]["item"]["state"] == "assigned"
    # Linking again is refused.
    again = office.post(_url(facts, 0, "item"), _item_body())
    assert again.status_code == 409
    assert again.json["error"]["code"] == "already_linked"


def test_several_findings_share_one_item(app, published, office, liaison_a, inspector):
    facts = published(n_findings=3)
    api = facts["office"]
    code = api.post(_url(facts, 0, "item"), _item_body()).json["code"]
    assert api.post(_url(facts, 1, "link"), {"item_code": code}).status_code == 200
    assert api.post(_url(facts, 2, "link"), {"item_code": code}).status_code == 200
    with app.app_context():
        item = db.session.scalar(select(SupervisionItem).where(SupervisionItem.code == code))
        staff = db.session.get(User, office.id)
        with app.test_request_context():
            rows = findings_for_item(item.id, staff)
            assert [r["uuid"] for r in rows] == [f["uuid"] for f in facts["findings"]]
            assert rows[0]["photos"][0]["thumb_url"].endswith("/thumb")
            # The unit's liaison sees them (published); an inspector sees none.
            assert len(findings_for_item(item.id, db.session.get(User, liaison_a.id))) == 3
            assert findings_for_item(item.id, db.session.get(User, inspector.id)) == []


def test_no_item_before_publishing(submitted, as_user, office):
    facts = submitted()
    resp = as_user(office).post(_url(facts, 0, "item"), _item_body())
    assert resp.status_code == 409
    assert resp.json["error"]["code"] == "not_published"


def test_draft_findings_cannot_be_linked(as_user, inspector, office, units):
    from tests.inspections.conftest import finding

    uuid = new_uuid()
    f = finding()
    as_user(inspector).put(uuid, record_body(units["A"].id, findings=[f]))
    resp = as_user(office).post(f"/inspections/{uuid}/findings/{f['uuid']}/link",
                                {"item_code": "2026-001"})
    assert resp.status_code == 409


def test_link_input_is_checked(published):
    facts = published()
    api = facts["office"]
    for code in ("2099-999", "", None, 12, "x" * 500):
        resp = api.post(_url(facts, 0, "link"), {"item_code": code})
        assert resp.status_code == 422, code
        assert resp.json["error"]["field"] == "item_code"
    resp = api.post(_url(facts, 0, "item"), _item_body(due_date="2020-01-01"))
    assert resp.status_code == 422
    resp = api.post(_url(facts, 0, "item"), _item_body(first_responsible=""))
    assert resp.status_code == 422
    resp = api.post(_url(facts, 0, "item"), _item_body(urgency="whenever"))
    assert resp.status_code == 422
    assert api.post(f"/inspections/{facts['uuid']}/findings/{new_uuid()}/link",
                    {"item_code": "2026-001"}).status_code == 404


@pytest.mark.parametrize("persona", ["inspector", "leader", "liaison_a"])
def test_only_the_office_makes_items(request, published, as_user, persona):
    facts = published()
    api = as_user(request.getfixturevalue(persona))
    assert api.post(_url(facts, 0, "item"), _item_body()).status_code == 403
    assert api.post(_url(facts, 0, "link"), {"item_code": "2026-001"}).status_code == 403


def test_publish_rules(submitted, as_user, office, inspector, units):
    facts = submitted()
    api = as_user(office)
    path = f"/inspections/{facts['uuid']}/publish"
    assert as_user(inspector).post(path, {"result_summary": "x"}).status_code == 403
    assert api.post(path, {"result_summary": "  "}).status_code == 422
    assert api.post(path, {"result_summary": "a\x00b"}).status_code == 422
    assert api.post(path, {"result_summary": "合格"}).status_code == 200
    again = api.post(path, {"result_summary": "合格"})
    assert again.status_code == 409
    assert again.json["error"]["code"] == "already_published"
    draft = new_uuid()
    as_user(inspector).put(draft, record_body(units["A"].id))
    resp = api.post(f"/inspections/{draft}/publish", {"result_summary": "合格"})
    assert resp.status_code == 409
    assert resp.json["error"]["code"] == "not_submitted"


def test_item_page_shows_its_findings_with_thumbnails(app, published, office, liaison_a):
    from tests.helpers import login

    facts = published(n_findings=2)
    code = facts["office"].post(_url(facts, 0, "item"), _item_body()).json["code"]
    facts["office"].post(_url(facts, 1, "link"), {"item_code": code})
    for persona in (office, liaison_a):
        client = app.test_client()
        login(client, persona)
        page = client.get(f"/items/{code}").get_data(as_text=True)
        assert "暗访发现的问题（2）" in page
        assert page.count("/thumb") == 2
