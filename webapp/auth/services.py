"""Accounts and authentication: login with per-account throttling, API tokens, sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from datetime import datetime

from flask import current_app
from sqlalchemy import inspect, select
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from webapp.audit import services as audit
from webapp.auth import throttle
from webapp.auth.models import ApiToken, AttemptPurpose, Role, User
from webapp.auth.passwords import check_policy, dummy_hash, hash_password, verify_password
from webapp.database import utcnow
from webapp.errors import InvalidInput
from webapp.extensions import db
from webapp.org.models import Unit

_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
Throttled = throttle.Throttled


def create_user(
    *,
    username: str,
    name: str,
    role: Role,
    password: str,
    unit: Unit | None = None,
    phone: str | None = None,
    actor: User | None = None,
    skip_policy: bool = False,
) -> User:
    """Create an account; a liaison must belong to a unit."""
    username = username.strip()
    if not username or len(username) > 64:
        raise InvalidInput("用户名不能为空，且不超过 64 个字符", field="username")
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise InvalidInput("用户名已存在", field="username")
    if role == Role.LIAISON and unit is None:
        raise InvalidInput("联络员必须属于一个单位", field="unit")
    if not skip_policy:
        check_policy(password)
    user = User(
        username=username, name=name.strip() or username, role=role, unit=unit, phone=phone,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", object_type="user", object_id=user.id, actor=actor,
                 details={"username": username, "role": str(role)})
    return user


def login_name(raw: object) -> str:
    """The account name as typed, made storable (no NUL, no lone surrogate) and at most 64
    characters: such a name matches no account, but the attempt is still recorded."""
    name = raw.strip() if isinstance(raw, str) else ""
    return _UNSTORABLE.sub("\ufffd", name)[:64]


def authenticate(username: object, password: object, *,
                 purpose: AttemptPurpose = AttemptPurpose.LOGIN,
                 device: str | None = None) -> User:
    """Check a sign-in; every attempt is recorded (auth/throttle.py); raises on failure.

    Throttled attempts are refused (Throttled, 429) before the password is evaluated.
    """
    admission = throttle.admit(login_name(username), purpose=purpose, device=device)
    ok = verify_password(admission.password_hash or dummy_hash(),
                         password if isinstance(password, str) else "")
    ok = ok and admission.active
    user = db.session.get(User, admission.user_id) if ok else None
    throttle.settle(admission, ok=ok, actor=user)
    if not ok:
        raise InvalidInput("用户名或密码错误", code="bad_credentials")
    return user


def change_password(user: User, *, old_password: str, new_password: str,
                    device: str | None = None) -> None:
    """Change one's own password; the old one is checked and throttled like a sign-in."""
    check_policy(new_password)
    admission = throttle.admit(user.username, purpose=AttemptPurpose.PASSWORD, device=device,
                               actor=user)
    ok = verify_password(admission.password_hash or dummy_hash(), old_password)
    throttle.settle(admission, ok=ok, actor=user)
    if not ok:
        raise InvalidInput("原密码不正确", field="old_password")
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    audit.record("user.password_change", object_type="user", object_id=user.id, actor=user)


def set_active(user: User, active: bool, *, actor: User) -> None:
    user.active = active
    end_all_sessions(user)
    audit.record("user.enable" if active else "user.disable", object_type="user",
                 object_id=user.id, actor=actor)


def end_all_sessions(user: User) -> None:
    """Invalidate every session and API token of this user."""
    _TOKEN_USERS.clear()
    user.session_version += 1
    now = utcnow()
    for token in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> tuple[str, ApiToken]:
    """A new Bearer token; the caller shows it once, only its hash is stored."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        token_hash=_token_hash(token),
        expires_at=utcnow() + current_app.config["API_TOKEN_LIFETIME"],
    )
    db.session.add(row)
    audit.record("auth.token_issue", object_type="user", object_id=user.id, actor=user)
    return token, row


# token hash -> (remembered until, the user's column values, the token's expiry). A worker
# answers a busy API client without a database lookup for API_TOKEN_CACHE_SECONDS (default 5):
# a token revoked or an account disabled in another worker stops working within that time;
# in this worker at once (the cache is cleared).
_TOKEN_USERS: dict[str, tuple[float, dict, datetime]] = {}
_MAX_CACHED_TOKENS = 10_000


def user_for_token(token: str) -> User | None:
    """The active user of a valid (unrevoked, unexpired) token: one indexed query, or none
    while this worker remembers the token (see _TOKEN_USERS)."""
    key, now = _token_hash(token), time.monotonic()
    hit = _TOKEN_USERS.get(key)
    if hit is not None and hit[0] > now and hit[2] > utcnow():
        known = db.session.identity_map.get(identity_key(User, hit[1]["id"]))
        return known if known is not None else _attach(hit[1])
    row = db.session.execute(
        select(User, ApiToken.expires_at).join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == key, ApiToken.revoked_at.is_(None),
               ApiToken.expires_at > utcnow(), User.active.is_(True))).first()
    if row is None:
        _TOKEN_USERS.pop(key, None)
        return None
    seconds = current_app.config.get("API_TOKEN_CACHE_SECONDS", 5)
    if seconds > 0:
        if len(_TOKEN_USERS) >= _MAX_CACHED_TOKENS:
            _TOKEN_USERS.clear()
        values = {a.key: getattr(row.User, a.key) for a in inspect(User).column_attrs}
        _TOKEN_USERS[key] = (now + seconds, values, row.expires_at)
    return row.User


def _attach(values: dict) -> User:
    """A User for this request's session from remembered column values, without a query."""
    user = User(**values)
    make_transient_to_detached(user)
    db.session.add(user)
    return user


def revoke_token(token: str) -> None:
    key = _token_hash(token)
    _TOKEN_USERS.pop(key, None)
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == key))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
