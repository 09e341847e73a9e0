"""audit-verify: check the hash chain, and its head against the anchors kept outside."""

import sys

import click
from flask import Flask

from webapp.audit import anchors, services
from webapp.database import utcnow


def register(app: Flask) -> None:
    @app.cli.command("audit-verify")
    def audit_verify():
        """Re-compute the audit chain and check it against the outside anchors; exit status 1
        names the first bad event or the truncation. A good chain's head is anchored anew."""
        expected, lost = anchors.expectations(anchors.read())
        check = services.verify_chain(expected)
        if check.problem:
            click.echo(f"审计链校验失败：事件 #{check.problem.event_id}：{check.problem.reason}"
                       f"（已检查 {check.count} 条）", err=True)
            sys.exit(1)
        cut = anchors.truncation(check.count, expected)
        if cut:
            click.echo(f"审计链被截断：数据库中只有 {check.count} 条事件，而 {cut.describe()}："
                       f"最后 {cut.count - check.count} 条事件已被删除", err=True)
            sys.exit(1)
        for anchor in lost:
            click.echo(f"注意：{anchor.describe()} 之后的事件在从备份恢复时丢失（已记录的恢复）")
        anchor = anchors.append(anchors.Anchor(utcnow(), "verify", anchors.database_id(),
                                               check.count, check.head_id, check.head_hash))
        click.echo(f"审计链完好：{check.count} 条事件")
        if anchor.head_id:
            click.echo(f"最新事件 #{anchor.head_id} 哈希 {anchor.hash}")
        click.echo(f"外部锚点已追加到 {anchors.path()}")
