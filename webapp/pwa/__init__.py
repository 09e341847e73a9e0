"""The inspectors phone app (PWA): shell, service worker, manifest."""


def init_app(app):
    """Register the PWA blueprint (filled in by the PWA work)."""
