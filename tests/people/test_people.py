"""People: person records, names resolved to persons, statistics and search per person, the
leader's "items I supervise", and the migration of free-text names."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.helpers import login
from webapp.auth.models import User
from webapp.database import local_today
from webapp.errors import InvalidInput
from webapp.extensions import db
from webapp.people import services as people
from webapp.supervision import services


@pytest.fixture
def zhang(app, units, office):
    """张伟, 所长 of unit A (no account), and 李强 of unit B."""
    with app.app_context():
        actor = db.session.get(User, office.id)
        p = people.create_person(actor=actor, unit=units["A"].id, name="张伟", post="所长",
                                 mobile="13800000001")
        people.create_person(actor=actor, unit=units["B"].id, name="李强")
        db.session.commit()
        return p.id


def test_every_account_has_its_person(app, liaison_a, leader, units):
    with app.app_context():
        mine = people.person_for_user(db.session.get(User, liaison_a.id))
        assert (mine.name, mine.unit_id) == ("陈联络", units["A"].id)
        boss = people.person_for_user(db.session.get(User, leader.id))
        assert boss.unit_id is None  # the bureau's own people


@pytest.mark.parametrize(("text", "found"), [
    ("张伟", True), ("所长 张伟", True), ("所长张伟", True), ("  所长   张伟 ", True),
    ("张伟伟", False), ("副所长张伟", False), ("王五", False),
])
def test_a_name_is_matched_to_exactly_one_person(app, units, zhang, text, found):
    with app.app_context():
        named = people.resolve(units["A"].id, text, field="f", label="第一责任人")
        assert (named.person_id == zhang) is found
        assert named.name == ("张伟" if found else text.strip())


def test_two_people_of_one_name_stay_legacy_text(app, units, zhang, office):
    with app.app_context():
        people.create_person(actor=db.session.get(User, office.id), unit=units["A"].id,
                             name="张伟", post="副所长")
        named = people.resolve(units["A"].id, "张伟", field="f", label="第一责任人")
        assert (named.person, named.name) == (None, "张伟")
        # the post tells them apart
        assert people.resolve(units["A"].id, "副所长 张伟", field="f", label="x").person


def test_an_id_must_be_a_person_of_that_unit(app, units, zhang):
    with app.app_context():
        assert people.resolve(units["A"].id, zhang, field="f", label="x").person_id == zhang
        with pytest.raises(InvalidInput, match="不是该单位的人员"):
            people.resolve(units["B"].id, zhang, field="f", label="第一责任人")


def test_api_takes_an_id_or_a_name(client, api_headers, office, make_item, units, zhang):
    code = make_item("registered")
    h = api_headers(office)
    due = (date.today() + timedelta(days=9)).isoformat()
    resp = client.post(f"/api/v1/items/{code}/assign", headers=h, json={
        "lead_unit_id": units["A"].id, "due_date": due, "first_responsible_id": zhang,
        "direct_responsible": "民警 王五"})
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert (body["first_responsible"], body["first_responsible_id"]) == ("张伟", zhang)
    assert (body["direct_responsible"], body["direct_responsible_id"]) == ("民警 王五", None)
    # neither id nor name: 422 naming the field
    code2 = make_item("registered")
    resp = client.post(f"/api/v1/items/{code2}/assign", headers=h, json={
        "lead_unit_id": units["A"].id, "due_date": due, "direct_responsible": "王五"})
    assert resp.status_code == 422
    assert resp.json["error"]["field"] == "first_responsible"
    # a person of another unit: 422
    resp = client.post(f"/api/v1/items/{code2}/assign", headers=h, json={
        "lead_unit_id": units["B"].id, "due_date": due, "first_responsible_id": zhang,
        "direct_responsible": "王五"})
    assert resp.status_code == 422 and "不是该单位的人员" in resp.json["error"]["message"]


def test_statistics_count_a_person_once_and_search_finds_them(app, client, office, make_item,
                                                              units, zhang):
    from webapp.supervision.stats import Group, unit_statistics

    codes = [make_item("assigned") for _ in range(2)]
    with app.app_context():
        actor = db.session.get(User, office.id)
        for code, text in zip(codes, ("所长 张伟", "张伟"), strict=True):
            item = services.item_by_code(code)
            item.state, item.lead_unit_id = "registered", None
            db.session.flush()
            services.assign_item(item, actor=actor, lead_unit=units["A"].id,
                                 due_date=local_today() + timedelta(days=3),
                                 first_responsible=text, direct_responsible="王五")
        db.session.commit()
        today = local_today()
        stats = unit_statistics(today, today + timedelta(days=5), Group.FIRST_RESPONSIBLE)
    rows = {r.label: r.due for r in stats.rows}
    assert rows == {"张伟（城关派出所 所长）": 2}
    login(client, office)
    page = client.get("/items/?q=张伟").get_data(as_text=True)
    assert all(code in page for code in codes)


def test_leader_sees_items_they_supervise(app, client, leader, office, make_item, units):
    mine, other = make_item("registered"), make_item("registered")
    with app.app_context():
        actor = db.session.get(User, office.id)
        for code, boss in ((mine, "李局长"), (other, "别的领导")):
            services.assign_item(services.item_by_code(code), actor=actor,
                                 lead_unit=units["A"].id,
                                 due_date=local_today() + timedelta(days=3),
                                 supervising_leader=boss, first_responsible="甲",
                                 direct_responsible="乙")
        db.session.commit()
    login(client, leader)
    page = client.get("/items/?supervised=1").get_data(as_text=True)
    assert mine in page and other not in page and "我分管的督办事项" in page
    assert "我分管的" in client.get("/items/").get_data(as_text=True)  # the menu link


def test_office_links_a_legacy_name_later(app, client, office, make_item, units, zhang):
    code = make_item("assigned")  # 张所长: no such person, kept as legacy text
    login(client, office)
    page = client.get("/items/people").get_data(as_text=True)
    assert "张所长" in page
    resp = client.post("/items/people/link", data={"role": "first_responsible", "name": "张所长",
                                              "unit_id": units["A"].id, "person_id": zhang})
    assert resp.status_code == 302
    with app.app_context():
        item = services.item_by_code(code)
        assert (item.first_responsible_id, item.first_responsible) == (zhang, "张伟")
    # a person of another unit is refused, with the page again
    resp = client.post("/items/people/link", data={"role": "direct_responsible", "name": "李副所长",
                                              "unit_id": units["B"].id, "person_id": zhang})
    assert resp.status_code == 422 and "不属于该单位" in resp.get_data(as_text=True)


def test_people_pages_and_api_for_whom(client, office, liaison_a, api_headers, units):
    login(client, office)
    resp = client.post("/people/", data={"unit": units["A"].id, "name": "赵六", "post": "教导员",
                                         "mobile": "139 0000 0002"})
    assert resp.status_code == 302
    resp = client.post("/people/", data={"unit": units["A"].id, "name": "x", "mobile": "abc"})
    assert resp.status_code == 422 and "手机号码" in resp.get_data(as_text=True)
    h = api_headers(liaison_a)
    mine = client.get(f"/api/v1/people?unit_id={units['A'].id}", headers=h)
    assert {p["name"] for p in mine.json["people"]} == {"陈联络", "赵六"}
    assert client.get(f"/api/v1/people?unit_id={units['B'].id}", headers=h).status_code == 403
    assert client.post("/api/v1/people", headers=h, json={"name": "x"}).status_code == 403


def test_migration_links_unambiguous_names(tmp_path):
    """0011 on a database of 0010: accounts get persons, names are linked where one fits."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from webapp import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "k", "AUDIT_HMAC_KEY": "a",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}",
                      "UPLOAD_ROOT": str(tmp_path / "u"),
                      "AUDIT_ANCHOR_FILE": str(tmp_path / "a.log")},
                     instance_path=str(tmp_path / "instance"))
    with app.app_context():
        upgrade(revision="0010")
        db.session.execute(text(
            "INSERT INTO unit (id, code, name, kind, active) VALUES "
            "(1, 'A', '城关派出所', 'police_station', 1)"))
        db.session.execute(text(
            "INSERT INTO user_account (id, username, name, role, unit_id, password_hash, "
            "active, session_version, created_at) VALUES "
            "(1, 'boss', '李局长', 'leader', NULL, 'x', 1, 1, '2026-01-01 00:00:00'),"
            "(2, 'zw', '张伟', 'liaison', 1, 'x', 1, 1, '2026-01-01 00:00:00')"))
        db.session.execute(text(
            "INSERT INTO supervision_item (id, code, title, content, source, urgency, state, "
            "lead_unit_id, supervising_leader, first_responsible, direct_responsible, "
            "registered_by_id, registered_at) VALUES "
            "(1, '2026-001', 't', 'c', 'other', 'normal', 'assigned', 1, '李局长', "
            "'所长 张伟', '王五', 1, '2026-01-02 00:00:00')"))
        db.session.commit()
        upgrade(revision="head")
        row = db.session.execute(text(
            "SELECT supervising_leader_id, first_responsible, first_responsible_id, "
            "direct_responsible, direct_responsible_id FROM supervision_item")).one()
        persons = dict(db.session.execute(text("SELECT name, id FROM person")).all())
        assert row == (persons["李局长"], "张伟", persons["张伟"], "王五", None)
        db.engine.dispose()
