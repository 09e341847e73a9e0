"""Writing notifications (the outbox) and reading one's own: `send` writes, for each person an
event needs, an in-app message (accounts) and the outward ones their preferences and the
bureau's channels allow — in the caller's transaction; the worker delivers after commit.

Rules, stated once here:
- quiet hours (NOTIFY_QUIET_HOURS): an SMS or push written then waits until they end, unless
  the item is 特急;
- one SMS per person per item per day, unless the item is 特急 (later events that day reach
  the person in-app and by e-mail);
- outward channels need the bureau's gateway configured, the person's address, and the
  person's preference (no preference row: every channel).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, insert, select, update

from webapp import transaction
from webapp.audit import services as audit
from webapp.auth.models import Role, User
from webapp.database import local_today, local_zone, utcnow
from webapp.errors import InvalidInput, NotAllowed, NotFound, StateConflict
from webapp.extensions import db
from webapp.notify.events import EVENTS, RECIPIENTS
from webapp.notify.models import Channel, DeliveryState, Notification, Preference
from webapp.people.models import Person
from webapp.people.services import person_for_user
from webapp.supervision.models import Urgency

PUSHES = (Channel.SMS, Channel.WEBHOOK)  # reach a phone: quiet hours apply


@dataclass(frozen=True)
class ItemFacts:
    """What a message says about an item and whom it reaches, as plain values: a service
    passes its item (`of`), a daily round selects a thousand at once (`select`)."""

    id: int
    code: str
    title: str
    due_date: date | None
    urgency: str
    lead_unit_id: int | None
    unit_name: str | None
    first_responsible_id: int | None
    direct_responsible_id: int | None
    supervising_leader_id: int | None

    @classmethod
    def of(cls, item) -> ItemFacts:
        return cls(item.id, item.code, item.title, item.due_date, item.urgency,
                   item.lead_unit_id, item.lead_unit.name if item.lead_unit else None,
                   item.first_responsible_id, item.direct_responsible_id,
                   item.supervising_leader_id)

    @classmethod
    def select(cls, *extra) -> Select:
        """These columns (then `extra`) of items: `from_row` reads the first ones."""
        from webapp.org.models import Unit
        from webapp.supervision.models import SupervisionItem as I

        return select(I.id, I.code, I.title, I.due_date, I.urgency, I.lead_unit_id, Unit.name,
                      I.first_responsible_id, I.direct_responsible_id,
                      I.supervising_leader_id, *extra).outerjoin(Unit,
                                                                 Unit.id == I.lead_unit_id)

    @classmethod
    def from_row(cls, row) -> ItemFacts:
        return cls(*row[:len(fields(cls))])


@dataclass(frozen=True)
class Subject:
    item: ItemFacts | None = None
    inspection: Any = None  # Inspection
    draft: Any = None  # DocumentDraft (签发)


def _facts(subject: Subject, note: str) -> dict[str, str]:
    item, insp = subject.item, subject.inspection
    if subject.draft is not None:
        return {"code": subject.draft.ref, "title": subject.draft.title, "unit": "", "due": "",
                "note": note}
    if item is not None:
        return {"code": item.code, "title": item.title, "unit": item.unit_name or "",
                "due": item.due_date.isoformat() if item.due_date else "—", "note": note}
    return {"code": "", "title": "", "due": "",
            "unit": insp.target_unit.name if insp is not None else "", "note": note}


def _href(subject: Subject) -> str | None:
    if subject.draft is not None:
        return f"/documents/drafts/{subject.draft.id}"
    if subject.item is not None:
        return f"/items/{subject.item.code}"
    if subject.inspection is not None:
        return f"/inspections/{subject.inspection.uuid}"
    return None


def _is_urgent(subject: Subject) -> bool:
    return subject.item is not None and subject.item.urgency == Urgency.VERY_URGENT


def quiet_until(now: datetime) -> datetime | None:
    """The end of the quiet hours `now` falls in (UTC), or None outside them."""
    spec = (current_app.config.get("NOTIFY_QUIET_HOURS") or "").strip()
    if not spec:
        return None
    start_s, _, end_s = spec.partition("-")
    start, end = time.fromisoformat(start_s.strip()), time.fromisoformat(end_s.strip())
    local = now.astimezone(local_zone())
    t = local.time()
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, local_zone()).astimezone(now.tzinfo)


def outward_channels(person: Person, pref: Preference | None) -> list[Channel]:
    """The channels that can reach `person` outside Duban now (`pref`: their preference row,
    None when they have none)."""
    cfg = current_app.config
    wanted = {Channel.SMS: pref.sms if pref else True,
              Channel.EMAIL: pref.email if pref else True,
              Channel.WEBHOOK: pref.webhook if pref else True}
    have = {Channel.SMS: bool(cfg.get("NOTIFY_SMS_URL") and person.mobile),
            Channel.EMAIL: bool(cfg.get("NOTIFY_SMTP_HOST") and person.email),
            Channel.WEBHOOK: bool(cfg.get("NOTIFY_WEBHOOK_URL")
                                  and (person.mobile or person.user_id))}
    return [c for c in (Channel.SMS, Channel.WEBHOOK, Channel.EMAIL) if wanted[c] and have[c]]


def _sms_sent(person_ids, item_ids, day) -> set[tuple[int, int]]:
    """(person, item) pairs that had an SMS written on `day`."""
    if not person_ids or not item_ids:
        return set()
    return {(p, i) for p, i in db.session.execute(
        select(Notification.person_id, Notification.item_id).where(
            Notification.person_id.in_(person_ids), Notification.item_id.in_(item_ids),
            Notification.channel == Channel.SMS, Notification.day == day))}


def send(name: str, *, item=None, inspection=None, draft=None, note: str = "",
         recipients: tuple[str, ...] | None = None, href: str | None = None) -> int:
    """Write the notifications of event `name` about `item`, `inspection` or a document's
    `draft` (see the table in notify/events.py) for its recipients, or for `recipients` when
    given. Returns how many."""
    facts = ItemFacts.of(item) if item is not None else None
    return send_many(name, [(Subject(facts, inspection, draft), note)], recipients=recipients,
                     href=href)


def send_many(name: str, subjects: Sequence[tuple[Subject, str]], *,
              recipients: tuple[str, ...] | None = None, href: str | None = None) -> int:
    """`send` for many subjects at once, each with its note: the recipients, preferences and
    the day's SMS are read once for all, and the rows written in one INSERT."""
    if not subjects:
        return 0
    event = EVENTS[name]
    chosen: list[dict[int, Person]] = [{} for _ in subjects]
    for key in recipients or event.recipients:
        for found, people in zip(RECIPIENTS[key]([s for s, _ in subjects]), chosen,
                                 strict=True):
            for person in found:
                people.setdefault(person.id, person)
    everyone = {pid for people in chosen for pid in people}
    prefs = {p.person_id: p for p in db.session.scalars(
        select(Preference).where(Preference.person_id.in_(everyone)))} if everyone else {}
    now, day = utcnow(), local_today()
    quiet = quiet_until(now)
    sms_today = _sms_sent(everyone, {s.item.id for s, _ in subjects if s.item}, day)
    rows = []
    for (subject, note), people in zip(subjects, chosen, strict=True):
        facts = _facts(subject, note)
        body = event.text.format(**facts)
        title = f"【{event.label}】{facts['code']} {facts['title']}".strip()[:200]
        urgent = _is_urgent(subject)
        item_id = subject.item.id if subject.item is not None else None
        common = {"event": name, "item_id": item_id, "title": title, "body": body,
                  "href": href or _href(subject), "urgent": urgent, "day": day,
                  "created_at": now, "subject": facts["code"] or (
                      subject.inspection.uuid if subject.inspection else None)}
        for person in people.values():
            if person.user_id is not None:
                rows.append({**common, "person_id": person.id, "channel": Channel.INAPP,
                             "state": DeliveryState.SENT, "sent_at": now,
                             "next_attempt_at": None})
            for channel in outward_channels(person, prefs.get(person.id)):
                if channel == Channel.SMS and not urgent and item_id:
                    if (person.id, item_id) in sms_today:
                        continue
                    sms_today.add((person.id, item_id))
                at = quiet if quiet is not None and not urgent and channel in PUSHES else now
                rows.append({**common, "person_id": person.id, "channel": channel,
                             "state": DeliveryState.PENDING, "sent_at": None,
                             "next_attempt_at": at})
    if rows:
        db.session.execute(insert(Notification), rows)
    if any(r["channel"] != Channel.INAPP for r in rows):
        transaction.after_commit(wake)
    return len(rows)


