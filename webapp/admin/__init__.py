"""The administrator's pages: accounts (users) and units. They sit above the domains whose
records they manage (auth, org), so neither domain depends on the other's pages."""

from flask import Flask

from webapp.admin import units, users


def init_app(app: Flask) -> None:
    app.register_blueprint(users.bp)
    app.register_blueprint(units.bp)
