"""Units of the bureau (单位)."""


def init_app(app):
    """Units have no pages of their own yet; admin pages come with the settings work."""
