"""Recording 问责, revoking it on the record, the points of a person per calendar year, the
links to items and documents, refusals of bad input (4xx, Chinese), and the Excel overview."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.helpers import login
from webapp.accountability.models import Accountability
from webapp.audit.models import AuditEvent
from webapp.auth.models import User
from webapp.extensions import db


def test_office_records_from_the_item_page(app, client, office, case, this_year):
    login(client, office)
    form = client.get(f"/accountability/new?item={case.code}&person={case.person_id}")
    page = form.get_data(as_text=True)
    assert form.status_code == 200
    assert "第一责任人：张伟（城关派出所 所长）" in page
    assert "直接责任人：李副所长（未关联人员记录，不能问责）" in page  # a legacy name
    assert case.doc_number in page  # the item's documents to pick from
    resp = client.post("/accountability/new", data={
        "item": case.code, "items": case.code, "back": f"/items/{case.code}",
        "person_id": str(case.person_id), "kind": "points", "points": "2",
        "decided_on": f"{this_year}-02-03", "facts": "逾期未办结", "documents": str(case.doc_id),
        "decided_by_id": ""})
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"/items/{case.code}"
    item_page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "记分 2 分" in item_page
    with app.app_context():
        rec = db.session.scalar(select(Accountability))
        assert (rec.person_id, rec.points, rec.decided_by_id) == (case.person_id, 2, office.id)
        assert [li.item.code for li in rec.items] == [case.code]
        assert [li.role.label for li in rec.items] == ["第一责任人"]
        assert [ld.document_id for ld in rec.documents] == [case.doc_id]
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "accountability.create"))
        assert event.object_id == str(rec.id)
        assert event.details["items"] == [case.code]
        assert event.details["documents"] == [case.doc_number]


def test_recording_from_the_person_page_lists_their_items(client, leader, case, this_year):
    login(client, leader)
    page = client.get(f"/accountability/new?person={case.person_id}").get_data(as_text=True)
    assert f'value="{case.code}"' in page and f'value="{case.other_code}"' not in page
    resp = client.post("/accountability/new", data={
        "person": str(case.person_id), "person_id": str(case.person_id), "items": case.code,
        "kind": "interview", "decided_on": f"{this_year}-03-01", "facts": "约谈提醒",
        "documents_text": case.doc_number})
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"/accountability/people/{case.person_id}"


def test_points_are_summed_per_calendar_year_revoked_not_counted(client, api_headers, office,
                                                                  case, record_api, this_year):
    made = [record_api(case, points=3, decided_on=f"{this_year}-01-10"),
            record_api(case, points=2, decided_on=f"{this_year}-01-01"),
            record_api(case, points=5, decided_on=f"{this_year - 1}-12-31"),
            record_api(case, points=4, decided_on=f"{this_year}-01-02"),
            record_api(case, kind="interview", points=None, decided_on=f"{this_year}-01-03")]
    assert [r.status_code for r in made] == [201] * 5, [r.json for r in made]
    h = api_headers(office)
    revoked = client.post(f"/api/v1/accountability/{made[3].json['id']}/revoke",
                          json={"reason": "复查认定事实有误"}, headers=h)
    assert revoked.status_code == 200
    assert (revoked.json["revoked"], revoked.json["revoke_reason"]) == (True, "复查认定事实有误")

    history = client.get(f"/api/v1/accountability/people/{case.person_id}", headers=h).json
    assert history["points_this_year"] == 5
    years = {y["year"]: y for y in history["years"]}
    assert (years[this_year]["points"], years[this_year]["records"],
            years[this_year]["interviews"]) == (5, 3, 1)
    assert years[this_year - 1]["points"] == 5
    assert len(history["records"]) == 5  # the revoked one stays on the record
    listed = client.get(f"/api/v1/accountability?year={this_year}", headers=h).json
    assert (listed["summary"]["records"], listed["summary"]["points"],
            listed["summary"]["people"]) == (3, 5, 1)
    assert len(listed["records"]) == listed["total"] == 4  # with the revoked one, marked
    newest = client.get(f"/api/v1/accountability?year={this_year}&limit=2", headers=h).json
    assert [r["decided_on"] for r in newest["records"]] == [f"{this_year}-01-10",
                                                           f"{this_year}-01-03"]
    assert newest["total"] == 4
    only = client.get(f"/api/v1/accountability?year={this_year}&include_revoked=false",
                      headers=h).json
    assert len(only["records"]) == 3

    overview = client.get(f"/accountability/?year={this_year}")  # session not logged in
    assert overview.status_code == 302
    login(client, office)
    page = client.get(f"/accountability/?year={this_year}").get_data(as_text=True)
    assert f"{this_year}年：3 人次，5 分" in page
    person = client.get(f"/accountability/people/{case.person_id}").get_data(as_text=True)
    assert f"{this_year}年记分：5 分" in person
    assert "已撤销" in person and "复查认定事实有误" in person


def test_revoke_needs_a_reason_and_happens_once(client, api_headers, office, leader, case,
                                                record_api, app):
    rid = record_api(case).json["id"]
    h = api_headers(leader)
    url = f"/api/v1/accountability/{rid}/revoke"
    missing = client.post(url, json={"reason": "  "}, headers=h)
    assert missing.status_code == 422 and "撤销理由" in missing.json["error"]["message"]
    assert client.post(url, json={"reason": "重复记录"}, headers=h).status_code == 200
    again = client.post(url, json={"reason": "重复记录"}, headers=h)
    assert again.status_code == 409 and again.json["error"]["message"] == "该问责记录已撤销"
    assert client.post("/api/v1/accountability/999999/revoke", json={"reason": "x"},
                       headers=h).status_code == 404
    # the page form: refused with the message, and the record is still there
    login(client, office)
    page = client.post(f"/accountability/{rid}/revoke", data={"reason": "再撤一次"})
    assert page.status_code == 409 and "该问责记录已撤销" in page.get_data(as_text=True)
    with app.app_context():
        rec = db.session.get(Accountability, rid)
        assert rec.revoke_reason == "重复记录"
        assert db.session.get(User, rec.revoked_by_id).role == "leader"


def test_history_links_items_and_documents(client, office, case, record_api):
    rid = record_api(case, document_numbers=[case.doc_number]).json["id"]
    login(client, office)
    page = client.get(f"/accountability/people/{case.person_id}").get_data(as_text=True)
    assert f'href="/items/{case.code}"' in page
    assert f'href="/documents/{case.doc_id}"' in page
    assert f'id="r{rid}"' in page
    assert client.get(f"/items/{case.code}").status_code == 200
    assert client.get(f"/documents/{case.doc_id}").status_code == 200


@pytest.mark.parametrize(("overrides", "status", "field", "message"), [
    ({"points": 0}, 422, "points", "记分分值应在 1 到 12 之间"),
    ({"points": 13}, 422, "points", "记分分值应在 1 到 12 之间"),
    ({"points": None}, 422, "points", "请填写记分分值"),
    ({"kind": "interview", "points": 2}, 422, "points", "约谈不记分，请不要填写分值"),
    ({"kind": "warning"}, 422, "kind", None),
    ({"items": []}, 422, "items", None),
    ({"items": ["2099-999"]}, 422, "items", "督办事项 2099-999 不存在"),
    ({"items": "OTHER"}, 422, "items", "张伟不是督办事项 OTHER 的分管领导、第一责任人或直接责任人"),
    ({"decided_on": "2099-01-01"}, 422, "decided_on", "问责日期不能晚于今天"),
    ({"decided_on": "2026-02-30"}, 422, "decided_on", None),
    ({"facts": " "}, 422, "facts", None),
    ({"document_numbers": ["没有这个文号"]}, 422, "documents", "找不到公文 没有这个文号"),
    ({"document_ids": [999999]}, 422, "documents", "找不到公文 999999"),
    ({"person_id": 999999}, 422, "person_id", None),
    ({"decided_by_id": "LIAISON"}, 422, "decided_by_id", "决定人应为督办员或局领导"),
    ({"points": "3"}, 400, "points", None),
    ({"extra": 1}, 400, "extra", None),
])
def test_bad_input_is_refused_in_chinese(app, case, record_api, liaison_a, overrides, status,
                                         field, message):
    overrides = {k: ([case.other_code] if v == "OTHER" else liaison_a.id if v == "LIAISON"
                     else v) for k, v in overrides.items()}
    if message:
        message = message.replace("OTHER", case.other_code)
    resp = record_api(case, **overrides)
    assert resp.status_code == status, resp.json
    error = resp.json["error"]
    assert error["field"] == field
    if status == 422:  # a wrong JSON shape (400) is the client's bug: named, in English
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error
    if message:
        assert error["message"] == message
    with app.app_context():
        assert db.session.scalar(select(Accountability)) is None


def test_form_refusal_shows_the_form_again_with_what_was_typed(client, office, case):
    login(client, office)
    resp = client.post("/accountability/new", data={
        "person": str(case.person_id), "person_id": str(case.person_id), "items": case.code,
        "kind": "points", "points": "20", "decided_on": "2026-01-01", "facts": "逾期未办结"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "记分分值应在 1 到 12 之间" in page
    assert 'name="points" aria-invalid="true"' in page and 'value="20"' in page
    assert "逾期未办结" in page


def test_a_legacy_name_cannot_be_recorded_until_linked(app, client, office, case, this_year):
    """The other item names 张所长 only as text (no Person): nobody on it can be picked; a
    Person who is not named on it is refused; once the office links the name, it works."""
    from webapp.supervision import item_people
    from webapp.supervision.models import ItemRole

    login(client, office)
    page = client.get(f"/accountability/new?item={case.other_code}").get_data(as_text=True)
    assert "第一责任人：张所长（未关联人员记录，不能问责）" in page
    assert 'name="person_id" value=' not in page
    form = {"item": case.other_code, "items": case.other_code, "person_id": str(case.person_id),
            "kind": "criticism", "decided_on": f"{this_year}-01-01", "facts": "通报批评"}
    refused = client.post("/accountability/new", data=form)
    assert refused.status_code == 422
    assert f"张伟不是督办事项 {case.other_code} 的" in refused.get_data(as_text=True)
    with app.app_context():
        from webapp.people.models import Person

        item_people.link_legacy(actor=db.session.get(User, office.id),
                                role=ItemRole.FIRST_RESPONSIBLE, name="张所长",
                                unit_id=db.session.get(Person, case.person_id).unit_id,
                                person=db.session.get(Person, case.person_id))
        db.session.commit()
    assert client.post("/accountability/new", data=form).status_code == 302


def test_overview_filters_and_ranking(client, office, case, record_api, this_year, units):
    record_api(case, points=3)
    record_api(case, kind="criticism", points=None)
    login(client, office)
    page = client.get(f"/accountability/?year={this_year}&kind=criticism").get_data(
        as_text=True)
    assert f"{this_year}年：1 人次，0 分" in page
    page = client.get(f"/accountability/?year={this_year}&unit={units['B'].id}").get_data(
        as_text=True)
    assert f"{this_year}年：0 人次，0 分" in page and "没有问责记录" in page
    page = client.get(f"/accountability/?year={this_year}&unit={units['A'].id}").get_data(
        as_text=True)
    assert f"{this_year}年：2 人次，3 分" in page
    assert client.get("/accountability/?year=abc").status_code == 422
    assert client.get("/accountability/?kind=nope").status_code == 422


def test_excel_overview_matches_the_screen_and_keeps_text_as_text(client, office, case,
                                                                  record_api, this_year):
    record_api(case, points=4, facts="=HYPERLINK(\"http://x\",\"点击\")")
    login(client, office)
    resp = client.get(f"/accountability/export.xlsx?year={this_year}")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.data))
    rows = list(wb["问责记录"].iter_rows(values_only=True))
    assert rows[0][0] == f"{this_year}年：1 人次，4 分"
    assert rows[2][1:6] == ("张伟", "城关派出所", "所长", "记分", 4)
    assert rows[2][6] == "=HYPERLINK(\"http://x\",\"点击\")"
    assert wb["问责记录"].cell(row=3, column=7).data_type == "s"
    assert rows[2][7] == case.code
    ranks = list(wb["人员记分排名"].iter_rows(values_only=True))
    assert ranks[1][:4] == (1, "张伟", "城关派出所", 4)


def test_overview_pages_fifty_records_at_a_time(app, client, office, case, this_year):
    from webapp.accountability import services

    with app.app_context():
        actor = db.session.get(User, office.id)
        for n in range(52):
            services.create_record(actor=actor, person_id=case.person_id, kind="points",
                                   points=1, decided_on=f"{this_year}-01-01",
                                   facts=f"第{n}次", items=[case.code])
        db.session.commit()
    login(client, office)
    first = client.get(f"/accountability/?year={this_year}").get_data(as_text=True)
    assert first.count('class="card acc-record') == 50
    assert "第 1 / 2 页" in first and f"{this_year}年：52 人次，52 分" in first
    second = client.get(f"/accountability/?year={this_year}&page=2").get_data(as_text=True)
    assert second.count('class="card acc-record') == 2 and "第0次" in second
    assert client.get(f"/accountability/?year={this_year}&page=x").status_code == 200


def test_a_repeated_create_with_the_same_idempotency_key_records_once(app, client, api_headers,
                                                                      office, case, this_year):
    h = {**api_headers(office), "Idempotency-Key": "accountability-0001"}
    body = {"person_id": case.person_id, "kind": "interview", "decided_on": f"{this_year}-01-01",
            "facts": "约谈", "items": [case.code]}
    assert client.post("/api/v1/accountability", json=body, headers=h).status_code == 201
    again = client.post("/api/v1/accountability", json=body, headers=h)
    assert again.status_code == 409
    with app.app_context():
        assert len(db.session.scalars(select(Accountability)).all()) == 1


def test_the_plain_form_keeps_the_chosen_person_after_a_refusal(client, office, case):
    login(client, office)
    resp = client.post("/accountability/new", data={
        "person_id": str(case.person_id), "items_text": "2099-1", "kind": "interview",
        "decided_on": "2026-01-01", "facts": "约谈"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "督办事项 2099-1 不存在" in page
    assert f'<option value="{case.person_id}" selected>' in page
    assert 'value="2099-1"' in page
    assert client.get("/accountability/new?person=abc").status_code == 422
    assert client.get("/accountability/new?item=2099-9").status_code == 404
    assert client.get("/accountability/people/999999").status_code == 404
