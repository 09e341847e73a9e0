"""The to-do of a user: counts per kind (the same queries as the lists), entries, unread."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, g
from flask_login import current_user
from sqlalchemy import func, select

from webapp.audit import services as audit
from webapp.auth.models import Role, User
from webapp.calendar.services import missing_years
from webapp.database import local_today
from webapp.extensions import db
from webapp.notify.models import Channel, Notification
from webapp.people.services import person_for_user
from webapp.todo.kinds import KINDS, Kind

MAX_ENTRIES = 50


@dataclass(frozen=True)
class Entry:
    kind: str
    kind_label: str
    ref: str
    title: str | None
    since: datetime | date | None
    note: str | None
    href: str
    unread: bool


def kinds_for(actor: User) -> list[Kind]:
    return [k for k in KINDS.values() if actor.role in k.roles]


_cache: dict[tuple, dict[str, int]] = {}
_cache_lock = threading.Lock()
CACHE_SIZE = 1024
UNCACHED = frozenset({"dead_letters"})  # the worker changes these without an audit event


def _count(kind: Kind, actor: User) -> int:
    return db.session.scalar(select(func.count()).select_from(
        kind.query(actor).subquery())) or 0


def counts(actor: User) -> dict[str, int]:
    """{kind: how many} — each the count of the kind's own list. Kept per process until the
    data changes (every change to items, requests, feedback, documents and inspections writes
    an audit event, so the audit chain's head moves) or the day does (the lists' windows are
    whole days): the menu costs one indexed query on most pages."""
    kinds = kinds_for(actor)
    if not current_app.config.get("STATS_CACHE", True):  # tests change rows without events
        return {k.key: _count(k, actor) for k in kinds}
    key = (str(db.engine.url), actor.id, actor.role, actor.unit_id, local_today(),
           audit.chain_head())
    with _cache_lock:
        hit = _cache.get(key)
    if hit is None:
        hit = {k.key: _count(k, actor) for k in kinds if k.key not in UNCACHED}
        with _cache_lock:
            if len(_cache) >= CACHE_SIZE:
                _cache.pop(next(iter(_cache)))
            _cache[key] = hit
    return {k.key: hit[k.key] if k.key in hit else _count(k, actor) for k in kinds}


def entries(actor: User, kind: str | None = None, limit: int = MAX_ENTRIES) -> list[Entry]:
    """The entries of every kind (or one), newest first within a kind."""
    chosen = [k for k in kinds_for(actor) if kind is None or k.key == kind]
    person = person_for_user(actor)
    rows: list[Entry] = []
    for k in chosen:
        q = k.query(actor).subquery()
        for ref, title, since, note, href in db.session.execute(
                select(q).order_by(q.c.since.desc()).limit(limit)):
            rows.append(Entry(k.key, k.label, ref, title, since, note, href, False))
    unread = _unread_subjects(person, {e.ref for e in rows}) if person else set()
    return [Entry(**{**e.__dict__, "unread": e.ref in unread}) for e in rows]


def _unread_subjects(person, refs: set[str]) -> set[str]:
    if not refs:
        return set()
    return set(db.session.scalars(select(Notification.subject).distinct().where(
        Notification.person_id == person.id, Notification.channel == Channel.INAPP,
        Notification.read_at.is_(None), Notification.subject.in_(refs))))


def warnings(actor: User) -> list[str]:
    """Not entries but things the admin must do: next year's calendar missing."""
    if actor.role != Role.ADMIN:
        return []
    return [f"{y} 年的法定节假日和调休安排尚未录入，期限暂按周一至周五计算"
            for y in missing_years(local_today())]


def menu_total() -> int:
    """The menu's number: every to-do entry of the signed-in user (once per request)."""
    if not current_user.is_authenticated:
        return 0
    if "todo_total" not in g:
        g.todo_total = sum(counts(current_user._get_current_object()).values())
    return g.todo_total
