"""Notifications (通知): the outbox written with each event, in-app messages, and the worker
that delivers SMS, 警务通/webhook and e-mail after the commit."""


def init_app(app):
    from webapp.audit import services as audit
    from webapp.notify import api, events, views

    app.register_blueprint(views.bp)
    api.init_app(app)
    audit.listen(events.on_audit_events, many=True)
    # The `worker` command (delivery plus the day's escalation) is webapp.escalation's.
