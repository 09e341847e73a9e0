"""Notifications (通知): the outbox written with each event, in-app messages, and the worker
that delivers SMS, 警务通/webhook and e-mail after the commit."""


def init_app(app):
    import click

    from webapp.audit import services as audit
    from webapp.notify import api, events, views, worker

    app.register_blueprint(views.bp)
    api.init_app(app)
    audit.listen(events.on_audit_event)

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="deliver what is due now, then stop")
    def worker_command(once):
        """Deliver notifications (SMS, 警务通/webhook, e-mail) until stopped.

        Run one or several: on PostgreSQL, workers never take the same message twice.
        """
        total = worker.run(once=once)
        click.echo(f"已处理 {total} 条消息")
