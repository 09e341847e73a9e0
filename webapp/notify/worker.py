"""The delivery worker: takes due outward messages, sends them, and records the outcome.

Taking is one short transaction: the due rows are selected — on PostgreSQL `FOR UPDATE SKIP
LOCKED`, so workers on several machines never take the same row — and marked `sending` with a
lease. Sending happens outside any transaction; the outcome is written in a second one. A
failed attempt waits NOTIFY_RETRY_BASE × 2^(attempt−1) seconds (at most NOTIFY_RETRY_MAX),
half of it random (jitter: retries of many messages do not arrive together), and after
NOTIFY_MAX_ATTEMPTS the message is a dead letter, kept for the admin to resend. A worker that
dies mid-batch leaves rows `sending`: another takes them when the lease ends.
"""

from __future__ import annotations

import logging
import random
import signal
import threading
from collections import defaultdict
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import selectinload

from webapp.database import utcnow
from webapp.extensions import db
from webapp.notify import channels
from webapp.notify.models import Channel, DeliveryState, Notification
from webapp.people.models import Person

log = logging.getLogger(__name__)

CHANNEL = "duban_notify"  # PostgreSQL LISTEN/NOTIFY channel
WAKE = threading.Event()  # set after a commit that wrote messages (same process)
LEASE = timedelta(minutes=5)  # far longer than a batch's timeouts


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: exponential, capped, with jitter."""
    cfg = current_app.config
    full = min(float(cfg["NOTIFY_RETRY_MAX"]),
               float(cfg["NOTIFY_RETRY_BASE"]) * 2 ** (attempts - 1))
    return timedelta(seconds=full / 2 + random.uniform(0, full / 2))  # noqa: S311 (jitter)


def claim(now: datetime, limit: int) -> list[int]:
    """Take up to `limit` due messages (committed: other workers skip them)."""
    due = or_(and_(Notification.state == DeliveryState.PENDING,
                   Notification.next_attempt_at <= now),
              and_(Notification.state == DeliveryState.SENDING,
                   Notification.lease_until < now))
    stmt = (select(Notification.id).where(due, Notification.channel != Channel.INAPP)
            .order_by(Notification.next_attempt_at, Notification.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(stmt))
    if ids:
        db.session.execute(update(Notification).where(Notification.id.in_(ids))
                           .values(state=DeliveryState.SENDING, lease_until=now + LEASE))
    db.session.commit()
    return ids


def _send(jobs: list[dict]) -> dict[int, str | None]:
    """Send each message (plain data: no database access while sending);
    {id: None when delivered, else why not}."""
    out: dict[int, str | None] = {}
    by_channel: dict[str, list[dict]] = defaultdict(list)
    for job in jobs:
        by_channel[job["channel"]].append(job)
    timeout = float(current_app.config["NOTIFY_HTTP_TIMEOUT"])
    for channel, group in by_channel.items():
        if channel == Channel.EMAIL:
            if not current_app.config.get("NOTIFY_SMTP_HOST"):
                out.update({j["id"]: "未配置邮件服务器" for j in group})
            else:
                out.update(channels.send_mail(group))
            continue
        url, secret = channels.http_settings(Channel(channel))
        if not url:
            out.update({j["id"]: "未配置发送地址" for j in group})
            continue
        sender = channels.HttpSender(url, secret, timeout)
        try:
            for job in group:
                try:
                    sender.post(job)
                    out[job["id"]] = None
                except channels.DeliveryFailed as err:
                    out[job["id"]] = str(err)
        finally:
            sender.close()
    return out


def deliver_due(now: datetime | None = None, limit: int | None = None) -> int:
    """One round: take due messages, send them, record the outcomes. Returns how many were
    taken. `now` is for tests and `tick` (retries fall due as time passes)."""
    now = now or utcnow()
    ids = claim(now, limit or int(current_app.config["NOTIFY_BATCH"]))
    if not ids:
        return 0
    rows = db.session.scalars(
        select(Notification).where(Notification.id.in_(ids))
        .options(selectinload(Notification.person).selectinload(Person.user)))
    jobs = [channels.payload(row) for row in rows]
    db.session.commit()  # no transaction (nor SQLite lock) held while sending
    outcome = _send(jobs)
    done = utcnow()
    max_attempts = int(current_app.config["NOTIFY_MAX_ATTEMPTS"])
    for row in db.session.scalars(select(Notification).where(Notification.id.in_(ids))):
        error = outcome.get(row.id, "未发送")
        row.attempts += 1
        row.lease_until = None
        if error is None:
            row.state, row.sent_at, row.last_error = DeliveryState.SENT, done, None
        elif row.attempts >= max_attempts:
            row.state, row.last_error = DeliveryState.DEAD, error
            log.warning("notification %s is a dead letter after %s attempts: %s", row.id,
                        row.attempts, error)
        else:
            row.state, row.last_error = DeliveryState.PENDING, error
            row.next_attempt_at = now + backoff(row.attempts)
    db.session.commit()
    return len(ids)


def _daily(ticked):
    """Once a day (at start and when the local date changes): the day's reminders and
    escalation (`tick`), so nothing has to be put in cron. Idempotent across workers."""
    from webapp.database import local_today
    from webapp.escalation.services import tick

    today = local_today()
    if ticked == today:
        return ticked
    try:
        report = tick(today)
        db.session.commit()
        log.info("tick %s: %s", today, report.summary())
        for problem in report.problems:
            log.warning("tick %s: %s", today, problem)
        for year in report.missing_years:
            log.warning("the holidays of %s are missing: counting Monday to Friday", year)
    except Exception:
        log.exception("tick failed")
        db.session.rollback()
        return ticked
    return today


def _listener():
    """A PostgreSQL connection LISTENing for wake-ups, or None on SQLite."""
    if db.engine.dialect.name != "postgresql":
        return None
    import psycopg

    dsn = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = psycopg.connect(dsn, autocommit=True)
    conn.execute(f"LISTEN {CHANNEL}")
    return conn


def run(*, once: bool = False, stop: threading.Event | None = None) -> int:
    """Deliver until stopped (SIGTERM/SIGINT, or `stop`); `once`: until nothing is due.
    Returns how many messages were taken."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    poll = float(current_app.config["NOTIFY_POLL_SECONDS"])
    listener = None if once else _listener()
    total, ticked = 0, None
    try:
        while not stop.is_set():
            if not once:
                ticked = _daily(ticked)
            try:
                n = deliver_due()
            except Exception:  # a database hiccup must not end the worker: log, wait, retry
                log.exception("notification round failed")
                db.session.rollback()
                n = 0
            total += n
            if n:
                continue
            if once:
                break
            WAKE.clear()
            if listener is not None:
                for _ in listener.notifies(timeout=poll, stop_after=1):
                    pass
            else:
                WAKE.wait(poll)
    finally:
        if listener is not None:
            listener.close()
        db.session.remove()
    return total
