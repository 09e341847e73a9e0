"""Sign-in throttling: nobody guesses fast, and a guesser cannot lock the real user out.

The scheme is OWASP's "device cookies" (Slow Down Online Guessing Attacks with Device Cookies)
with limits per account and per source address, all kept in the login_attempt table:

- A browser that signed in to an account before carries a signed device cookie for it. Its
  attempts on that account are *trusted*: they are limited per device (LOGIN_DEVICE_MAX_FAILURES
  an hour; beyond that the device counts as unknown) and ignore the account's and the source's
  limits, so a guesser elsewhere cannot lock the real user out of the browser they use.
- Attempts from unknown devices are limited per account and per source address: the first
  LOGIN_FREE_FAILURES (LOGIN_SOURCE_FREE_FAILURES per source) failures in an hour are free,
  then each further guess waits 2, 4, 8 … seconds after the previous failure, at most
  LOGIN_MAX_DELAY; and no more than LOGIN_MAX_FAILURES_PER_HOUR failures an hour per account.

Every attempt is recorded, refused ones too. Deciding is atomic: the decision runs under one
lock (PostgreSQL advisory lock; SQLite's BEGIN IMMEDIATE) and an admitted attempt is written as
*pending* — counted as a failure — and committed before the password is checked, so parallel
guesses see each other and never more are evaluated than the limits allow.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import func, select, text

from webapp.audit import services as audit
from webapp.auth.models import AttemptOutcome, AttemptPurpose, LoginAttempt, User
from webapp.database import utcnow
from webapp.errors import NotAllowed
from webapp.extensions import db

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=1)
COUNTED = (AttemptOutcome.FAILURE, AttemptOutcome.PENDING)
_LOCK_KEY = 7711  # pg_advisory_xact_lock key of sign-in decisions (the audit chain uses 7710)


class Throttled(NotAllowed):
    code = "throttled"
    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Admission:
    """An admitted attempt: the pending row, and what the password check needs."""

    attempt_id: int
    user_id: int | None
    password_hash: str | None
    active: bool


def admit(username: str, *, purpose: AttemptPurpose, device: str | None,
          actor: User | None = None) -> Admission:
    """Decide whether this attempt may be evaluated, record it, and COMMIT.

    This commit is deliberate (the one place sign-in opts out of one commit per request): the
    pending row must be visible to parallel attempts before the slow password check, and a
    refusal must stay on record although the answer is 429. Raises Throttled when refused.
    """
    _lock()
    now = utcnow()
    user = db.session.scalar(select(User).where(User.username == username))
    trusted = device if device and _device_may_try(username, device, now) else None
    wait = 0 if trusted else _wait_for(username, _ip(), now)
    attempt = LoginAttempt(username=username, user_id=user.id if user else None, at=now,
                           ip=_ip(), purpose=purpose, device=trusted,
                           outcome=AttemptOutcome.THROTTLED if wait else AttemptOutcome.PENDING)
    db.session.add(attempt)
    if wait:
        audit.record(audit_action(purpose, AttemptOutcome.THROTTLED), object_type="user",
                     object_id=user.id if user else username, actor=actor,
                     details={"via": str(purpose), "retry_after": wait})
        log.warning("%s throttled for %r from %s (retry after %s s)", purpose, username, _ip(),
                    wait)
    db.session.flush()
    admission = Admission(attempt.id, user.id if user else None,
                          user.password_hash if user else None, bool(user and user.active))
    db.session.commit()
    if wait:
        raise Throttled(_message(purpose, wait), retry_after=wait)
    return admission


def settle(admission: Admission, *, ok: bool, actor: User | None) -> None:
    """Record the outcome of an admitted attempt (flushes; the caller commits, on 4xx too)."""
    attempt = db.session.get(LoginAttempt, admission.attempt_id)
    attempt.outcome = AttemptOutcome.SUCCESS if ok else AttemptOutcome.FAILURE
    audit.record(audit_action(attempt.purpose, attempt.outcome), object_type="user",
                 object_id=attempt.user_id or attempt.username, actor=actor,
                 details={"via": str(attempt.purpose), "known_device": attempt.device is not None})
    if not ok:
        log.warning("%s failed for %r from %s", attempt.purpose, attempt.username, attempt.ip)
    db.session.flush()


def audit_action(purpose: AttemptPurpose, outcome: AttemptOutcome) -> str:
    """auth.login[_failed|_throttled] for sign-ins (page and token), auth.password_check… for
    the old password on /password."""
    base = "auth.password_check" if purpose == AttemptPurpose.PASSWORD else "auth.login"
    return base + {AttemptOutcome.SUCCESS: "", AttemptOutcome.FAILURE: "_failed",
                   AttemptOutcome.THROTTLED: "_throttled"}[outcome]


def _message(purpose: AttemptPurpose, wait: int) -> str:
    what = "原密码验证" if purpose == AttemptPurpose.PASSWORD else "登录"
    if wait >= 120:
        return f"{what}失败次数过多，请 {-(-wait // 60)} 分钟后再试"
    return f"{what}失败次数过多，请 {wait} 秒后再试"


def _lock() -> None:
    """One sign-in decision at a time (SQLite: the write transaction already holds the lock)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def _ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def _failures(*conditions, now: datetime) -> tuple[int, datetime | None, datetime | None]:
    """(count, oldest, newest) of counted failures in the last hour matching `conditions`."""
    row = db.session.execute(
        select(func.count(), func.min(LoginAttempt.at), func.max(LoginAttempt.at)).where(
            *conditions, LoginAttempt.outcome.in_(COUNTED), LoginAttempt.at > now - WINDOW)
    ).one()
    return row[0], row[1], row[2]


def _device_may_try(username: str, device: str, now: datetime) -> bool:
    count, _, _ = _failures(LoginAttempt.username == username, LoginAttempt.device == device,
                            now=now)
    return count < current_app.config["LOGIN_DEVICE_MAX_FAILURES"]


def _wait_for(username: str, ip: str | None, now: datetime) -> int:
    """Seconds an attempt from an unknown device must still wait (0: evaluate it now)."""
    cfg = current_app.config
    unknown = LoginAttempt.device.is_(None)
    count, oldest, newest = _failures(LoginAttempt.username == username, unknown, now=now)
    waits = [_delay_left(count, newest, cfg["LOGIN_FREE_FAILURES"], now)]
    if count >= cfg["LOGIN_MAX_FAILURES_PER_HOUR"]:
        waits.append(_seconds(oldest + WINDOW - now))
    if ip:
        count, _, newest = _failures(LoginAttempt.ip == ip, unknown, now=now)
        waits.append(_delay_left(count, newest, cfg["LOGIN_SOURCE_FREE_FAILURES"], now))
    return max(waits)


def _delay_left(failures: int, last: datetime | None, free: int, now: datetime) -> int:
    """After `free` failures, each guess waits 2, 4, 8 … s after the last, up to the maximum."""
    if failures < free or last is None:
        return 0
    delay = min(2 ** min(failures - free + 1, 30), current_app.config["LOGIN_MAX_DELAY"])
    return _seconds(last + timedelta(seconds=delay) - now)


def _seconds(span: timedelta) -> int:
    return max(0, math.ceil(span.total_seconds()))  # rounded up: never "retry after 0"
