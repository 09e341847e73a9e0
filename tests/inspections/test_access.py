"""Who sees which inspection: one filter for lists, counts, detail, pages and photo files."""

from __future__ import annotations

import pytest

from tests.helpers import login
from tests.inspections.conftest import fetch, new_uuid, record_body

PHOTO_VARIANTS = ("thumb", "display", "original")


def _photo_urls(facts: dict) -> list[str]:
    return [f"/inspections/photos/{ref['uuid']}/{v}" for ref in facts["refs"]
            for v in PHOTO_VARIANTS]


def _hidden_everywhere(app, persona, facts, as_user):
    """The persona's API and pages behave as if the inspection did not exist."""
    api = as_user(persona)
    assert api.get(f"/inspections/{facts['uuid']}").status_code == 404
    listing = api.get("/inspections").json
    assert listing["total"] == 0
    assert listing["inspections"] == []
    assert api.get("/inspections?state=published").json["total"] == 0
    page = app.test_client()
    login(page, persona)
    assert page.get(f"/inspections/{facts['uuid']}").status_code == 404
    html = page.get("/inspections/").get_data(as_text=True)
    assert "共 0 条检查记录" in html
    assert facts["uuid"] not in html
    for url in _photo_urls(facts):
        assert fetch(page, url).status_code == 404, url


def test_liaison_sees_nothing_before_publishing(app, submitted, as_user, liaison_a):
    facts = submitted()
    _hidden_everywhere(app, liaison_a, facts, as_user)


def test_counts_are_the_same_with_or_without_hidden_records(app, submitted, as_user, liaison_a):
    empty = as_user(liaison_a).get("/inspections").json
    submitted()
    submitted(unit_key="B")
    assert as_user(liaison_a).get("/inspections").json == empty


def test_after_publishing_the_liaison_sees_the_result_without_names_gps_or_originals(
        app, published, as_user, liaison_a, liaison_b, inspector):
    facts = published()
    api = as_user(liaison_a)
    record = api.get(f"/inspections/{facts['uuid']}").json
    assert record["state"] == "published"
    assert record["result_summary"].startswith("窗口纪律")
    for key in ("inspector", "gps", "companions", "created_at"):
        assert key not in record, key
    photo = record["findings"][0]["photos"][0]
    assert "sha256" not in photo
    assert "filename" not in photo
    assert "item" not in record["findings"][0]
    text = str(record)
    assert "赵督查" not in text
    assert "30.1" not in text
    assert "张三" not in text
    listing = api.get("/inspections").json
    assert listing["total"] == 1
    assert "inspector" not in listing["inspections"][0]

    page = app.test_client()
    login(page, liaison_a)
    html = page.get(f"/inspections/{facts['uuid']}").get_data(as_text=True)
    assert "赵督查" not in html
    assert "张三" not in html
    assert "下载原图" not in html
    assert facts["refs"][0]["sha256"] not in html
    assert "30.100000" not in html
    ref = facts["refs"][0]["uuid"]
    assert fetch(page, f"/inspections/photos/{ref}/thumb").status_code == 200
    assert fetch(page, f"/inspections/photos/{ref}/display").status_code == 200
    assert fetch(page, f"/inspections/photos/{ref}/original").status_code == 404

    # Another unit's liaison still sees nothing.
    _hidden_everywhere(app, liaison_b, facts, as_user)


def test_inspector_cannot_see_another_inspectors_inspection(app, submitted, as_user,
                                                          inspector, inspector_b):
    facts = submitted()
    _hidden_everywhere(app, inspector_b, facts, as_user)
    # The owner sees it in full (but no supervision items).
    record = as_user(inspector).get(f"/inspections/{facts['uuid']}").json
    assert record["inspector"]["name"] == "赵督查"
    assert record["gps"]["lat"] == 30.1
    assert "item" not in record["findings"][0]


@pytest.mark.parametrize("persona", ["office", "leader", "admin"])
def test_staff_see_every_inspection_in_full(request, submitted, as_user, persona):
    facts = submitted()
    record = as_user(request.getfixturevalue(persona)).get(f"/inspections/{facts['uuid']}").json
    assert record["inspector"]["name"] == "赵督查"
    assert record["companions"] == "张三、李四"
    assert record["findings"][0]["photos"][0]["sha256"] == facts["refs"][0]["sha256"]
    assert record["findings"][0]["item"] is None


def test_originals_only_for_office_and_leader(app, submitted, inspector, admin, leader):
    facts = submitted()
    url = f"/inspections/photos/{facts['refs'][0]['uuid']}/original"
    for persona, status in ((inspector, 404), (admin, 404), (leader, 200)):
        page = app.test_client()
        login(page, persona)
        assert fetch(page, url).status_code == status, persona.username


def test_bad_uuids_are_404(as_user, office, app):
    api = as_user(office)
    assert api.get("/inspections/../../etc").status_code == 404
    assert api.get("/inspections/not-a-uuid").status_code == 404
    page = app.test_client()
    login(page, office)
    assert page.get("/inspections/zzz").status_code == 404
    assert fetch(page, "/inspections/photos/zzz/thumb").status_code == 404
    assert api.get(f"/inspections/{new_uuid()}").status_code == 404


def test_pagination_and_state_filter(as_user, inspector, units):
    api = as_user(inspector)
    for _ in range(3):
        api.put(new_uuid(), record_body(units["A"].id))
    first = api.get("/inspections?per_page=2").json
    assert (first["total"], len(first["inspections"]), first["page"]) == (3, 2, 1)
    second = api.get("/inspections?per_page=2&page=2").json
    assert len(second["inspections"]) == 1
    assert api.get("/inspections?state=submitted").json["total"] == 0
    assert api.get("/inspections?per_page=1000").status_code == 422
    assert api.get("/inspections?page=0").status_code == 422
    assert api.get("/inspections?state=bogus").status_code == 422


def test_search_goes_through_the_same_filter(app, submitted, as_user, office, liaison_a):
    facts = submitted()
    staff = as_user(office)
    assert staff.get("/inspections?q=玩手机").json["total"] == 1
    assert staff.get("/inspections?q=城关").json["total"] == 1
    assert staff.get("/inspections?q=100%25").json["total"] == 0  # % is literal
    assert staff.get("/inspections?q=" + "长" * 101).status_code == 422
    liaison = as_user(liaison_a)
    assert liaison.get("/inspections?q=玩手机").json["total"] == 0
    page = app.test_client()
    login(page, liaison_a)
    html = page.get("/inspections/?q=玩手机").get_data(as_text=True)
    assert "共 0 条检查记录" in html
    assert facts["uuid"] not in html
    login(page, office)
    html = page.get("/inspections/?q=玩手机").get_data(as_text=True)
    assert "共 1 条检查记录" in html
