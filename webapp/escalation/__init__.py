"""升级规则: the day's reminders and escalation on the working-day calendar (`tick`)."""


def init_app(app):
    import click

    from webapp.escalation import views

    app.register_blueprint(views.bp)

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="deliver what is due now, then stop")
    def worker_command(once):
        """Deliver notifications (SMS, 警务通/webhook, e-mail) until stopped, and run each
        day's reminders and escalation (tick) when the date changes.

        Run one or several: on PostgreSQL, workers never take the same message twice.
        """
        from webapp.escalation.services import DailyTick
        from webapp.notify import worker

        total = worker.run(once=once, daily=None if once else DailyTick())
        click.echo(f"已处理 {total} 条消息")

    @app.cli.command("tick")
    @click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                  help="run as of this date (YYYY-MM-DD); default: today")
    def tick_command(today):
        """Run the day's reminders and escalation (safe to run twice: nothing is repeated)."""
        from webapp.database import local_today
        from webapp.escalation.services import tick
        from webapp.extensions import db

        day = today.date() if today else local_today()
        report = tick(day)
        db.session.commit()
        click.echo(f"{day} 督办提醒与升级：{report.summary()}")
        for problem in report.problems:
            click.echo(f"警告：{problem}", err=True)
        for year in report.missing_years:
            click.echo(f"警告：{year} 年的节假日安排缺失，按周一至周五计算（请管理员在"
                       "“工作日历”中录入）", err=True)
