"""GET /api/v1/csrf: a fresh CSRF token for the phone app's PUT/POST calls."""

from flask import Blueprint, jsonify
from flask_wtf.csrf import generate_csrf

from webapp.api import register

bp = Blueprint("pwa_api", __name__)


@bp.route("/csrf")
def csrf_token():
    return jsonify(csrf_token=generate_csrf())


register(bp, {"/csrf": {"get": {
    "summary": "A CSRF token for the session (send it as X-CSRFToken on PUT/POST)",
    "responses": {"200": {"description": '{"csrf_token": "..."}'},
                  "401": {"$ref": "#/components/responses/Error"}},
}}})
