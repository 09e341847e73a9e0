"""Supervision items (督办事项): life cycle, pages, API and statistics."""


def init_app(app):
    from webapp.supervision import api, cli, stats_views, views

    cli.register(app)
    for module in (views, api, stats_views):  # each registers its blueprints
        module.init_app(app)
