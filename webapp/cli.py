"""Commands that concern the whole application: init-db, seed-demo, show-welcome, backup,
restore, check-setup."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from webapp.auth.models import User
from webapp.backup import BackupError, audit_key_matches, make_backup, restore_backup
from webapp.database import upgrade_schema
from webapp.demo import load_demo
from webapp.documents import rendering
from webapp.extensions import db

DEMO_PASSWORD = "duban-demo-2026"  # noqa: S105 (demo mode only, printed in the README)


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(seed_demo)
    app.cli.add_command(show_welcome)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(check_setup)


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


    if if_empty and db.session.scalar(select(func.count(User.id))):
        click.echo("已有数据，跳过演示数据")
        return
    load_demo(password=DEMO_PASSWORD)
    db.session.commit()
    click.echo("演示数据已载入")


@click.command("check-setup")
@with_appcontext
def check_setup():
    """Check what documents need (CJK fonts, libharfbuzz-subset, SM3); exit 1 naming what is
    missing."""
    import sys


    problems = rendering.check_environment()
    try:
        from webapp.media.store import sm3

        sm3()
    except RuntimeError as err:
        problems.append(f"{err}: 公文和归档文件的 SM3 校验值无法计算")
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
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup(target: Path):
    """Back up the database and every stored file into the folder TARGET (new or empty).

    Safe while the server runs: SQLite is copied with its online backup API, PostgreSQL with
    pg_dump of one snapshot. MANIFEST.json names what the backup holds. The keys are not in it:
    keep the audit key file apart (README, "Backups").
    """
    try:
        manifest = make_backup(target)
    except BackupError as err:
        raise click.ClickException(str(err)) from None
    up, audit = manifest["uploads"], manifest["audit"]
    click.echo(f"已备份到 {target}：")
    click.echo(f"  数据库（{manifest['database']['kind']}）{manifest['database']['file']}，"
               f"事项 {manifest['items']} 条，审计事件 {audit['count']} 条"
               f"（最新 #{audit['head_id']}）")
    click.echo(f"  文件 {up['count']} 个，共 {up['bytes']} 字节（uploads/blobs）")
    click.echo(f"  清单 MANIFEST.json；不含：{'；'.join(manifest['not_included'])}")
    if up["damaged"]:
        raise click.ClickException(
            f"存储中 {len(up['damaged'])} 个文件的内容与其哈希不符，已原样备份："
            f"{'、'.join(up['damaged'][:5])}（请运行 archive-verify）")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore(source: Path):
    """Restore the backup folder SOURCE into the configured database, which must be empty
    (a new SQLite file or a new PostgreSQL database), and into the upload folder."""
    try:
        facts = restore_backup(source)
    except BackupError as err:
        raise click.ClickException(str(err)) from None
    audit = facts["audit"]
    click.echo(f"已从 {source} 恢复：事项 {facts['items']} 条，审计事件 {audit['count']} 条"
               f"（最新 #{audit['head_id']}），与备份清单一致；文件已逐个核对哈希")
    if audit_key_matches() is False:
        raise click.ClickException("审计密钥与备份的审计链不符：请使用原来的审计密钥文件"
                                   "（AUDIT_KEY_FILE 或 DUBAN_AUDIT_HMAC_KEY）")
    click.echo("请接着运行 audit-verify 和 archive-verify")
