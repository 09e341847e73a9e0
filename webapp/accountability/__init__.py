"""问责 (accountability): 约谈, 通报批评 and 记分 of the people items name, linked to the items
and documents; a person's history; seen only by the office and leaders (and the admin)."""


def init_app(app):
    from webapp.accountability import api, views  # noqa: F401 (api: registers its routes)

    app.register_blueprint(views.bp)
    app.jinja_env.globals["accountability_panel"] = views.item_panel
