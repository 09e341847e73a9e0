"""协办反馈: an assisting unit's part of an item (its opinion or feedback, with files), sent to
the lead unit and the office; on the item's timeline and in the closing report."""


def init_app(app):
    from webapp.assist import services, views

    app.register_blueprint(views.bp)
    views.register_api()
    app.jinja_env.globals["assisting_inputs"] = services.inputs_of
    app.jinja_env.globals["may_assist"] = views.may_assist
