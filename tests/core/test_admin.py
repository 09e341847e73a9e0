"""Account and unit administration: admin only; disabling ends sessions; nothing deleted."""

from sqlalchemy import select

from tests.helpers import login
from webapp.auth.models import User
from webapp.extensions import db
from webapp.org.models import Unit


def test_only_admin_reaches_the_admin_pages(client, office):
    login(client, office)
    assert client.get("/admin/users/").status_code == 403
    assert client.get("/admin/units/").status_code == 403
    assert client.post("/admin/units/", data={"code": "X", "name": "X", "kind": "other"}
                       ).status_code == 403


def test_admin_creates_a_liaison_and_disables_them(app, client, admin, units):
    login(client, admin)
    resp = client.post("/admin/users/", data={
        "username": "liaison9", "name": "周联络", "role": "liaison", "unit_id": units["W"].id,
        "password": "a long enough password"})
    assert resp.status_code == 302
    other = app.test_client()
    other.post("/login", data={"username": "liaison9", "password": "a long enough password"})
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == "liaison9"))
    client.post(f"/admin/users/{user_id}/active", data={"active": "0"})
    assert other.get("/password").status_code == 302  # its session ended


def test_bad_user_input_is_a_clear_4xx(client, admin):
    login(client, admin)
    resp = client.post("/admin/users/", data={"username": "x", "name": "x", "role": "liaison",
                                              "password": "a long enough password"})
    assert resp.status_code == 422
    assert "联络员必须属于一个单位" in resp.get_data(as_text=True)
    resp = client.post("/admin/users/", data={"username": "y", "name": "y", "role": "office",
                                              "password": "short"})
    assert resp.status_code == 422


def test_units_are_added_and_deactivated_not_deleted(app, client, admin):
    login(client, admin)
    assert client.post("/admin/units/", data={"code": "XZ9", "name": "新增科室",
                                              "kind": "department"}).status_code == 302
    assert client.post("/admin/units/", data={"code": "XZ9", "name": "重复",
                                              "kind": "department"}).status_code == 422
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == "XZ9"))
        unit_id = unit.id
    client.post(f"/admin/units/{unit_id}/active", data={"active": "0"})
    with app.app_context():
        assert db.session.get(Unit, unit_id).active is False
    assert "新增科室" in client.get("/admin/units/").get_data(as_text=True)
