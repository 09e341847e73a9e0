"""Each submission does its work once: a double click, a form sent again with the back button,
or an API call repeated with the same Idempotency-Key.

Every page form carries a one-time key (`form_guard()` puts it beside the CSRF token). The
request's transaction claims the key by inserting it before the handler runs; a second request
with the same key finds it taken — on PostgreSQL it waits until the first one commits or rolls
back — and is answered with where the first one led (pages) or a 409 (API), doing nothing.
A submission that failed rolled back its claim, so the user can correct it and send again.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from flask import flash, g, redirect, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import Index, String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from webapp.database import SAFE_METHODS, UTCDateTime, utcnow
from webapp.errors import InvalidInput, StateConflict
from webapp.extensions import db

FIELD = "_once"
HEADER = "Idempotency-Key"
KEEP = timedelta(days=2)
_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


class SubmissionKey(db.Model):
    """A claimed one-time key: who sent it, when, and the page the first submission led to."""

    __tablename__ = "submission_key"
    __table_args__ = (Index("ix_submission_key_user_created", "user_id", "created_at"),)

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    user_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    location: Mapped[str | None] = mapped_column(String(500))


def form_guard() -> Markup:
    """The hidden fields every page form carries: the CSRF token and a fresh one-time key."""
    return Markup(
        '<input type="hidden" name="csrf_token" value="{}">'
        '<input type="hidden" name="{}" value="{}">'
    ).format(generate_csrf(), FIELD, secrets.token_urlsafe(16))


def _sent_key() -> str | None:
    if request.method in SAFE_METHODS:
        return None
    if request.path.startswith("/api/"):
        raw = request.headers.get(HEADER)
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raw = request.form.get(FIELD)
    else:
        raw = None
    if raw is None:
        return None
    if not _KEY.fullmatch(raw):
        raise InvalidInput("表单已失效，请刷新页面后重新提交", code="bad_once_key", field=FIELD)
    return raw


def claim():
    """Claim this request's one-time key; the answer for a repeat, or None to go on."""
    raw = _sent_key()
    if raw is None:
        return None
    user_id = current_user.id if current_user.is_authenticated else None
    key = f"{user_id or 0}:{raw}"
    try:
        with db.session.begin_nested():
            db.session.add(SubmissionKey(key=key, user_id=user_id))
    except IntegrityError:
        return _repeat(db.session.get(SubmissionKey, key))
    db.session.execute(delete(SubmissionKey).where(SubmissionKey.user_id == user_id,
                                                   SubmissionKey.created_at < utcnow() - KEEP))
    g.once_key = key
    return None


def _repeat(first: SubmissionKey | None):
    if request.path.startswith("/api/"):
        raise StateConflict(f"该请求已处理过（{HEADER} 重复），未再次执行",
                            code="duplicate_request")
    if first is not None and first.location:
        flash("该操作已经提交过，未重复执行", "success")
        return redirect(first.location, 303)
    raise StateConflict("该表单已经提交过，未重复执行；如需再次操作，请刷新页面",
                        code="duplicate_request")


def remember(response) -> None:
    """Keep where a successful submission led, for its repeats (in the same transaction)."""
    key = g.pop("once_key", None)
    if key is not None and response.location:
        row = db.session.get(SubmissionKey, key)
        if row is not None:
            row.location = response.location[:500]
