"""Units of the bureau (单位)."""


def init_app(app):
    """Nothing to register: the unit pages are the administrator's (webapp.admin)."""
