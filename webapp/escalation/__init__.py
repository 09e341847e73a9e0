"""升级规则: the day's reminders and escalation on the working-day calendar (`tick`)."""


def init_app(app):
    import click

    from webapp.escalation import views

    app.register_blueprint(views.bp)

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
