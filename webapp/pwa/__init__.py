"""The inspectors' phone app (PWA): shell, service worker, manifest and the CSRF endpoint."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the /m/ blueprint; importing pwa.api mounts GET /api/v1/csrf."""
    from webapp.pwa import api  # noqa: F401 (registers its child blueprint at import)
    from webapp.pwa.views import bp

    app.register_blueprint(bp)
