"""Supervision items (督办事项): life cycle, pages, API and statistics."""


def init_app(app):
    from webapp.audit import services as audit
    from webapp.supervision import (
        api,
        cli,
        flow_api,
        flow_views,
        item_people,
        policy_views,
        stats_views,
        views,
    )

    audit.listen(item_people.on_audit_event)
    cli.register(app)
    # each registers its blueprints
    for module in (views, flow_views, api, flow_api, stats_views, policy_views):
        module.init_app(app)