def wake() -> None:
    """Tell the workers there is something to send (PostgreSQL: NOTIFY; every worker also
    looks by itself every NOTIFY_POLL_SECONDS)."""
    from webapp.notify import worker

    worker.WAKE.set()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_notify(worker.CHANNEL, "")))


# --- reading one's own ----------------------------------------------------------------------


def _me(actor: User) -> Person:
    person = person_for_user(actor)
    if person is None:
        raise NotFound("该账号没有对应的人员记录")
    return person


def inbox(actor: User, *, unread_only: bool = False, limit: int = 50) -> list[Notification]:
    """The actor's in-app messages, newest first."""
    stmt = select(Notification).where(Notification.person_id == _me(actor).id,
                                      Notification.channel == Channel.INAPP)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return list(db.session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)))


def unread_count(actor: User) -> int:
    person = person_for_user(actor)
    if person is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.person_id == person.id, Notification.channel == Channel.INAPP,
        Notification.read_at.is_(None))) or 0


def mark_read(actor: User, notification_id: int) -> Notification:
    """Mark one of the actor's in-app messages read (repeating it changes nothing)."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.channel != Channel.INAPP or row.person_id != _me(actor).id:
        raise NotFound("找不到该消息")
    if row.read_at is None:
        row.read_at = utcnow()
    return row


def mark_subject_read(actor: User, subject: str) -> int:
    """Mark the actor's unread in-app messages about one item (or inspection) read."""
    person = person_for_user(actor)
    if person is None:
        return 0
    return db.session.execute(update(Notification).where(
        Notification.person_id == person.id, Notification.channel == Channel.INAPP,
        Notification.subject == subject, Notification.read_at.is_(None)
    ).values(read_at=utcnow())).rowcount


