"""seed-demo on an empty database: items in every state, overdue ones, a verifiable audit chain,
and pages that render for the demo accounts."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.helpers import Persona
from webapp.auth.models import Role, User
from webapp.cli import DEMO_PASSWORD
from webapp.extensions import db
from webapp.supervision.lights import Light
from webapp.supervision.models import (
    ExtensionRequest,
    FeedbackAttachment,
    HandBackRequest,
    ItemState,
    Reminder,
    RequestState,
    SupervisionItem,
)
from webapp.supervision.queries import light_of


def _seed(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "演示数据已载入" in result.output


def test_demo_covers_the_life_cycle_and_the_audit_chain_verifies(app, runner):
    _seed(runner)
    with app.app_context():
        items = db.session.scalars(select(SupervisionItem)).all()
        assert len(items) >= 25
        states = {i.state for i in items}
        assert states >= set(ItemState) - {ItemState.ARCHIVED}
        lights = [light_of(i) for i in items]
        assert lights.count(Light.RED) >= 3
        assert lights.count(Light.YELLOW) >= 2
        ext_states = set(db.session.scalars(select(ExtensionRequest.state)))
        assert {RequestState.PENDING, RequestState.APPROVED} <= ext_states
        hb_states = set(db.session.scalars(select(HandBackRequest.state)))
        assert {RequestState.PENDING, RequestState.APPROVED, RequestState.REFUSED} <= hb_states
        channels = set(db.session.scalars(select(Reminder.channel)))
        assert {"phone", "system", "in_person"} <= {str(c) for c in channels}
        assert db.session.scalar(select(func.count(FeedbackAttachment.id))) >= 3
        closed = [i for i in items if i.state == ItemState.CLOSED]
        assert any(i.closed_on > i.due_date for i in closed)  # one closed late
        assert all(i.registered_at <= i.closed_at for i in closed)
        assert db.session.scalar(select(func.count(User.id)).where(User.role == Role.LIAISON)) \
            >= 6
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0, result.output
    assert "审计链完好" in result.output


def test_demo_accounts_see_their_pages(app, runner):
    _seed(runner)
    with app.app_context():
        users = {u.username: u for u in db.session.scalars(select(User))}
        first = db.session.scalar(select(SupervisionItem).order_by(SupervisionItem.id))
        code, lead_unit_id = first.code, first.lead_unit_id
        total = db.session.scalar(select(func.count(SupervisionItem.id)))
        own = set(db.session.scalars(select(SupervisionItem.code).where(
            SupervisionItem.lead_unit_id == users["liaison1"].unit_id)))
    client = app.test_client()
    for username in ("office", "leader", "liaison1"):
        u = users[username]
        persona = Persona(u.id, username, DEMO_PASSWORD, u.role, u.unit_id, u.name)
        resp = client.post("/login", data={"username": username, "password": persona.password})
        assert resp.status_code == 302
        page = client.get("/items/?per_page=100").get_data(as_text=True)
        if username == "liaison1":
            assert all(c in page for c in own)
            expected = 200 if lead_unit_id == u.unit_id else 404
        else:
            assert f"共 {total} 项" in page
            expected = 200
        assert client.get(f"/items/{code}").status_code == expected
        client.post("/logout")
