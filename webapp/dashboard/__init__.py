"""领导驾驶舱 (dashboard): the figures leaders steer by, every number a link to its list."""


def init_app(app):
    from webapp.dashboard import views

    views.init_app(app)
