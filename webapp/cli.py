"""Commands that concern the whole application: init-db, seed-demo, show-welcome."""

from __future__ import annotations

import click
from flask import Flask, current_app

from webapp.extensions import db

DEMO_PASSWORD = "duban-demo-2026"  # noqa: S105 (demo mode only, printed in the README)


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(seed_demo)
    app.cli.add_command(show_welcome)


def upgrade_schema() -> None:
    """Bring the database to the newest schema through the migrations (never create_all)."""
    from flask_migrate import upgrade

    upgrade(revision="heads")


@click.command("init-db")
def init_db():
    """Create or upgrade the database schema (migrations); safe to run again."""
    upgrade_schema()
    click.echo(f"数据库已就绪：{_safe_uri()}")


def _safe_uri() -> str:
    return db.engine.url.render_as_string(hide_password=True)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="only when there are no users yet")
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


@click.command("show-welcome")
@click.option("--port", default=5000)
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
