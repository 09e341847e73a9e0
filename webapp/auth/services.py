"""Accounts and authentication: login with per-account throttling, API tokens, sessions."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import func, select

from webapp.audit import services as audit
from webapp.auth.models import ApiToken, LoginAttempt, Role, User
from webapp.auth.passwords import check_policy, hash_password, verify_password
from webapp.database import utcnow
from webapp.errors import InvalidInput, NotAllowed
from webapp.extensions import db
from webapp.org.models import Unit

log = logging.getLogger(__name__)

# Compared against when the account does not exist, so timing does not reveal usernames.
_DUMMY_HASH = "scrypt:32768:8:1$abcdefghijklmnop$" + "0" * 128


class Throttled(NotAllowed):
    code = "throttled"
    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


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


def _ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def _recent_failures(username: str) -> tuple[int, int]:
    """(failures in the last hour, attempts in the last hour) for one account name."""
    since = utcnow() - timedelta(hours=1)
    row = db.session.execute(
        select(
            func.count().filter(LoginAttempt.success.is_(False)),
            func.count(),
        ).where(LoginAttempt.username == username, LoginAttempt.at >= since)
    ).one()
    return row[0], row[1]


def _required_delay(failures: int) -> int:
    """Seconds an account must wait after its last failure: 0, then 2, 4, 8 … up to 15 min."""
    free = current_app.config["LOGIN_FREE_FAILURES"]
    if failures < free:
        return 0
    return min(2 ** (failures - free + 1), 900)


def _check_throttle(username: str) -> None:
    failures, attempts = _recent_failures(username)
    if attempts >= current_app.config["LOGIN_MAX_ATTEMPTS_PER_HOUR"]:
        raise Throttled("该账号尝试登录次数过多，请一小时后再试", retry_after=3600)
    delay = _required_delay(failures)
    if delay:
        last_failure = db.session.scalar(
            select(func.max(LoginAttempt.at)).where(
                LoginAttempt.username == username, LoginAttempt.success.is_(False)
            )
        )
        wait = int(delay - (utcnow() - last_failure).total_seconds()) if last_failure else 0
        if wait > 0:
            raise Throttled(f"登录失败次数过多，请 {wait} 秒后再试", retry_after=wait)


def authenticate(username: str, password: str) -> User:
    """Check a username and password; every evaluated attempt is logged; raises on failure.

    Throttled attempts are refused before the password is evaluated (and are not counted as
    evaluated), so at most LOGIN_MAX_ATTEMPTS_PER_HOUR guesses are checked per account.
    """
    username = (username or "").strip()[:64]
    _check_throttle(username)
    user = db.session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password or "")
    ok = ok and user is not None and user.active
    db.session.add(
        LoginAttempt(username=username, user_id=user.id if user else None, ip=_ip(), success=ok)
    )
    audit.record("auth.login" if ok else "auth.login_failed", object_type="user",
                 object_id=user.id if user else username, actor=user if ok else None)
    if not ok:
        log.warning("login failed for %r from %s", username, _ip())
        raise InvalidInput("用户名或密码错误", code="bad_credentials")
    return user


def change_password(user: User, *, old_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, old_password):
        raise InvalidInput("原密码不正确", field="old_password")
    check_policy(new_password)
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


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row.user if row.user.active else None


def revoke_token(token: str) -> None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
