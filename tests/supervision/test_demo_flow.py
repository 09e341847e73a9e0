"""seed-demo shows the bureau's workflow: a split item with sub-items in several states, an item
awaiting 立项, one awaiting the leader's 复核 with its 批示件 on file, milestones, an adjustment,
returns with categories — and the leader's to-do lists them."""

from __future__ import annotations

from sqlalchemy import func, select

from webapp.cli import DEMO_PASSWORD
from webapp.extensions import db
from webapp.supervision.models import (
    Adjustment,
    Feedback,
    ItemState,
    Milestone,
    SourceFile,
    SupervisionItem,
)


def test_demo_has_the_workflow_around_items(app, runner, client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        parent = db.session.scalar(select(SupervisionItem).where(
            SupervisionItem.state == ItemState.SPLIT))
        assert {str(c.state) for c in parent.children} == {"assigned", "in_progress", "closed"}
        assert parent.source_files and parent.source_files[0].kind == "minutes"
        waiting = db.session.scalar(select(SupervisionItem).where(
            SupervisionItem.state == ItemState.AWAITING_APPROVAL))
        assert waiting.source == "superior" and waiting.source_files
        confirm = db.session.scalar(select(SupervisionItem).where(
            SupervisionItem.state == ItemState.AWAITING_CONFIRMATION))
        assert confirm.source == "leader_instruction" and confirm.source_files
        assert confirm.instructions[0].leader.user.username == "leader"
        assert db.session.scalar(select(func.count(SupervisionItem.id)).where(
            SupervisionItem.confirmed_at.is_not(None))) >= 1
        assert db.session.scalar(select(func.count(Milestone.id)).where(
            Milestone.reached_at.is_not(None))) >= 1
        assert db.session.scalar(select(func.count(Adjustment.id))) >= 1
        assert db.session.scalar(select(func.count(SourceFile.id))) >= 4
        categories = set(db.session.scalars(select(Feedback.return_category).where(
            Feedback.return_category.is_not(None))))
        assert {"insufficient_evidence", "too_brief"} <= {str(c) for c in categories}
        codes = (waiting.code, confirm.code)
    client.post("/login", data={"username": "leader", "password": DEMO_PASSWORD})
    todo = client.get("/api/v1/todo").json
    listed = {e["kind"]: e["ref"] for e in todo["entries"]}
    assert (listed["approval_pending"], listed["confirm_pending"]) == codes
    page = client.get(f"/items/{codes[1]}").get_data(as_text=True)
    assert "领导复核" in page and "局长批示.png" in page
