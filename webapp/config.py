"""Default settings; secrets and site settings come from instance/config.py or DUBAN_* env."""

from datetime import timedelta


class Defaults:
    # Database: SQLite in instance/ unless DATABASE_URL (or DUBAN_SQLALCHEMY_DATABASE_URI) is set.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}  # noqa: RUF012 (Flask reads it as a plain dict)

    # Files: uploads/ next to the package unless set.
    UPLOAD_ROOT: str | None = None
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024  # one request; per-file limits are below
    MAX_PHOTO_BYTES = 40 * 1024 * 1024
    MAX_ATTACHMENT_BYTES = 30 * 1024 * 1024
    MAX_IMAGE_PIXELS = 60_000_000

    # Sessions (SECURITY.md): idle 30 min, absolute 12 h; Secure cookies outside local dev.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # Re-send the cookie only when the session changes: concurrent requests re-sending it
    # would overwrite one another's changes (the PWA's fresh CSRF token, say).
    SESSION_REFRESH_EACH_REQUEST = False
    API_TOKEN_LIFETIME = timedelta(hours=12)

    # Login throttling, per account, kept in the database (works across workers).
    LOGIN_MAX_ATTEMPTS_PER_HOUR = 100
    LOGIN_FREE_FAILURES = 3  # failures before the increasing delay starts

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
    DEMO_MODE = False  # the login page lists the demo accounts (make run sets it)

    # Keys: set in instance/config.py (created by init-db) or the environment.
    SECRET_KEY: str | None = None
    AUDIT_HMAC_KEY: str | None = None
