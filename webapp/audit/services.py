"""Writing and verifying the audit chain: each event carries an HMAC over itself and its
predecessor's hash, with a key kept outside the database."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask import current_app, has_request_context, request
from sqlalchemy import insert, select, text

from webapp.audit.models import AuditEvent
from webapp.database import utcnow
from webapp.extensions import db

if TYPE_CHECKING:
    from webapp.audit.anchors import Anchor

GENESIS = "0" * 64

# Functions called with (event, actor) after each event is written, in the same transaction:
# other domains react to what happened (a user created → their person record; an item
# assigned → notifications) without the recording domain knowing them. Listeners registered
# with many=True are called once per batch with (events, actor): a thousand events written
# at once (an import, a daily round) are then handled with a few queries, not a few each.
_LISTENERS: list = []
_BATCH_LISTENERS: list = []


def chain_head() -> tuple:
    """(id, hash) of the newest event, or (): every change to the records writes an event in
    the same transaction, so caches of derived figures can key on it (exact invalidation)."""
    return tuple(db.session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first() or ())


def listen(fn, *, many: bool = False) -> None:
    """Call `fn(event, actor)` after every recorded event (once, however often registered);
    `many`: call `fn(events, actor)` once with each batch's events, in their order."""
    listeners = _BATCH_LISTENERS if many else _LISTENERS
    if fn not in listeners:
        listeners.append(fn)


def _key() -> bytes:
    key = current_app.config.get("AUDIT_HMAC_KEY")
    if not key:
        raise RuntimeError("AUDIT_HMAC_KEY is not configured")
    return key.encode()


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "role": event.role,
        "unit_id": event.unit_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "details": event.details,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(event: AuditEvent) -> str:
    return hmac.new(_key(), _canonical(event), hashlib.sha256).hexdigest()


def _serialize_appends() -> None:
    """Only one transaction appends at a time (SQLite: BEGIN IMMEDIATE already holds the lock)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(7710)"))


def record(
    action: str,
    *,
    object_type: str,
    object_id: str | int,
    actor=None,
    details: dict | None = None,
) -> AuditEvent:
    """Append one audit event in the caller's transaction."""
    return record_many([(action, object_type, object_id, details)], actor=actor)[0]


def record_many(
    entries: Sequence[tuple[str, str, str | int, dict | None]], *, actor=None
) -> list[AuditEvent]:
    """Append events (action, object_type, object_id, details) in this order, in the caller's
    transaction: one lock and one read of the chain's head for all of them (a daily round
    writes a thousand at once), each event chained to the one before it, then the listeners
    called for each, in order (batch listeners once with all of them)."""
    if not entries:
        return []
    _serialize_appends()
    head = db.session.execute(select(AuditEvent.id, AuditEvent.hash)
                              .order_by(AuditEvent.id.desc()).limit(1)).first()
    prev = head.hash if head else GENESIS
    now = utcnow()
    ip = request.remote_addr if has_request_context() else None
    events = []
    for action, object_type, object_id, details in entries:
        # Details are stored as canonical JSON values so the hash is stable after a round trip.
        clean = json.loads(json.dumps(details or {}, default=str, ensure_ascii=False))
        event = AuditEvent(
            at=now,
            actor_id=getattr(actor, "id", None),
            actor_name=getattr(actor, "username", None),
            role=str(actor.role) if actor is not None else None,
            unit_id=getattr(actor, "unit_id", None),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            details=clean,
            ip=ip,
            prev_hash=prev,
        )
        event.hash = prev = compute_hash(event)
        events.append(event)
    columns = [c.key for c in AuditEvent.__table__.columns if c.key != "id"]
    db.session.execute(insert(AuditEvent), [{c: getattr(e, c) for c in columns}
                                            for e in events])
    # The chain is walked in id order: read the ids back (appends are serialised, so the
    # rows after the old head are these) and check they follow the chain's order.
    stored = db.session.execute(select(AuditEvent.id, AuditEvent.hash).where(
        AuditEvent.id > (head.id if head else 0)).order_by(AuditEvent.id)).all()
    if [h for _, h in stored] != [e.hash for e in events]:
        raise RuntimeError("audit events were numbered out of their chain's order")
    for event, (event_id, _) in zip(events, stored, strict=True):
        event.id = event_id
    for event in events:
        for fn in _LISTENERS:
            fn(event, actor)
    for fn in _BATCH_LISTENERS:
        fn(events, actor)
    return events


@dataclass
class ChainProblem:
    event_id: int
    reason: str


@dataclass
class ChainCheck:
    """What a walk of the chain found: events checked, the last good one, the first problem."""

    count: int = 0
    head_id: int | None = None
    head_hash: str | None = None
    problem: ChainProblem | None = None


def _events(batch: int = 1000) -> Iterator[AuditEvent]:
    """All events in order, read in keyset batches (no server-side cursor left open)."""
    last_id = 0
    while True:
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
        db.session.expunge_all()


def verify_chain(anchors: Mapping[int, Anchor] | None = None) -> ChainCheck:
    """Walk the chain up to its first problem.

    `anchors` maps a count of events to an anchor kept outside the database: the event at that
    position must still be the anchored one (same id and hash), or the chain was rewritten.
    """
    anchors = anchors or {}
    check = ChainCheck()
    prev = GENESIS
    for event in _events():
        check.count += 1
        if event.prev_hash != prev:
            check.problem = ChainProblem(event.id,
                                         "链接断开：前一事件的哈希不符（事件被删除或插入）")
        elif not hmac.compare_digest(compute_hash(event), event.hash):
            check.problem = ChainProblem(event.id, "内容被修改：哈希不符")
        elif (anchor := anchors.get(check.count)) and \
                (anchor.head_id, anchor.hash) != (event.id, event.hash):
            check.problem = ChainProblem(
                event.id, f"与外部锚点不符：{anchor.describe()}，现为第 {check.count} 条事件 "
                          f"#{event.id}，哈希 {event.hash}（审计链被改写）")
        if check.problem:
            return check
        prev = check.head_hash = event.hash
        check.head_id = event.id
    return check


def latest_hash() -> tuple[int, str, datetime] | None:
    """The newest event's id, hash and time: an anchor to print or file outside the system."""
    row = db.session.execute(
        select(AuditEvent.id, AuditEvent.hash, AuditEvent.at).order_by(AuditEvent.id.desc())
    ).first()
    return tuple(row) if row else None


def events_for(object_type: str, object_id: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
            .order_by(AuditEvent.id)
        )
    )
