"""Default settings; secrets and site settings come from instance/config.py or DUBAN_* env."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path


class Defaults:
    # Database: SQLite in instance/ unless DATABASE_URL (or DUBAN_SQLALCHEMY_DATABASE_URI) is set.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}  # noqa: RUF012 (Flask reads it as a plain dict)

    # Files: uploads/ next to the package unless set.
    UPLOAD_ROOT: str | None = None
    UPLOAD_TEMP_MAX_AGE = 3600  # seconds: temp files of uploads untouched this long are removed
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024  # one request; per-file limits are below
    MAX_PHOTO_BYTES = 40 * 1024 * 1024
    MAX_ATTACHMENT_BYTES = 30 * 1024 * 1024
    MAX_IMAGE_PIXELS = 60_000_000

    # Sessions: idle 30 min, absolute 12 h; Secure cookies outside local development.
    # Durations may be given as seconds (DUBAN_SESSION_IDLE_TIMEOUT=1800); see finish().
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)  # also the session cookie's lifetime
    # Re-send the cookie only when the session changes: concurrent requests re-sending it
    # would overwrite one another's changes (the PWA's fresh CSRF token, say).
    SESSION_REFRESH_EACH_REQUEST = False
    API_TOKEN_LIFETIME = timedelta(hours=12)
    # A worker remembers a valid token this many seconds (0: look it up every request); a
    # token revoked in another worker stops working within this time.
    API_TOKEN_CACHE_SECONDS = 5

    # Sign-in throttling, kept in the database (works across workers); README "Security".
    LOGIN_FREE_FAILURES = 3  # per account and hour from unknown devices, before delays start
    LOGIN_MAX_DELAY = 900  # seconds: the longest delay between two guesses
    LOGIN_MAX_FAILURES_PER_HOUR = 100  # per account from unknown devices: a hard stop
    LOGIN_SOURCE_FREE_FAILURES = 20  # per source address and hour (unknown devices), likewise
    LOGIN_DEVICE_MAX_FAILURES = 10  # per device cookie and hour; beyond, the device is unknown
    LOGIN_DEVICE_DAYS = 180  # a device cookie is good this long after the last sign-in
    TRUSTED_PROXIES = 0  # reverse proxies in front whose X-Forwarded-For/-Proto are believed

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_CSRF_HEADERS = ["X-CSRFToken", "X-CSRF-Token"]  # noqa: RUF012

    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (an algorithm name, not a secret)

    # Business settings.
    TIMEZONE = "Asia/Shanghai"
    YELLOW_LIGHT_DAYS = 3  # 黄灯: due within this many days
    ITEMS_PER_PAGE = 20
    STATS_CACHE = True  # keep statistics per process until the audit chain's head moves
    DOCUMENT_RENDER_TIMEOUT = 120  # seconds per format; the first render builds font subsets
    DOCUMENT_MAX_DATA_BYTES = 2 * 1024 * 1024  # a document's data (JSON) beyond this is refused
    ARCHIVE_FONDS = "DB"  # 全宗号 at the start of every archive code (档号)
    # 扫码验真: issued documents carry a QR code of <this>/v/<code>, the bureau's public address
    # of Duban (e.g. https://duban.gaj.example); unset: NOTIFY_BASE_URL, else the address the
    # document was issued through. Kept with each document when it is issued.
    VERIFY_BASE_URL: str | None = None
    DEMO_MODE = False  # the login page lists the demo accounts (make run sets it)

    # Notifications (webapp/notify): in-app always; outward when configured. The SMS gateway
    # and the 警务通/政务钉钉 webhook get a POST of JSON signed with HMAC-SHA256 of the body
    # (README, "Notifications"). Times are in seconds.
    NOTIFY_SMS_URL: str | None = None
    NOTIFY_SMS_SECRET: str | None = None
    NOTIFY_WEBHOOK_URL: str | None = None
    NOTIFY_WEBHOOK_SECRET: str | None = None
    NOTIFY_HTTP_TIMEOUT = 5  # seconds per attempt
    NOTIFY_MAX_ATTEMPTS = 6  # then the message goes to the dead letters
    NOTIFY_RETRY_BASE = 30  # seconds before the 2nd attempt; doubled each time, with jitter
    NOTIFY_RETRY_MAX = 3600  # seconds: the longest wait between attempts
    NOTIFY_SMTP_HOST: str | None = None
    NOTIFY_SMTP_PORT = 25
    NOTIFY_SMTP_USER: str | None = None
    NOTIFY_SMTP_PASSWORD: str | None = None
    NOTIFY_SMTP_STARTTLS = False
    NOTIFY_MAIL_FROM = "duban@localhost"
    NOTIFY_QUIET_HOURS = "22:00-07:00"  # no SMS or push then, unless 特急 (empty: none)
    NOTIFY_BASE_URL: str | None = None  # e.g. https://duban.gaj.example: links in messages
    NOTIFY_POLL_SECONDS = 2  # the worker looks for due messages at least this often
    NOTIFY_BATCH = 100  # messages a worker takes at once

    # Escalation (webapp/escalation): the office's rules are in the database; these are the
    # days the to-do keeps recent results (request decisions, published inspections) shown.
    TODO_RECENT_DAYS = 7

    # Keys. SECRET_KEY signs sessions: generated into instance/config.py on first start.
    # AUDIT_HMAC_KEY keys the audit chain: when not set, it is read from AUDIT_KEY_FILE (created
    # on first start, 0600), which lies outside instance/ so that it is not kept beside the
    # database file or copied with it.
    SECRET_KEY: str | None = None
    AUDIT_HMAC_KEY: str | None = None
    AUDIT_KEY_FILE: str | None = None  # default: keys/audit-hmac.key beside uploads/
    # Anchors of the audit chain's head (count and hash), appended on every audit-verify and
    # once a day, so that deleting the newest events is detected.
    AUDIT_ANCHOR_FILE: str | None = None  # default: anchors/audit-anchors.log beside uploads/
    AUDIT_ANCHOR_INTERVAL = timedelta(days=1)


DURATIONS = ("SESSION_IDLE_TIMEOUT", "SESSION_ABSOLUTE_TIMEOUT", "API_TOKEN_LIFETIME",
             "AUDIT_ANCHOR_INTERVAL")


class ConfigError(ValueError):
    """A setting that cannot be used; the message names it."""


def as_duration(name: str, value: object) -> timedelta:
    """A duration setting: a timedelta, or a number of seconds (how the environment gives it)."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return timedelta(seconds=value)
    raise ConfigError(f"{name} must be a number of seconds greater than 0, not {value!r}")


def finish(config: dict, *, project_root: Path) -> None:
    """Complete the loaded settings: durations as timedeltas, default paths outside instance/,
    and the session cookie living exactly as long as the absolute timeout."""
    for name in DURATIONS:
        config[name] = as_duration(name, config[name])
    config["PERMANENT_SESSION_LIFETIME"] = config["SESSION_ABSOLUTE_TIMEOUT"]
    defaults = {"UPLOAD_ROOT": project_root / "uploads",
                "AUDIT_KEY_FILE": project_root / "keys" / "audit-hmac.key",
                "AUDIT_ANCHOR_FILE": project_root / "anchors" / "audit-anchors.log"}
    for name, path in defaults.items():
        if not config.get(name):
            config[name] = str(path)
