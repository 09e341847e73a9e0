"""PUT /inspections/{uuid}: idempotent replays, draft replacement, 409 after submit, 422s."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from tests.inspections.conftest import finding, jpeg, new_uuid, photo_ref, record_body
from webapp.audit.models import AuditEvent
from webapp.extensions import db
from webapp.inspections.models import Finding, Inspection, Photo


def test_first_put_creates_then_same_body_answers_the_same_record(as_user, inspector, units,
                                                                  checklist_ids, app):
    api = as_user(inspector)
    ref = photo_ref(jpeg(1), filename="IMG_001.jpg")
    item = checklist_ids["police_station"][0]
    body = record_body(units["A"].id, findings=[finding(ref)],
                       checklist=[{"checklist_item_id": item, "result": "fail",
                                   "note": "未亮证", "photos": []}])
    uuid = new_uuid()
    first = api.put(uuid, body)
    assert first.status_code == 201, first.json
    assert first.json["state"] == "draft"
    assert first.json["photos_expected"] == [ref["uuid"]]
    assert first.json["photos_received"] == []
    assert first.json["target_unit"]["name"] == "城关派出所"
    assert first.json["checklist"][0]["result"] == "fail"
    again = api.put(uuid, body)
    assert again.status_code == 200
    assert again.json == first.json
    # Keys in another order and the time in another zone: still the same body.
    reordered = dict(reversed(list(body.items())))
    reordered["started_at"] = "2026-11-20T01:30:00+00:00"
    assert api.put(uuid, reordered).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(Inspection.id))) == 1
        creates = db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "inspection_create"))
        updates = db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "inspection_update"))
        assert (creates, updates) == (1, 0)


def test_draft_takes_a_different_body_and_keeps_received_photos(as_user, inspector, units, app):
    api = as_user(inspector)
    data = jpeg(2)
    ref = photo_ref(data)
    first = finding(ref)
    uuid = new_uuid()
    assert api.put(uuid, record_body(units["A"].id, findings=[first])).status_code == 201
    assert api.upload(uuid, ref, data).status_code == 201
    extra_data = jpeg(3)
    extra = photo_ref(extra_data)
    second = finding(extra, description="便民设施缺失", category="environment")
    changed = record_body(units["A"].id, findings=[first, second], place="户籍大厅")
    resp = api.put(uuid, changed)
    assert resp.status_code == 200
    assert resp.json["place"] == "户籍大厅"
    assert resp.json["photos_expected"] == [ref["uuid"], extra["uuid"]]
    assert resp.json["photos_received"] == [ref["uuid"]]
    # Dropping the first finding removes it and its photo from the record.
    resp = api.put(uuid, record_body(units["A"].id, findings=[second]))
    assert resp.status_code == 200
    assert [f["uuid"] for f in resp.json["findings"]] == [second["uuid"]]
    with app.app_context():
        assert db.session.scalar(select(func.count(Finding.id))) == 1
        assert db.session.scalar(select(func.count(Photo.id))) == 1


def test_a_photo_may_name_another_file_until_its_file_has_arrived(as_user, inspector, units,
                                                                  app):
    api = as_user(inspector)
    data, other = jpeg(4), jpeg(5)
    ref = photo_ref(data, filename="IMG_0004.jpg")
    uuid = new_uuid()
    assert api.put(uuid, record_body(units["A"].id, findings=[finding(ref)])).status_code == 201
    swapped = {**photo_ref(other), "uuid": ref["uuid"]}
    resp = api.put(uuid, record_body(units["A"].id, findings=[finding(swapped)]))
    assert resp.status_code == 200  # nothing arrived yet: the draft may change its mind
    assert api.upload(uuid, swapped, other).status_code == 201
    resp = api.put(uuid, record_body(units["A"].id, findings=[finding(ref)]))
    assert resp.status_code == 409
    assert resp.json["error"]["code"] == "photo_conflict"
    assert resp.json["error"]["field"] == "findings[0].photos[0].sha256"
    with app.app_context():
        photo = db.session.scalar(select(Photo).where(Photo.uuid == ref["uuid"]))
        assert (photo.sha256, photo.received_at is not None) == (swapped["sha256"], True)


def test_after_submit_a_different_body_is_409_and_the_same_is_200(submitted, units):
    facts = submitted()
    api = facts["api"]
    same = record_body(units["A"].id, findings=facts["findings"])
    assert api.put(facts["uuid"], same).status_code == 200
    changed = record_body(units["A"].id, findings=facts["findings"], place="别处")
    resp = api.put(facts["uuid"], changed)
    assert resp.status_code == 409
    assert resp.json["error"]["code"] == "already_submitted"
    assert api.get(f"/inspections/{facts['uuid']}").json["place"] == "城关派出所户籍窗口"


def test_another_inspectors_uuid_is_404(as_user, inspector, inspector_b, units):
    uuid = new_uuid()
    body = record_body(units["A"].id)
    assert as_user(inspector).put(uuid, body).status_code == 201
    other = as_user(inspector_b)
    assert other.put(uuid, body).status_code == 404
    assert other.put(uuid, record_body(units["B"].id)).status_code == 404
    assert other.get(f"/inspections/{uuid}").status_code == 404
    assert other.submit(uuid).status_code == 404


def test_concurrent_duplicate_puts_make_exactly_one_inspection(app, as_user, inspector, units):
    uuid = new_uuid()
    body = record_body(units["A"].id, findings=[finding(photo_ref(jpeg(6)))])
    apis = [as_user(inspector) for _ in range(6)]
    barrier = threading.Barrier(len(apis))
    statuses: list[int] = []

    def run(api):
        barrier.wait()
        statuses.append(api.put(uuid, body).status_code)

    threads = [threading.Thread(target=run, args=(api,)) for api in apis]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] * 5 + [201]
    with app.app_context():
        assert db.session.scalar(select(func.count(Inspection.id))) == 1
        assert db.session.scalar(select(func.count(Finding.id))) == 1
        assert db.session.scalar(select(func.count(Photo.id))) == 1


def _bad(units, checklist_ids):
    unit = units["A"].id
    ok_ref = photo_ref(jpeg(7))
    yield "empty object", {}, "target_unit_id"
    yield "unknown unit", record_body(999999), "target_unit_id"
    yield "unit as text", record_body("3"), "target_unit_id"
    yield "unit id too big", record_body(10**30), "target_unit_id"
    yield "year one", record_body(unit, started_at="0001-01-01T00:00:00+14:00"), "started_at"
    yield "gps NaN", record_body(unit, gps={"lat": float("nan"), "lon": 1}), "gps.lat"
    yield "bad mode", record_body(unit, mode="secret"), "mode"
    yield "naive time", record_body(unit, started_at="2026-11-20T09:30:00"), "started_at"
    yield "not a time", record_body(unit, started_at="昨天上午"), "started_at"
    yield "future", record_body(unit, started_at="2099-01-01T00:00:00+08:00"), "started_at"
    yield "end before start", record_body(unit, ended_at="2026-11-20T08:00:00+08:00"), "ended_at"
    yield "lat", record_body(unit, gps={"lat": 91, "lon": 120}), "gps.lat"
    yield "lon", record_body(unit, gps={"lat": 30, "lon": "120"}), "gps.lon"
    yield "accuracy", record_body(unit, gps={"lat": 30, "lon": 120, "accuracy": -1}), \
        "gps.accuracy"
    yield "control", record_body(unit, place="户籍\x07窗口"), "place"
    yield "surrogate", record_body(unit, companions="张三\ud800"), "companions"
    yield "too long", record_body(unit, place="长" * 5001), "place"
    yield "finding uuid", record_body(unit, findings=[finding(uuid="F-1")]), "findings[0].uuid"
    yield "category", record_body(unit, findings=[finding(category="bad")]), \
        "findings[0].category"
    yield "severity", record_body(unit, findings=[finding(severity=None)]), \
        "findings[0].severity"
    yield "empty description", record_body(unit, findings=[finding(description="  ")]), \
        "findings[0].description"
    yield "photo hash", record_body(unit, findings=[finding({**ok_ref, "sha256": "abc"})]), \
        "findings[0].photos[0].sha256"
    yield "photo size", record_body(unit, findings=[finding({**ok_ref, "size": 0})]), \
        "findings[0].photos[0].size"
    yield "photo type", record_body(unit, findings=[finding({**ok_ref,
                                                              "content_type": "text/html"})]), \
        "findings[0].photos[0].content_type"
    yield "photo twice", record_body(unit, findings=[finding(ok_ref), finding(ok_ref)]), \
        "findings[1].photos[0].uuid"
    yield "unknown checklist item", record_body(unit, checklist=[
        {"checklist_item_id": 999999, "result": "pass", "note": None, "photos": []}]), \
        "checklist[0].checklist_item_id"
    first = checklist_ids["police_station"][0]
    yield "item id too big", record_body(unit, checklist=[
        {"checklist_item_id": 2**63, "result": "pass", "photos": []}]), \
        "checklist[0].checklist_item_id"
    yield "bad result", record_body(unit, checklist=[
        {"checklist_item_id": first, "result": "ok", "note": None, "photos": []}]), \
        "checklist[0].result"
    yield "item twice", record_body(unit, checklist=[
        {"checklist_item_id": first, "result": "pass", "photos": []},
        {"checklist_item_id": first, "result": "fail", "photos": []}]), \
        "checklist[1].checklist_item_id"
    yield "checklist not a list", {**record_body(unit), "checklist": {"a": 1}}, "checklist"


def test_bad_records_are_422_with_the_field_and_nothing_saved(app, as_user, inspector, units,
                                                              checklist_ids):
    api = as_user(inspector)
    for name, body, field in _bad(units, checklist_ids):
        resp = api.put(new_uuid(), body)
        assert resp.status_code == 422, (name, resp.json)
        assert resp.json["error"]["field"] == field, name
    assert api.put("not-a-uuid", record_body(units["A"].id)).status_code == 422
    resp = api.client.put(f"/api/v1/inspections/{new_uuid()}", data="x",
                          headers={**api.headers, "Content-Type": "text/plain"})
    assert resp.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(Inspection.id))) == 0


def test_photo_and_finding_uuids_cannot_be_taken_from_another_record(as_user, inspector, units):
    api = as_user(inspector)
    ref = photo_ref(jpeg(8))
    f = finding(ref)
    api.put(new_uuid(), record_body(units["A"].id, findings=[f]))
    resp = api.put(new_uuid(), record_body(units["A"].id, findings=[finding(ref)]))
    assert resp.status_code == 422
    assert resp.json["error"]["field"] == "findings[0].photos[0].uuid"
    resp = api.put(new_uuid(), record_body(units["A"].id, findings=[{**f, "photos": []}]))
    assert resp.json["error"]["field"] == "findings[0].uuid"


@pytest.mark.parametrize("persona", ["liaison_a", "leader", "admin"])
def test_only_inspectors_and_office_write_records(request, as_user, units, persona):
    api = as_user(request.getfixturevalue(persona))
    assert api.put(new_uuid(), record_body(units["A"].id)).status_code == 403


def test_reference_data(as_user, inspector, liaison_a, units, checklist_ids):
    api = as_user(inspector)
    got = api.get("/units").json["units"]
    assert {u["name"] for u in got} == {"城关派出所", "交警大队", "户政服务窗口"}
    assert {"id", "code", "name", "kind", "kind_label"} <= set(got[0])
    data = api.get("/checklists").json
    assert any(i["category"] == "着装规范" for i in data["checklists"]["window"])
    assert any(i["category"] == "值班备勤" for i in data["checklists"]["police_station"])
    assert {"value": "unannounced", "label": "暗访"} in data["modes"]
    assert {"value": "moderate", "label": "较重"} in data["severities"]
    assert {"value": "law_enforcement", "label": "执法规范"} in data["finding_categories"]
    liaison = as_user(liaison_a)
    assert liaison.get("/units").status_code == 403
    assert liaison.get("/checklists").status_code == 403


def test_a_record_made_by_another_account_is_refused(as_user, inspector, office, units, app):
    """The phone names the record's author; the server refuses it under another account."""
    uuid = new_uuid()
    body = {**record_body(units["A"].id), "author": inspector.username}
    resp = as_user(office).put(uuid, body)
    assert resp.status_code == 403
    assert resp.json["error"]["code"] == "not_author"
    assert resp.json["error"]["field"] == "author"
    assert "inspector" in resp.json["error"]["message"]
    assert "office" in resp.json["error"]["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Inspection.id))) == 0
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.object_type == "inspection")) == 0
    mine = as_user(inspector)
    assert mine.put(uuid, body).status_code == 201
    # The author is checked, not hashed: the same record with or without it is the same.
    assert mine.put(uuid, record_body(units["A"].id)).status_code == 200
    assert as_user(office).put(uuid, body).status_code == 403
    with app.app_context():
        row = db.session.scalar(select(Inspection))
        assert row.inspector_id == inspector.id


@pytest.mark.parametrize("author", ["", "  ", 7, ["inspector"], "x" * 65])
def test_author_must_be_a_username(as_user, inspector, units, author):
    resp = as_user(inspector).put(new_uuid(), {**record_body(units["A"].id), "author": author})
    assert resp.status_code == 422
    assert resp.json["error"]["field"] == "author"
