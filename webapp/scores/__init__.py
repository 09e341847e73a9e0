"""考核: unit scores per period from the period's own rules, each point with its reason and
the items behind it; 申诉 decided by the office or a leader; frozen results."""


def init_app(app):
    from webapp.scores import api, views

    app.register_blueprint(views.bp)
    api.register()
