"""Units of the bureau (单位)."""


def init_app(app):
    from webapp.org import views

    app.register_blueprint(views.bp)
