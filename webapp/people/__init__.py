"""People (人员): persons of each unit, accounts or not; whom an item names and notifies."""


def init_app(app):
    from webapp.audit import services as audit
    from webapp.people import api, services, views

    app.register_blueprint(views.bp)
    api.init_app(app)
    audit.listen(services.on_audit_event)
    app.jinja_env.globals["people_datalists"] = views.datalists
