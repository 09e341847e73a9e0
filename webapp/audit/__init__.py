"""The audit chain (审计日志): append-only, hash-chained events, anchored outside."""


def init_app(app):
    from webapp.audit import anchors, cli

    cli.register(app)
    app.before_request(anchors.daily)
