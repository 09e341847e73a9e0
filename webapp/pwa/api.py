"""GET /api/v1/csrf: a fresh CSRF token for the phone app's PUT/POST calls."""

from flask import Blueprint
from flask_wtf.csrf import generate_csrf

from webapp.api import register
from webapp.api.declare import Out, operation

bp = Blueprint("pwa_api", __name__)


class CsrfToken(Out):
    """A CSRF token for the session (send it as X-CSRFToken on PUT/POST)"""

    csrf_token: str


@operation(bp, "/csrf", summary="A CSRF token for the session's PUT/POST calls",
           answers={200: CsrfToken})
def csrf_token():
    return CsrfToken(csrf_token=generate_csrf())


register(bp)
