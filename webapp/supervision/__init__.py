"""Supervision items (督办事项): life cycle, pages, API and statistics."""


def init_app(app):
    from webapp.audit import services as audit
    from webapp.supervision import api, cli, item_people, stats_views, views

    audit.listen(item_people.on_audit_event)
    cli.register(app)
    for module in (views, api, stats_views):  # each registers its blueprints
        module.init_app(app)
