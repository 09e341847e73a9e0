"""Which events need whom: one table. Each event names its recipients (roles around the item
or inspection) and its text; `on_audit_events` turns what other domains record into events,
in the same transaction (the outbox)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from webapp.auth.models import Role, User
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.people.models import Person
from webapp.supervision.models import ItemUnitChange, SupervisionItem
from webapp.supervision.workflow import confirming_user_id


@dataclass(frozen=True)
class Event:
    label: str
    recipients: tuple[str, ...]  # keys of RECIPIENTS below
    text: str  # str.format with the facts of `facts()`


EVENTS: dict[str, Event] = {
    "assigned": Event("新交办", ("lead_liaisons", "first", "direct", "assisting_liaisons"),
                      "督办事项{code}《{title}》已交办{unit}，办理时限{due}，请及时签收办理。"),
    "reminded": Event("催办", ("lead_liaisons", "direct"),
                      "督办事项{code}《{title}》被催办{note}，办理时限{due}，请抓紧办理并反馈。"),
    "returned": Event("退回重办", ("lead_liaisons",),
                      "督办事项{code}《{title}》的办结反馈被退回重办：{note}"),
    "request_decided": Event("申请已处理", ("lead_liaisons",),
                             "督办事项{code}《{title}》的{note}。"),
    "due_soon": Event("即将到期", ("lead_liaisons", "direct"),
                      "督办事项{code}《{title}》将于{due}到期，请按时办结并反馈。"),
    "overdue": Event("逾期催办", ("lead_liaisons", "direct", "first"),
                     "督办事项{code}《{title}》已超过办理时限{due}{note}，请立即办理并反馈。"),
    "escalated": Event("逾期升级", ("leader", "office"),
                       "督办事项{code}《{title}》（{unit}）已逾期{note}，请分管领导督促。"),
    "document_issued": Event("公文送达", ("lead_liaisons",),
                             "{note}已印发，涉及督办事项{code}《{title}》，请查收。"),
    "inspection_published": Event("检查结果", ("target_liaisons", "inspector"),
                                  "{unit}的{note}结果已发布，请查看。"),
    "assisting_input": Event("协办意见", ("lead_liaisons", "office"),
                             "督办事项{code}《{title}》收到{note}的协办意见。"),
    "signoff_requested": Event("待签发", ("signer",),
                               "{note}《{title}》已核稿，请您审阅后签发或退回。"),
    "draft_signed": Event("已签发", ("office",), "《{title}》{note}。"),
    "draft_returned": Event("稿件退回", ("office",), "《{title}》被领导退回：{note}"),
    "cadence_due": Event("进展报送提醒", ("lead_liaisons", "direct"),
                         "督办事项{code}《{title}》请于{note}前报送阶段进展。"),
    "cadence_missed": Event("进展未报", ("lead_liaisons", "direct"),
                            "督办事项{code}《{title}》未按期报送阶段进展（应于{note}前报送），"
                            "请立即报送。"),
    "approval_requested": Event("待立项审批", ("leaders",),
                                "督办事项{code}《{title}》待您立项审批。"),
    "approval_decided": Event("立项审批", ("office",), "督办事项{code}《{title}》{note}。"),
    "confirm_requested": Event("待复核", ("confirming_leader",),
                               "督办事项{code}《{title}》已审核通过，待您复核办结。"),
    "confirm_decided": Event("复核结果", ("office",), "督办事项{code}《{title}》{note}。"),
    "adjust_requested": Event("调整待审批", ("leaders",),
                              "督办事项{code}《{title}》的调整待您审批：{note}"),
    "adjusted": Event("事项调整", ("lead_liaisons", "direct", "assisting_liaisons"),
                      "督办事项{code}《{title}》已调整{note}，请按调整后的内容办理。"),
    "moved": Event("事项调整", ("lead_liaisons", "first", "direct", "moved_from"),
                   "督办事项{code}《{title}》已调整{note}，现由{unit}承办，办理时限{due}，"
                   "请新承办单位及时签收。"),
    "milestone_due": Event("节点提醒", ("lead_liaisons", "direct"),
                           "督办事项{code}《{title}》：{note}，请按时完成并报告。"),
}


def _people_of_users(*where) -> list[Person]:
    return list(db.session.scalars(
        select(Person).join(User, User.id == Person.user_id)
        .where(User.active.is_(True), *where).order_by(Person.id)))


# Recipients are resolved for many subjects at once (a daily round notifies a thousand
# items): each resolver takes the subjects and gives, for each, its people — a few queries
# in all, not a few per subject.

def _liaisons(unit_ids_of) -> Callable:
    def resolve(subjects) -> list[list[Person]]:
        wanted = [unit_ids_of(s) for s in subjects]
        every = {u for ids in wanted for u in ids if u}
        by_unit: dict[int, list[Person]] = defaultdict(list)
        if every:
            rows = db.session.execute(
                select(User.unit_id, Person).join(Person, Person.user_id == User.id)
                .where(User.active.is_(True), User.role == Role.LIAISON,
                       User.unit_id.in_(every)).order_by(Person.id))
            for unit_id, person in rows:
                by_unit[unit_id].append(person)
        return [[p for u in ids if u for p in by_unit[u]] for ids in wanted]
    return resolve


def _assisting_unit_ids(subjects) -> dict[int, list[int]]:
    from webapp.supervision.models import item_assisting_unit as link

    ids = {s.item.id for s in subjects if s.item is not None}
    out: dict[int, list[int]] = defaultdict(list)
    if ids:
        for item_id, unit_id in db.session.execute(
                select(link.c.item_id, link.c.unit_id).where(link.c.item_id.in_(ids))):
            out[item_id].append(unit_id)
    return out


def _assisting_liaisons(subjects) -> list[list[Person]]:
    units = _assisting_unit_ids(subjects)
    return _liaisons(lambda s: units.get(s.item.id, []) if s.item else [])(subjects)


def _named(column: str) -> Callable:
    """The person an item names in one role (分管领导, 第一责任人, 直接责任人), when active."""
    def resolve(subjects) -> list[list[Person]]:
        wanted = [getattr(s.item, column, None) if s.item is not None else None
                  for s in subjects]
        ids = {i for i in wanted if i}
        found = {p.id: p for p in db.session.scalars(
            select(Person).where(Person.id.in_(ids), Person.active.is_(True)))} if ids else {}
        return [[found[i]] if i in found else [] for i in wanted]
    return resolve


def _everyone(*where) -> Callable:
    def resolve(subjects) -> list[list[Person]]:
        people = _people_of_users(*where)
        return [people for _ in subjects]
    return resolve


def _inspector(subjects) -> list[list[Person]]:
    return [_people_of_users(User.id == s.inspection.inspector_id) if s.inspection else []
            for s in subjects]


def _leaders() -> list[Person]:
    return _people_of_users(User.role == Role.LEADER)


def _confirming_leader(subjects) -> list[list[Person]]:
    """The 批示 leader who confirms an item's 办结 (every leader when none is linked)."""
    out = []
    for s in subjects:
        item = db.session.get(SupervisionItem, s.item.id) if s.item is not None else None
        user_id = confirming_user_id(item) if item is not None else None
        out.append(_people_of_users(User.id == user_id) if user_id else _leaders())
    return out


