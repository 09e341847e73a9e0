"""Users, roles, login attempts and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.database import UTCDateTime, enum_column, utcnow
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.org.models import Unit


class Role(Labelled):
    ADMIN = "admin", "系统管理员"
    OFFICE = "office", "督办员"  # 办公室督办员
    LEADER = "leader", "局领导"
    INSPECTOR = "inspector", "督查员"
    LIAISON = "liaison", "联络员"  # 单位联络员


# The bureau's own staff: they see every unit's items, inspections and figures.
STAFF_ROLES = frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER})


class User(db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    phone: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout-everywhere, password change and disabling: old sessions stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()

    # Flask-Login protocol.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return str(self.id)


    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class AttemptOutcome(enum.StrEnum):
    PENDING = "pending"  # admitted, password being checked: counts as a failure until known
    SUCCESS = "success"
    FAILURE = "failure"
    THROTTLED = "throttled"  # refused before the password was checked


class AttemptPurpose(enum.StrEnum):
    LOGIN = "login"  # the login page
    TOKEN = "token"  # noqa: S105 (a purpose, not a secret): POST /api/v1/auth/token
    PASSWORD = "password"  # noqa: S105 (likewise): the old password checked on /password


class LoginAttempt(db.Model):
    """Every sign-in attempt and old-password check: the record, and the throttle's memory.

    `device` is the id of the signed device cookie the attempt was trusted by (a browser that
    signed in to this account before); None for attempts from unknown devices.
    """

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[AttemptOutcome] = mapped_column(enum_column(AttemptOutcome, "attempt_outcome"))
    purpose: Mapped[AttemptPurpose] = mapped_column(enum_column(AttemptPurpose, "attempt_purpose"))
    device: Mapped[str | None] = mapped_column(String(32))


class ApiToken(db.Model):
    """A Bearer token for API clients; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
