"""Commands that concern the whole application: init-db, seed-demo, show-welcome."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from webapp.extensions import db

DEMO_PASSWORD = "duban-demo-2026"  # noqa: S105 (demo mode only, printed in the README)


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(seed_demo)
    app.cli.add_command(show_welcome)
    app.cli.add_command(backup)
    app.cli.add_command(check_setup)


def upgrade_schema() -> None:
    """Bring the database to the newest schema through the migrations (never create_all)."""
    from flask_migrate import upgrade

    upgrade(revision="head")


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the database schema (migrations); safe to run again."""
    upgrade_schema()
    click.echo(f"数据库已就绪：{_safe_uri()}")


def _safe_uri() -> str:
    return db.engine.url.render_as_string(hide_password=True)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="only when there are no users yet")
@with_appcontext
def seed_demo(if_empty: bool):
    """Load demo units, accounts (password duban-demo-2026) and ~25 items in every state."""
    from sqlalchemy import func, select

    from webapp.auth.models import User
    from webapp.demo import load_demo

    if if_empty and db.session.scalar(select(func.count(User.id))):
        click.echo("已有数据，跳过演示数据")
        return
    load_demo(password=DEMO_PASSWORD)
    db.session.commit()
    click.echo("演示数据已载入")


@click.command("check-setup")
@with_appcontext
def check_setup():
    """Check what documents need (CJK fonts, libharfbuzz-subset); exit 1 naming what is missing."""
    import sys

    from webapp.documents import rendering

    problems = rendering.check_environment()
    for problem in problems:
        click.echo(f"问题：{problem}", err=True)
    if problems:
        sys.exit(1)
    for slot, info in rendering.font_report().items():
        click.echo(f"  {slot}: {info.get('family')} ({info.get('file')})")
    click.echo("环境检查通过：中文字体与 libharfbuzz-subset 均可用")


@click.command("show-welcome")
@click.option("--port", default=5000)
@with_appcontext
def show_welcome(port: int):
    """Print the addresses to open and the demo accounts."""
    import socket

    addresses = {"127.0.0.1"}
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET: no packet is sent by connect() on UDP
            addresses.add(s.getsockname()[0])
    except OSError:
        pass
    click.echo("督办系统 Duban")
    for addr in sorted(addresses):
        click.echo(f"  打开 http://{addr}:{port}/")
    accounts = "admin office leader inspector liaison1 liaison2"
    click.echo(f"  演示账号（密码 {DEMO_PASSWORD}）：{accounts}")
    click.echo(f"  数据库：{_safe_uri()}  文件：{current_app.config['UPLOAD_ROOT']}")


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup(target: str):
    """Copy the SQLite database with SQLite's online backup API, then check the copy.

    Safe while the server runs (a plain file copy of a WAL database is not). For PostgreSQL
    use pg_dump. Uploaded files are content-addressed: copy uploads/ with rsync as well.
    """
    import sqlite3

    if db.engine.dialect.name != "sqlite":
        raise click.ClickException("backup 仅用于 SQLite；PostgreSQL 请使用 pg_dump")
    source_path = db.engine.url.database
    with sqlite3.connect(source_path) as source, sqlite3.connect(target) as dest:
        source.backup(dest)
        result = dest.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise click.ClickException(f"备份文件完整性检查失败：{result}")
    click.echo(f"已备份到 {target}（integrity_check: ok）")
