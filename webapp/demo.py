"""Demo data: a county bureau's units, accounts and ~26 supervision items in every state.

The items are driven through the real services, step by step, with a named actor for each
step, so every step has its audit event and the timelines read as in life. To give them a
past (items closed last month, overdue items), the steps run on a demo-only clock: see
`_demo_clock`. Inspections come from webapp.inspections.demo when that module exists.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO

from webapp.audit import services as audit_services
from webapp.auth import services as auth
from webapp.auth.models import Role, User
from webapp.database import local_today, local_zone
from webapp.escalation.services import tick
from webapp.extensions import db
from webapp.media.files import ingest_file
from webapp.org.models import Unit, UnitKind
from webapp.people.services import create_person
from webapp.scores.demo import load_demo_scores
from webapp.supervision.demo_items import ITEMS, Step
from webapp.supervision.models import Source

UNITS = [
    ("CGJ-PCS1", "城关派出所", UnitKind.POLICE_STATION),
    ("DJ-PCS2", "东郊派出所", UnitKind.POLICE_STATION),
    ("JJDD", "交警大队", UnitKind.TRAFFIC),
    ("HZ", "户政服务窗口", UnitKind.WINDOW),
    ("CGS", "车辆管理所", UnitKind.WINDOW),
    ("CRJ", "出入境管理窗口", UnitKind.WINDOW),
    ("XZDD", "刑事侦查大队", UnitKind.CRIMINAL),
    ("ZAGL", "治安管理大队", UnitKind.DEPARTMENT),
    ("ZHZX", "指挥中心", UnitKind.DEPARTMENT),
]

USERS = [
    ("admin", "系统管理员", Role.ADMIN, None),
    ("office", "王督办", Role.OFFICE, None),
    ("leader", "李局长", Role.LEADER, None),
    ("inspector", "赵督查", Role.INSPECTOR, None),
    ("liaison1", "陈联络", Role.LIAISON, "CGJ-PCS1"),
    ("liaison2", "刘联络", Role.LIAISON, "JJDD"),
    ("liaison3", "孙联络", Role.LIAISON, "DJ-PCS2"),
    ("liaison4", "周联络", Role.LIAISON, "HZ"),
    ("liaison5", "吴联络", Role.LIAISON, "CGS"),
    ("liaison6", "郑联络", Role.LIAISON, "CRJ"),
    ("liaison7", "冯联络", Role.LIAISON, "XZDD"),
    ("liaison8", "何联络", Role.LIAISON, "ZAGL"),
    ("liaison9", "钱联络", Role.LIAISON, "ZHZX"),
]


def load_units() -> dict[str, Unit]:
    units = {}
    for code, name, kind in UNITS:
        unit = Unit(code=code, name=name, kind=kind)
        db.session.add(unit)
        units[code] = unit
    db.session.flush()
    return units


def load_demo(*, password: str) -> None:
    """Units, accounts (all with `password`), items in every state, and inspections."""
    from webapp.supervision import policy

    units = load_units()
    users = {}
    for username, name, role, unit_code in USERS:
        users[username] = auth.create_user(
            username=username, name=name, role=role, password=password,
            unit=units.get(unit_code) if unit_code else None, skip_policy=True)
    db.session.flush()
    # the bureau's rules: items from 上级交办 need 李局长's 立项, and the leader who wrote a
    # 批示 confirms its 办结 (复核)
    policy.update(actor=users["admin"], approval_sources=[Source.SUPERIOR],
                  confirm_instructions=True, adjust_needs_approval=False)
    load_demo_items(units, users)
    _load_inspections(units, users)
    _load_people(units, users)
    _load_recurrence(units, users)
    load_demo_scores(units, users)
    _load_accountability(units, users)
    # today's reminders and escalation, as the worker would run them: every account's to-do
    # starts populated (催办 received, 催办通知 to draft, items for the 通报)

    tick(local_today())


def _load_people(units: dict[str, Unit], users: dict[str, User]) -> None:
    """Heads of two units without accounts, reachable by SMS when a gateway is configured."""
    for code, name, post, mobile in (("CGJ-PCS1", "张伟", "所长", "13800000001"),
                                     ("JJDD", "赵刚", "大队长", "13800000002")):
        create_person(actor=users["admin"], unit=units[code], name=name, post=post,
                      mobile=mobile)


def _load_accountability(units: dict[str, Unit], users: dict[str, User]) -> None:
    """问责: the office links the typed names 所长 张伟 and 大队长 刘军 to their person records,
    then 李局长 gives 张伟 3 points (记分) and 刘军 a 通报批评 and 2 points; a 约谈 of 张伟 made
    in error is 撤销 with its reason."""
    from datetime import timedelta

    from sqlalchemy import select

    from webapp.accountability import services as accountability
    from webapp.people.models import Person
    from webapp.supervision.item_people import link_legacy
    from webapp.supervision.models import ItemRole, SupervisionItem

    office, leader, today = users["office"], users["leader"], local_today()
    zhang = db.session.scalar(select(Person).where(Person.name == "张伟"))
    liu = create_person(actor=office, unit=units["JJDD"], name="刘军", post="大队长",
                        mobile="13800000003")
    for person, typed in ((zhang, "所长 张伟"), (liu, "大队长 刘军")):
        link_legacy(actor=office, role=ItemRole.FIRST_RESPONSIBLE, name=typed,
                    unit_id=person.unit_id, person=person)

    def codes(person: Person) -> list[str]:
        return list(db.session.scalars(
            select(SupervisionItem.code).where(SupervisionItem.first_responsible_id == person.id)
            .order_by(SupervisionItem.due_date)))

    zhang_items, liu_items = codes(zhang), codes(liu)
    accountability.create_record(
        actor=office, person_id=zhang, kind="points", points=3, decided_by_id=leader.id,
        decided_on=today - timedelta(days=3), items=zhang_items[:1],
        facts="该事项逾期未办结，经两次催办仍未按期反馈，按督办工作记分办法记 3 分。")
    wrong = accountability.create_record(
        actor=office, person_id=zhang, kind="interview", decided_on=today - timedelta(days=2),
        items=zhang_items[-1:], facts="约谈提醒：落实整改责任，按期报送办理情况。")
    accountability.revoke_record(wrong, actor=office, reason="误选事项：该事项尚在办理时限内。")
    accountability.create_record(
        actor=leader, person_id=liu, kind="criticism", decided_on=today - timedelta(days=5),
        items=liu_items[:2], facts="两项督办事项办理迟缓，群众反映强烈，予以通报批评。")
    accountability.create_record(
        actor=leader, person_id=liu, kind="points", points=2, decided_on=today - timedelta(days=1),
        items=liu_items[:1], facts="反馈材料不实，经核查退回，记 2 分。")


def _load_recurrence(units: dict[str, Unit], users: dict[str, User]) -> None:
    """One recurring item: the station's monthly report, due by the month's last day (this
    month's item is made at once; the worker's tick makes the next on the 1st)."""
    from webapp.recurring.models import Frequency
    from webapp.recurring.services import create_recurrence
    from webapp.supervision.models import Source

    create_recurrence(
        actor=users["office"], title="报送月度社区警务工作情况",
        content="每月底前报送本月社区警务工作情况：走访、矛盾纠纷排查化解、重点人员管控。",
        requirements="附走访台账；未完成事项写明原因和下步措施。", source=Source.SUPERIOR,
        frequency=Frequency.MONTHLY, due_day=31, start_on=local_today(),
        lead_unit=units["CGJ-PCS1"], supervising_leader="李局长", first_responsible="张伟",
        direct_responsible="陈联络", cadence_days=7)


def _load_inspections(units: dict[str, Unit], users: dict[str, User]) -> None:
    try:
        demo = importlib.import_module("webapp.inspections.demo")
    except ModuleNotFoundError as err:  # that domain's demo data is not written yet
        if err.name != "webapp.inspections.demo":
            raise
        return
    demo.load_demo_checklists()
    demo.load_demo_earlier_visit(units, users)  # the same place again: for the 驾驶舱
    demo.load_demo_inspections(units, users)


# --- items ------------------------------------------------------------------------------------


@contextmanager
def _demo_clock(moment: datetime) -> Iterator[None]:
    """DEMO ONLY: run the real services as if it were `moment` (a past working hour).

    The services stamp times with utcnow() and check dates against local_today(); the audit
    chain stamps events with utcnow(). Replacing these names in those modules for the
    duration of one step gives the demo items a believable past (registered last month,
    overdue now) while every rule, audit event and hash stays the real one. Never used
    outside `seed-demo`.
    """
    from webapp.supervision import (
        adjust,
        approval,
        closing,
        gate,
        milestones,
        services,
        sources,
        split,
    )

    zone = local_zone()
    moment = moment.astimezone(UTC)  # stored times are UTC (the audit hash covers them)
    fake = {"utcnow": lambda: moment, "local_today": lambda: moment.astimezone(zone).date()}
    saved = []
    for module in (services, gate, closing, split, approval, adjust, milestones, sources,
                   audit_services):
        for name, value in fake.items():
            if hasattr(module, name):
                saved.append((module, name, getattr(module, name)))
                setattr(module, name, value)
    try:
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


def _moment(day: date, item_no: int, step_no: int) -> datetime:
    """A working-hour time on `day` (local), later for later steps of the same item."""
    zone = local_zone()
    start = datetime.combine(day, time(8, 30), tzinfo=zone)
    return start + timedelta(minutes=(item_no * 13) % 150 + step_no * 35)


def load_demo_items(units: dict[str, Unit], users: dict[str, User]) -> None:
    """Every step of every demo item, run through the services in time order."""
    today = local_today()
    now = datetime.now(local_zone())
    steps: list[tuple[datetime, int, int, Step]] = []
    for i, spec in enumerate(ITEMS):
        for j, step in enumerate(spec.steps):
            when = min(_moment(today + timedelta(days=step.day), i, j), now)
            steps.append((when, i, j, step))
    steps.sort(key=lambda s: (s[0], s[1], s[2]))
    made: dict[int, object] = {}
    ctx = {"units": units, "users": users, "today": today, "files": _evidence}
    for when, i, _j, step in steps:
        with _demo_clock(when):
            made[i] = step.run(ITEMS[i], made.get(i), ctx)
        db.session.flush()


def _evidence(name: str, line: str):
    """A small real PDF (or PNG) stored through the media domain, as a feedback attachment."""
    data = _png(line) if name.endswith(".png") else _pdf(line)
    return name, ingest_file(BytesIO(data))


def _pdf(line: str) -> bytes:
    """A one-page PDF with one line of ASCII text (valid xref, readable by any viewer)."""
    text = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _png(line: str) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (480, 270), (236, 240, 244))
    ImageDraw.Draw(img).text((24, 120), line, fill=(31, 35, 40))
    buf = BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()
