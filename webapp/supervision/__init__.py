"""supervision domain."""


def init_app(app):
    """Register blueprints and commands (filled in by the domain)."""
