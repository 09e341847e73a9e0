"""audit-verify: check the hash chain and name the first bad event."""

import sys

import click
from flask import Flask

from webapp.audit import services


def register(app: Flask) -> None:
    @app.cli.command("audit-verify")
    def audit_verify():
        """Re-compute the audit chain; exit status 1 at the first bad event."""
        count, problem = services.verify_chain()
        if problem:
            click.echo(f"审计链校验失败：事件 #{problem.event_id}：{problem.reason}"
                       f"（已检查 {count} 条）", err=True)
            sys.exit(1)
        anchor = services.latest_hash()
        click.echo(f"审计链完好：{count} 条事件")
        if anchor:
            click.echo(f"最新事件 #{anchor[0]} {anchor[2].isoformat()} 哈希 {anchor[1]}")
