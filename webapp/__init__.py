"""Duban (督办): the application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from webapp.config import Defaults
from webapp.transaction import DubanFlask

# Each domain package exposes init_app(app): blueprints, CLI commands, hooks.
DOMAINS = (
    "webapp.auth",
    "webapp.org",
    "webapp.audit",
    "webapp.supervision",
    "webapp.media",
    "webapp.documents",
    "webapp.archive",
    "webapp.inspections",
    "webapp.pwa",
    "webapp.api",
    "webapp.web",
    "webapp.cli",
)


def create_app(test_config: dict | None = None) -> Flask:
    app = DubanFlask(__name__, instance_relative_config=True)
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("DUBAN")
        if os.environ.get("DATABASE_URL"):
            app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    else:
        app.config.from_mapping(test_config)
    _fill_paths(app)

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
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'duban.sqlite3'}"
        )
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):  # psycopg 3 is the driver we ship
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri.split("://", 1)[1]
    if not app.config.get("UPLOAD_ROOT"):
        app.config["UPLOAD_ROOT"] = str(Path(app.root_path).parent / "uploads")
    missing = [k for k in ("SECRET_KEY", "AUDIT_HMAC_KEY") if not app.config.get(k)]
    if missing:
        _write_instance_keys(app, missing)


def _write_instance_keys(app: Flask, keys: list[str]) -> None:
    """First start of the embedded default: create the secrets in instance/config.py (0600).

    Larger deployments set DUBAN_SECRET_KEY and DUBAN_AUDIT_HMAC_KEY in the environment so
    that every worker shares them.
    """
    import secrets

    path = Path(app.instance_path) / "config.py"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        for key in keys:
            value = secrets.token_hex(32)
            f.write(f"{key} = {value!r}\n")
            app.config[key] = value


def _configure_engine(app: Flask) -> None:
    from webapp.database import configure_sqlite
    from webapp.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
