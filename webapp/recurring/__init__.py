"""周期事项: items that repeat (each period its own item, made by the daily `tick`) and the
feedback cadence of open items (每周一报进展), reminded like a deadline by webapp/escalation."""


def init_app(app):
    from webapp.recurring import api, views

    app.register_blueprint(views.bp)
    api.register()
    app.jinja_env.globals["recurring_panel"] = views.item_panel
