"""Duban (督办): the application factory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from webapp.api.declare import IdConverter
from webapp.config import Defaults
from webapp.transaction import DubanFlask

# Each domain package exposes init_app(app): blueprints, CLI commands, hooks.
DOMAINS = (
    "webapp.auth",
    "webapp.org",
    "webapp.people",
    "webapp.calendar",
    "webapp.audit",
    "webapp.supervision",
    "webapp.ledger",
    "webapp.media",
    "webapp.documents",
    "webapp.archive",
    "webapp.inspections",
    "webapp.assist",
    "webapp.notify",
    "webapp.recurring",
    "webapp.escalation",
    "webapp.scores",
    "webapp.accountability",
    "webapp.todo",
    "webapp.pwa",
    "webapp.dashboard",
    "webapp.admin",
    "webapp.api",
    "webapp.web",
    "webapp.cli",
)


def create_app(test_config: dict | None = None, *, instance_path: str | None = None) -> Flask:
    app = DubanFlask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.url_map.converters["id"] = IdConverter  # <id:doc_id>: 1..2^31-1, else 404
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("DUBAN")
        if os.environ.get("DATABASE_URL"):
            app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    else:
        app.config.from_mapping(test_config)
    _fill_paths(app)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from webapp import http_errors, logs, models, security  # noqa: F401 (models: every table)
    from webapp.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    logs.init_app(app)
    http_errors.init_app(app)
    _configure_engine(app)

    import importlib

    for name in DOMAINS:
        importlib.import_module(name).init_app(app)
    return app


def _fill_paths(app: Flask) -> None:
    from webapp.config import finish

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'duban.sqlite3'}"
        )
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):  # psycopg 3 is the driver we ship
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri.split("://", 1)[1]
    finish(app.config, project_root=Path(app.root_path).parent)
    if not app.config.get("SECRET_KEY"):
        _write_instance_secret(app)
    if not app.config.get("AUDIT_HMAC_KEY"):
        app.config["AUDIT_HMAC_KEY"] = _audit_key(Path(app.config["AUDIT_KEY_FILE"]))


def _write_instance_secret(app: Flask) -> None:
    """First start of the embedded default: create SECRET_KEY in instance/config.py (0600).

    Larger deployments set DUBAN_SECRET_KEY in the environment so that every worker shares it.
    """
    path = Path(app.instance_path) / "config.py"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        value = secrets.token_hex(32)
        f.write(f"SECRET_KEY = {value!r}\n")
        app.config["SECRET_KEY"] = value


def _audit_key(path: Path) -> str:
    """The audit chain's key from its own file (outside instance/), created 0600 on first use.

    Kept apart from the database and its folder: whoever holds the database file alone cannot
    rewrite the chain. The README says how a bureau keeps and backs up this file.
    """
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it meanwhile: use theirs
            return _audit_key(path)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key + "\n")
            f.flush()
            os.fsync(f.fileno())
    if not key:
        raise RuntimeError(f"the audit key file {path} is empty")
    return key


def _configure_engine(app: Flask) -> None:
    from webapp.database import configure_sqlite
    from webapp.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
