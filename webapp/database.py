"""Column types and engine set-up shared by every domain (UTC times, enums, SQLite pragmas)."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request
from sqlalchemy import DateTime, Engine, Enum, event
from sqlalchemy.types import TypeDecorator

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_zone() -> ZoneInfo:
    """The bureau's time zone (setting TIMEZONE, Asia/Shanghai by default)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_today() -> date:
    """Today in the bureau's time zone: deadlines, document years and statistics use it."""
    return datetime.now(local_zone()).date()


def local_time(moment: datetime) -> datetime:
    """A stored (UTC) time in the bureau's time zone, for display and documents."""
    return moment.astimezone(local_zone())


def local_days_utc(start: date, end: date) -> tuple[datetime, datetime]:
    """The local days [start, end] as a half-open UTC interval, for queries on UTC columns."""
    zone = local_zone()
    lo = datetime.combine(start, time(), zone).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time(), zone).astimezone(UTC)
    return lo, hi


def local_iso(moment: datetime | None) -> str | None:
    """ISO 8601 in the bureau's time zone (+08:00), or None: for the API and the phone."""
    return local_time(moment).isoformat() if moment is not None else None


def local_minute(moment: datetime | None, empty: str = "—") -> str:
    """A stored (UTC) time as the bureau's local time to the minute, for pages."""
    return local_time(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else empty


def local_date(moment: datetime) -> date:
    return local_time(moment).date()


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A StrEnum stored by value, with a CHECK constraint listing the values."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def upgrade_schema() -> None:
    """Bring the database to the newest schema through the migrations (never create_all)."""
    from flask_migrate import upgrade  # the migration machinery, only when migrating

    upgrade(revision="head")


def _write_intent() -> bool:
    """Whether the current unit of work may write: yes outside requests and for unsafe methods."""
    if has_request_context():
        return request.method not in SAFE_METHODS
    return True


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, busy timeout, and BEGIN IMMEDIATE for transactions that may write.

    pysqlite's own transaction handling is switched off so that we emit BEGIN ourselves: a
    deferred BEGIN that later writes fails at once with "database is locked" when two writers
    race, while BEGIN IMMEDIATE waits for the lock (busy_timeout).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent() else "BEGIN")
