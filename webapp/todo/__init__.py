"""待办: what waits for each user's action, with exact counts in the menu."""


def init_app(app):
    from webapp.todo import api, services, views

    app.register_blueprint(views.bp)
    api.init_app(app)
    app.jinja_env.globals["todo_total"] = services.menu_total
