"""Accounts, roles, sessions and tokens."""


def init_app(app):
    from webapp.auth import cli, sessions, views
    from webapp.extensions import login_manager

    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.session_protection = "basic"
    app.register_blueprint(views.bp)
    sessions.init_app(app)
    cli.register(app)
