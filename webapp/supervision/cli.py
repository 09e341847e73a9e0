"""remind-due: the daily run of automatic reminders, printing the digest."""

import click
from flask import Flask, current_app

from webapp.database import local_today
from webapp.extensions import db
from webapp.supervision import figures
from webapp.supervision.reminders import remind_due


def register(app: Flask) -> None:
    @app.cli.command("figures-check")
    @click.option("--rebuild", is_flag=True, help="recount item_due_day from the items")
    def figures_check_command(rebuild):
        """Check the dashboard's per-unit-per-day counts (item_due_day) against the items;
        with --rebuild, recount them first. Exit 1 when they differ."""
        if rebuild:
            figures.rebuild_due_days()
            db.session.commit()
            click.echo("item_due_day 已按事项重新统计")
        differences = figures.due_day_differences()
        for unit, day, kept, actual in differences[:50]:
            click.echo(f"单位 {unit} {day.isoformat()}: 记录 {kept}，事项 {actual}")
        if differences:
            click.echo(f"不一致 {len(differences)} 处（可用 --rebuild 重建）")
            raise SystemExit(1)
        click.echo("item_due_day 与事项一致")

    @app.cli.command("remind-due")
    @click.option("--days-before", type=int, default=None,
                  help="remind this many days before the deadline (default: the yellow-light days)")
    def remind_due_command(days_before):
        """Record system reminders for items due soon or overdue; print the daily digest.

        Run it daily from cron or a systemd timer: `flask --app webapp remind-due`.
        """
        days = current_app.config["YELLOW_LIGHT_DAYS"] if days_before is None else days_before
        lines = remind_due(today=local_today(), days_before=days)
        db.session.commit()
        click.echo(f"今日督办提醒：{len(lines)} 件")
        for line in lines:
            state = f"逾期 {line.overdue_days} 天" if line.overdue_days else f"{line.due_date} 到期"
            click.echo(f"  {line.unit}  {line.code}  {line.title}  （{state}）")