def _unit_left(subject) -> list[int | None]:
    """The unit an item just left (its latest lead-unit change)."""
    if subject.item is None:
        return []
    return [db.session.scalar(select(ItemUnitChange.from_unit_id).where(
        ItemUnitChange.item_id == subject.item.id).order_by(ItemUnitChange.id.desc()).limit(1))]


RECIPIENTS: dict[str, Callable] = {
    "lead_liaisons": _liaisons(lambda s: [s.item.lead_unit_id] if s.item else []),
    "assisting_liaisons": _assisting_liaisons,
    "first": _named("first_responsible_id"),
    "direct": _named("direct_responsible_id"),
    "leader": _named("supervising_leader_id"),
    "office": _everyone(User.role == Role.OFFICE),
    "leaders": _everyone(User.role == Role.LEADER),
    "confirming_leader": _confirming_leader,
    "moved_from": _liaisons(_unit_left),
    "target_liaisons": _liaisons(lambda s: [s.inspection.target_unit_id]
                                 if s.inspection else []),
    "inspector": _inspector,
    "signer": lambda subjects: [_people_of_users(User.id == s.draft.signer_id) if s.draft
                                else [] for s in subjects],
}


# --- what other domains record, as events ---------------------------------------------------

_ITEM_ACTIONS = {
    "assign": ("assigned", None),
    "hand_back_approved": ("assigned", None),  # to the new lead unit
    "remind": ("reminded", None),
    "return": ("returned", "reason"),
    "extension_approved": ("request_decided", "延期申请已同意，办理时限延至{due_date}"),
    "extension_refused": ("request_decided", "延期申请未获同意：{note}"),
    "hand_back_refused": ("request_decided", "退回申请未获同意：{note}"),
    "assisting_input": ("assisting_input", "unit"),
    "submit_approval": ("approval_requested", None),
    "approval_granted": ("approval_decided", "已同意立项，可以交办"),
    "approval_returned": ("approval_decided", "的立项被退回：{note}"),
    "confirmed": ("confirm_decided", "已经领导复核同意，事项办结"),
    "confirmation_returned": ("confirm_decided", "领导复核未同意：{note}"),
    "adjust_requested": ("adjust_requested", "reason"),
}


