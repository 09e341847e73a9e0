"""An imported item is indistinguishable from one registered (and assigned) through the
services one at a time: the same columns, assisting units, instruction, audit events and
notifications, and the audit chain still verifies."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from openpyxl import Workbook
from sqlalchemy import inspect, select

from tests.helpers import login
from webapp.audit.models import AuditEvent
from webapp.audit.services import verify_chain
from webapp.auth.models import User
from webapp.database import local_today
from webapp.extensions import db
from webapp.ledger.importer import COLUMNS, IMPORT_EVENT
from webapp.notify.models import Notification
from webapp.org.models import Unit
from webapp.people.models import Person
from webapp.supervision import policy, services
from webapp.supervision.models import Instruction, ItemState, Source, SupervisionItem, Urgency

SKIPPED = {"id", "code", "registered_at", "assigned_at"}  # differ by nature


def _rows(due, yesterday) -> list[dict]:
    return [
        {"标题": "落实局长批示整改窗口排队", "事项内容": "按批示要求整改。", "来源": "领导批示",
         "紧急程度": "急件", "来文/批示编号": "批〔2026〕7号", "办理要求": "书面反馈",
         "批示领导": "李局长", "批示内容": "请城关所抓紧整改。", "批示日期": yesterday,
         "承办单位": "城关派出所", "协办单位": "交警大队、户政服务窗口", "办理时限": due,
         "分管领导": "李局长", "第一责任人": "张所长", "直接责任人": "李副所长"},
        {"标题": "核查群众来信", "事项内容": "核查后反馈。", "来源": "群众反映/信访转办"},
        {"标题": "会议议定事项", "事项内容": "待立项。", "来源": "会议议定"},
        {"标题": "上级交办道路整治", "事项内容": "限期整治。", "来源": "上级交办",
         "紧急程度": "特急", "承办单位": "交警大队", "协办单位": "交警大队，城关派出所",
         "办理时限": due, "第一责任人": "王大队", "直接责任人": "赵民警"},
    ]


def _register_one_by_one(actor: User, rows: list[dict]) -> None:
    source_of = {s.label: s for s in Source}
    urgency_of = {u.label: u for u in Urgency}
    unit_of = {u.name: u for u in db.session.scalars(select(Unit))}
    for r in rows:
        item = services.register_item(
            actor=actor, title=r["标题"], content=r["事项内容"], source=source_of[r["来源"]],
            urgency=urgency_of[r.get("紧急程度") or "平件"], source_ref=r.get("来文/批示编号"),
            requirements=r.get("办理要求"), instruction_text=r.get("批示内容"),
            instruction_leader=r.get("批示领导"), instruction_date=r.get("批示日期"))
        if r.get("承办单位"):
            helpers = [unit_of[n] for n in r["协办单位"].replace("，", "、").split("、")]
            services.assign_item(item, actor=actor, lead_unit=unit_of[r["承办单位"]],
                                 due_date=r["办理时限"], assisting_units=helpers,
                                 supervising_leader=r.get("分管领导"),
                                 first_responsible=r["第一责任人"],
                                 direct_responsible=r["直接责任人"])


def _file(rows: list[dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append([c.header for c in COLUMNS])
    for r in rows:
        ws.append([r.get(c.header) for c in COLUMNS])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _described(item: SupervisionItem) -> dict:
    """Everything kept about an item, its code replaced by '#'."""
    def plain(text):
        return text.replace(item.code, "#") if isinstance(text, str) else text

    columns = {c.key: getattr(item, c.key) for c in inspect(SupervisionItem).column_attrs
               if c.key not in SKIPPED}
    instructions = [(i.leader_name, i.leader_id, i.text, i.instructed_on, i.recorded_by_id)
                    for i in db.session.scalars(select(Instruction).where(
                        Instruction.item_id == item.id).order_by(Instruction.id))]
    events = [(e.action, e.actor_id, e.role, e.unit_id, e.details)
              for e in db.session.scalars(select(AuditEvent).where(
                  AuditEvent.object_type == "item", AuditEvent.object_id == item.code)
                  .order_by(AuditEvent.id))]
    notes = sorted((n.event, n.person_id, str(n.channel), plain(n.title), plain(n.body),
                    plain(n.href), n.urgent, str(n.state), plain(n.subject))
                   for n in db.session.scalars(select(Notification).where(
                       Notification.item_id == item.id)))
    return {"columns": columns, "assisting": sorted(u.id for u in item.assisting_units),
            "instructions": instructions, "events": events, "notifications": notes}


def test_imported_items_equal_items_registered_one_by_one(app, client, office, leader,
                                                          liaison_a, liaison_b, units):
    with app.app_context():
        today = local_today()
        rows = _rows(today + timedelta(days=20), today - timedelta(days=1))
        db.session.add(Person(unit_id=units["A"].id, name="张所长", post="所长"))
        policy.update(actor=None, approval_sources=[Source.MEETING],
                      confirm_instructions=False, adjust_needs_approval=False)
        _register_one_by_one(db.session.get(User, office.id), rows)
        db.session.commit()

    login(client, office)
    resp = client.post("/items/import", data={"file": (BytesIO(_file(rows)), "台账.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]

    with app.app_context():
        items = db.session.scalars(select(SupervisionItem).order_by(SupervisionItem.id)).all()
        assert len(items) == 2 * len(rows)
        single, imported = items[:len(rows)], items[len(rows):]
        assert [i.code for i in imported] == [f"{today.year}-{n:03d}" for n in range(5, 9)]
        for one, other in zip(single, imported, strict=True):
            assert _described(other) == _described(one), one.title
        # The rows exercised what they meant to: linked people, legacy names, 立项, helpers.
        first, _, meeting, traffic = imported
        assert first.first_responsible_id is not None and first.direct_responsible_id is None
        assert first.supervising_leader_id is not None
        assert meeting.state == ItemState.AWAITING_APPROVAL
        assert [u.name for u in traffic.assisting_units] == ["城关派出所"]
        kinds = {n.event for n in db.session.scalars(select(Notification).where(
            Notification.item_id.in_([i.id for i in imported])))}
        assert kinds == {"assigned", "approval_requested"}
        # One import event after the items' own, and the whole chain verifies.
        last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last.action == IMPORT_EVENT
        assert last.details["codes"] == [i.code for i in imported]
        check = verify_chain()
        assert check.problem is None and check.count > 2 * 2 * len(rows)


def test_an_import_refused_by_the_workflow_names_the_row(app, client, office, units):
    """立项 first: a row of a source that needs it cannot be assigned (as the form refuses)."""
    with app.app_context():
        policy.update(actor=None, approval_sources=[Source.MEETING],
                      confirm_instructions=False, adjust_needs_approval=False)
        db.session.commit()
        due = local_today() + timedelta(days=5)
    rows = [{"标题": "会议议定事项", "事项内容": "交办。", "来源": "会议议定",
             "承办单位": "城关派出所", "办理时限": due, "第一责任人": "张所长",
             "直接责任人": "李副所长"}]
    login(client, office)
    resp = client.post("/items/import", data={"file": (BytesIO(_file(rows)), "台账.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 422
    assert "<td>行 2</td>" in resp.get_data(as_text=True)
    assert "立项" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(SupervisionItem.id)) is None
