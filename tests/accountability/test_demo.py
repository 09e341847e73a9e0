"""seed-demo shows 问责: records of two people (one revoked), on their pages and items."""

from __future__ import annotations

from sqlalchemy import select

from tests.helpers import Persona
from webapp.accountability.models import Accountability
from webapp.auth.models import Role, User
from webapp.cli import DEMO_PASSWORD
from webapp.extensions import db


def test_demo_has_records_on_the_overview_and_the_person_page(app, runner, client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        records = db.session.scalars(select(Accountability)).all()
        assert len(records) == 4 and sum(r.revoked for r in records) == 1
        zhang = next(r.person for r in records if r.person.name == "张伟")
        zhang_id, code = zhang.id, next(r.items[0].item.code for r in records
                                        if r.person_id == zhang.id and not r.revoked)
        leader = db.session.scalar(select(User).where(User.username == "leader"))
        persona = Persona(leader.id, "leader", DEMO_PASSWORD, Role.LEADER, None, leader.name)
    resp = client.post("/login", data={"username": persona.username,
                                       "password": persona.password})
    assert resp.status_code == 302
    overview = client.get("/accountability/?year=all").get_data(as_text=True)
    assert "人次" in overview and "张伟" in overview and "刘军" in overview
    person = client.get(f"/accountability/people/{zhang_id}").get_data(as_text=True)
    assert "已撤销" in person and "误选事项" in person
    item = client.get(f"/items/{code}").get_data(as_text=True)
    assert "记分 3 分" in item