def _item_event(event) -> tuple[str, str] | None:
    """The notification an item's audit event calls for beyond the plain table above: 立项
    asked at registration, 复核 asked at acceptance, and 调整 (a move tells both units)."""
    d = event.details or {}
    if event.action == "register" and d.get("approval_required"):
        return "approval_requested", ""
    if event.action in ("accept", "close") and d.get("awaiting_confirmation"):
        return "confirm_requested", ""
    if event.action in ("adjust", "adjustment_approved"):
        fields = "、".join(d.get("changes") or {})
        return ("moved" if d.get("to_unit") else "adjusted"), f"（{fields}）"
    return None


def _item_notification(event) -> tuple[str, str] | None:
    """(notification, note) an item's audit event calls for, or None."""
    if (special := _item_event(event)) is not None:
        return special
    if not _ITEM_ACTIONS.get(event.action):
        return None
    if event.action == "remind" and event.details.get("automatic"):
        return None  # escalation sends its own due_soon / overdue messages
    name, note = _ITEM_ACTIONS[event.action]
    if note and "{" in note:
        note = note.format(**{k: event.details.get(k) or "" for k in ("due_date", "note")})
    elif note:
        note = event.details.get(note)
    elif event.action == "remind" and event.details.get("note"):
        note = f"（{event.details['note']}）"
    return name, note or ""


def on_audit_events(events, actor) -> None:
    """Write the notifications audit events call for (same transaction). The items' facts are
    read once for all the events, and each kind of notification written with one send_many:
    an import of a thousand rows, a thousand 交办 messages, a few queries."""
    from webapp.notify import services

    wanted: dict[str, list[tuple[str, str]]] = defaultdict(list)  # name: [(code, note)]
    for event in events:
        if event.object_type == "item":
            if (found := _item_notification(event)) is not None:
                wanted[found[0]].append((event.object_id, found[1]))
        else:
            _other_event(event)
    if not wanted:
        return
    codes = {code for pairs in wanted.values() for code, _ in pairs}
    facts = {f.code: f for f in (services.ItemFacts.from_row(r) for r in db.session.execute(
        services.ItemFacts.select().where(SupervisionItem.code.in_(codes))))}
    for name, pairs in wanted.items():
        services.send_many(name, [(services.Subject(facts.get(code)), note)
                                  for code, note in pairs])


def _other_event(event) -> None:
    if event.object_type == "document" and event.action == "document_issue":
        _document_issued(event.object_id)
    elif event.object_type == "document_draft" and event.action in _DRAFT_ACTIONS:
        _draft_event(event)
    elif event.object_type == "inspection" and event.action == "inspection_publish":
        from webapp.inspections.models import Inspection
        from webapp.notify import services

        inspection = db.session.scalar(select(Inspection).where(
            Inspection.uuid == event.object_id))
        if inspection is not None:
            services.send("inspection_published", inspection=inspection,
                          note=inspection.mode.label)


_DRAFT_ACTIONS = {"draft_check": "signoff_requested", "draft_sign": "draft_signed",
                  "draft_return": "draft_returned"}


def _draft_event(event) -> None:
    """签发 (webapp/documents/signoff.py): the leader asked to sign is told; the office is told
    when it is signed or returned."""
    from webapp.documents import kinds
    from webapp.documents.models import DocumentDraft
    from webapp.notify import services

    draft = db.session.get(DocumentDraft, int(event.object_id))
    if draft is None:
        return
    d = event.details or {}
    note = {"draft_check": kinds.get(draft.kind).label,
            "draft_sign": f"已由{d.get('signer', '')}签发，文号{d.get('doc_number', '')}",
            "draft_return": d.get("comment", "")}[event.action]
    services.send(_DRAFT_ACTIONS[event.action], draft=draft, note=note)


def _document_issued(doc_number: str) -> None:
    from webapp.documents import kinds
    from webapp.notify import services

    doc = db.session.scalar(select(Document).where(Document.doc_number == doc_number))
    if doc is not None and kinds.get(doc.kind).to_unit and doc.item is not None:
        services.send("document_issued", item=doc.item,
                      note=f"{doc.kind.label}（{doc.doc_number}）")