def preference(person: Person) -> Preference:
    return db.session.get(Preference, person.id) or Preference(person_id=person.id, sms=True,
                                                                 email=True, webhook=True)


def set_preference(actor: User, person: Person, *, sms: bool, email: bool, webhook: bool
                   ) -> Preference:
    """A person's outward channels: their own, or anyone's for the office and admin."""
    if person.user_id != actor.id and actor.role not in (Role.OFFICE, Role.ADMIN):
        raise NotAllowed("只能修改自己的通知设置")
    pref = db.session.get(Preference, person.id)
    if pref is None:
        pref = Preference(person_id=person.id)
        db.session.add(pref)
    pref.sms, pref.email, pref.webhook = sms, email, webhook
    db.session.flush()
    audit.record("notify.preference", object_type="person", object_id=person.id, actor=actor,
                 details={"sms": sms, "email": email, "webhook": webhook})
    return pref


# --- dead letters ---------------------------------------------------------------------------


def dead_letters(limit: int = 200) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.state == DeliveryState.DEAD)
        .order_by(Notification.id.desc()).limit(limit)))


def resend(actor: User, notification_id: int) -> Notification:
    """The admin sends a dead letter again: a fresh series of attempts, starting now."""
    if actor.role != Role.ADMIN:
        raise NotAllowed("只有系统管理员可以重新发送")
    row = db.session.get(Notification, notification_id)
    if row is None or row.channel == Channel.INAPP:
        raise NotFound("找不到该消息")
    transaction.lock_row(row)
    if row.state != DeliveryState.DEAD:
        raise StateConflict("只有发送失败的消息可以重新发送", code="not_dead")
    row.state, row.attempts, row.next_attempt_at = DeliveryState.PENDING, 0, utcnow()
    row.lease_until = None
    audit.record("notify.resend", object_type="notification", object_id=row.id, actor=actor,
                 details={"channel": str(row.channel), "last_error": row.last_error})
    transaction.after_commit(wake)
    return row


def check_id(value: object) -> int:
    if not isinstance(value, int) or value < 1:
        raise InvalidInput("消息编号无效", field="id")
    return value
