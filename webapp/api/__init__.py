"""The JSON API under /api/v1: authentication, the token endpoints and the OpenAPI document.

Domains declare their endpoints with `operation` (webapp.api.declare) on a child blueprint and
mount it with `register(child)`; this module registers the parent blueprint last, so every
child shares its authentication. Errors are JSON everywhere (webapp.http_errors).
"""

from __future__ import annotations

from flask import Blueprint, Flask, g, jsonify, request
from flask_login import current_user

from webapp import transaction
from webapp.api import openapi
from webapp.api.declare import Body, File, Out, TimeText, operation
from webapp.auth import services as auth_services
from webapp.auth.access import bearer_token
from webapp.auth.devices import device_for
from webapp.auth.models import AttemptPurpose
from webapp.errors import DomainError, NotAuthenticated
from webapp.extensions import csrf
from webapp.http_errors import error_response

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # checked below for cookie-authenticated calls; Bearer clients are exempt
core = Blueprint("core_api", __name__)

PUBLIC_ENDPOINTS = {"api.core_api.token", "api.core_api.openapi_document"}


def register(child: Blueprint) -> None:
    """Called once, at import of a domain's api module: mount its blueprint under /api/v1."""
    if all(c is not child for c, _ in bp._blueprints):
        bp.register_blueprint(child)
        # Flask-WTF looks up exemptions by the child's own name; the parent's before_request
        # checks CSRF for cookie-authenticated calls, Bearer clients need none.
        csrf.exempt(child)


@bp.before_request
def _authenticate():
    token = bearer_token()
    if token:
        user = auth_services.user_for_token(token)
        if user is None:
            return error_response(401, "unauthorized", "invalid or expired token")
        g.api_user = user
        return None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return error_response(401, "unauthorized", "login or a Bearer token is required")
    g.api_user = current_user._get_current_object()
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()  # the PWA sends X-CSRFToken from the page
    return None


class Credentials(Body):
    username: str
    password: str


class Me(Out):
    """The authenticated user"""

    username: str
    name: str
    role: str
    unit_id: int | None
    unit_name: str | None = None


class Token(Out):
    """A Bearer token, shown once"""

    access_token: str
    token_type: str
    expires_at: TimeText
    user: Me


@transaction.manual  # a refused attempt is kept on record although the answer is 401/429
@operation(core, "/auth/token", "POST", summary="Exchange a username and password for a token",
           body=Credentials, answers={200: Token}, errors=(401, 429), public=True,
           value_status=400)
def token(body: Credentials):
    try:
        username = auth_services.login_name(body.username)
        user = auth_services.authenticate(username, body.password, purpose=AttemptPurpose.TOKEN,
                                          device=device_for(username))
    except auth_services.Throttled:
        transaction.commit()
        raise
    except DomainError as err:
        transaction.commit()
        raise NotAuthenticated(err.message, code=err.code) from None
    raw, row = auth_services.issue_token(user)
    transaction.commit()
    return Token(access_token=raw, token_type="Bearer",  # noqa: S106 (the scheme's name)
                 expires_at=row.expires_at.isoformat(), user=_me(user))


@operation(core, "/auth/token", "DELETE", summary="Revoke the Bearer token used",
           answers={204: None})
def revoke_token():
    raw = bearer_token()
    if raw:
        auth_services.revoke_token(raw)


def _me(user) -> Me:
    return Me(username=user.username, name=user.name, role=str(user.role),
              unit_id=user.unit_id, unit_name=user.unit.name if user.unit else None)


@operation(core, "/me", summary="The authenticated user", answers={200: Me})
def me():
    return _me(g.api_user)


@operation(core, "/openapi.json", summary="This document",
           answers={200: File(("application/json",))}, public=True)
def openapi_document():
    return jsonify(openapi.document())


def init_app(app: Flask) -> None:
    register(core)
    app.register_blueprint(bp)
