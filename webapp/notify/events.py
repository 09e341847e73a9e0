"""Which events need whom: one table. Each event names its recipients (roles around the item
or inspection) and its text; `on_audit_event` turns what other domains record into events,
in the same transaction (the outbox)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from webapp.auth.models import Role, User
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.people.models import Person


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
}


def _people_of_users(*where) -> list[Person]:
    return list(db.session.scalars(
        select(Person).join(User, User.id == Person.user_id)
        .where(User.active.is_(True), *where).order_by(Person.id)))


def _liaisons(unit_ids) -> list[Person]:
    unit_ids = [u for u in unit_ids if u]
    if not unit_ids:
        return []
    return _people_of_users(User.role == Role.LIAISON, User.unit_id.in_(unit_ids))


def _person(person_id) -> list[Person]:
    person = db.session.get(Person, person_id) if person_id else None
    return [person] if person is not None and person.active else []


RECIPIENTS = {
    "lead_liaisons": lambda s: _liaisons([getattr(s.item, "lead_unit_id", None)]),
    "assisting_liaisons": lambda s: _liaisons([u.id for u in s.item.assisting_units]
                                              if s.item else []),
    "first": lambda s: _person(getattr(s.item, "first_responsible_id", None)),
    "direct": lambda s: _person(getattr(s.item, "direct_responsible_id", None)),
    "leader": lambda s: _person(getattr(s.item, "supervising_leader_id", None)),
    "office": lambda s: _people_of_users(User.role == Role.OFFICE),
    "target_liaisons": lambda s: _liaisons([s.inspection.target_unit_id]
                                           if s.inspection else []),
    "inspector": lambda s: _people_of_users(User.id == s.inspection.inspector_id)
    if s.inspection else [],
    "signer": lambda s: _people_of_users(User.id == s.draft.signer_id) if s.draft else [],
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
}


def on_audit_event(event, actor) -> None:
    """Write the notifications an audit event calls for (same transaction)."""
    from webapp.notify import services

    if event.object_type == "item" and event.action in _ITEM_ACTIONS:
        if event.action == "remind" and event.details.get("automatic"):
            return  # escalation sends its own due_soon / overdue messages
        from webapp.supervision.services import item_by_code

        name, note = _ITEM_ACTIONS[event.action]
        item = item_by_code(event.object_id)
        if note and "{" in note:
            note = note.format(**{k: event.details.get(k) or "" for k in ("due_date", "note")})
        elif note:
            note = event.details.get(note)
        elif event.action == "remind" and event.details.get("note"):
            note = f"（{event.details['note']}）"
        services.send(name, item=item, note=note or "")
    elif event.object_type == "document" and event.action == "document_issue":
        _document_issued(event.object_id)
    elif event.object_type == "document_draft" and event.action in _DRAFT_ACTIONS:
        _draft_event(event)
    elif event.object_type == "inspection" and event.action == "inspection_publish":
        from webapp.inspections.models import Inspection

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
