"""Default checklists (seed-checklists command) and the demo inspections."""

from __future__ import annotations

from sqlalchemy import func, select

from webapp.auth.models import User
from webapp.extensions import db
from webapp.inspections.checklists import default_checklists
from webapp.inspections.models import ChecklistItem, Inspection, InspectionState
from webapp.org.models import Unit, UnitKind


def test_seed_checklists_command_is_idempotent(app, runner):
    expected = sum(len(rows) for rows in default_checklists().values())
    first = runner.invoke(args=["seed-checklists"])
    assert first.exit_code == 0, first.output
    assert f"已添加 {expected} 个检查项" in first.output
    second = runner.invoke(args=["seed-checklists"])
    assert "已添加 0 个检查项" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count(ChecklistItem.id))) == expected


def test_every_unit_kind_has_a_checklist():
    lists = default_checklists()
    assert set(lists) == set(UnitKind)
    window = {category for category, _ in lists[UnitKind.WINDOW]}
    assert {"着装规范", "亮证服务", "一次性告知", "窗口秩序", "便民设施"} <= window
    station = {category for category, _ in lists[UnitKind.POLICE_STATION]}
    assert {"值班备勤", "接处警登记", "户籍办理", "警容风纪", "涉案财物"} <= station
    traffic = {category for category, _ in lists[UnitKind.TRAFFIC]}
    assert {"执勤规范", "事故处理窗口"} <= traffic


def test_demo_inspections(app, units, office, inspector):
    from webapp.inspections.demo import load_demo_checklists, load_demo_inspections

    with app.app_context():
        assert load_demo_checklists() > 0
        unit_rows = {u.code: u for u in db.session.scalars(select(Unit))}
        users = {u.username: u for u in db.session.scalars(select(User))}
        made = load_demo_inspections(unit_rows, users)
        db.session.commit()
        states = sorted(str(i.state) for i in made)
        assert states == ["draft", "published", "submitted"]
        draft = db.session.scalar(select(Inspection).where(
            Inspection.state == InspectionState.DRAFT))
        assert (len(draft.photos_received), len(draft.photos)) == (1, 2)
        published = db.session.scalar(select(Inspection).where(
            Inspection.state == InspectionState.PUBLISHED))
        assert published.result_summary
        assert all(p.display_sha256 and p.taken_at for p in published.photos)
