"""The audit chain (审计日志): append-only, hash-chained events."""


def init_app(app):
    from webapp.audit import cli

    cli.register(app)
