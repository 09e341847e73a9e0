"""The JSON API under /api/v1: authentication, JSON errors and the OpenAPI document.

Domains add their endpoints as child blueprints (`register(child_bp, paths, schemas)`);
this module registers the parent blueprint last, so every child shares its auth rules.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, g, jsonify, request
from flask_login import current_user

from webapp.auth import services as auth_services
from webapp.auth.access import bearer_token
from webapp.auth.devices import device_for
from webapp.auth.models import AttemptPurpose
from webapp.errors import DomainError
from webapp.extensions import csrf, db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # checked below for cookie-authenticated calls; Bearer clients are exempt

PUBLIC_ENDPOINTS = {"api.token", "api.openapi"}
OPENAPI_PATHS: dict[str, dict] = {}
OPENAPI_SCHEMAS: dict[str, dict] = {}


def register(child: Blueprint, paths: dict | None = None, schemas: dict | None = None) -> None:
    """Called once, at import of a domain's api module: mount its blueprint, document paths."""
    if all(c is not child for c, _ in bp._blueprints):
        bp.register_blueprint(child)
        # Flask-WTF looks up exemptions by the child's own name; the parent's before_request
        # checks CSRF for cookie-authenticated calls, Bearer clients need none.
        csrf.exempt(child)
    for path, ops in (paths or {}).items():
        OPENAPI_PATHS.setdefault(path, {}).update(ops)
    OPENAPI_SCHEMAS.update(schemas or {})


def error_response(status: int, code: str, message: str, **extra: Any):
    body = {"error": {"code": code, "message": message, **extra}}
    return jsonify(body), status


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


@bp.errorhandler(DomainError)
def _domain_error(err: DomainError):
    db.session.rollback()
    extra = {"field": err.field} if err.field else {}
    return error_response(err.status, err.code, err.message, **extra)


@bp.route("/auth/token", methods=["POST"])
def token():
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("username"), str) \
            or not isinstance(data.get("password"), str):
        return error_response(400, "bad_request", "JSON body with username and password required")
    try:
        username = auth_services.login_name(data["username"])
        user = auth_services.authenticate(username, data["password"], purpose=AttemptPurpose.TOKEN,
                                          device=device_for(username))
    except auth_services.Throttled as err:
        db.session.commit()
        resp = error_response(429, err.code, err.message)
        resp[0].headers["Retry-After"] = str(err.retry_after)
        return resp
    except DomainError as err:
        db.session.commit()
        return error_response(401, err.code, err.message)
    raw, row = auth_services.issue_token(user)
    db.session.commit()
    return jsonify(
        access_token=raw,
        token_type="Bearer",  # noqa: S106 (the scheme name, not a secret)
        expires_at=row.expires_at.isoformat(),
        user={"username": user.username, "name": user.name, "role": str(user.role),
              "unit_id": user.unit_id},
    )


@bp.route("/auth/token", methods=["DELETE"])
def revoke():
    raw = bearer_token()
    if raw:
        auth_services.revoke_token(raw)
        db.session.commit()
    return "", 204


@bp.route("/me")
def me():
    user = g.api_user
    return jsonify(username=user.username, name=user.name, role=str(user.role),
                   unit_id=user.unit_id, unit_name=user.unit.name if user.unit else None)


CORE_PATHS = {
    "/auth/token": {
        "post": {
            "summary": "Exchange a username and password for a Bearer token",
            "security": [],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["username", "password"],
                "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
            }}}},
            "responses": {"200": {"description": "token issued"},
                          "401": {"$ref": "#/components/responses/Error"},
                          "429": {"$ref": "#/components/responses/Error"}},
        },
        "delete": {"summary": "Revoke the Bearer token used", "responses": {"204": {
            "description": "revoked"}}},
    },
    "/me": {"get": {"summary": "The authenticated user", "responses": {"200": {
        "description": "user"}}}},
    "/openapi.json": {"get": {"summary": "This document", "security": [],
                              "responses": {"200": {"description": "OpenAPI 3 document"}}}},
}


@bp.route("/openapi.json")
def openapi():
    paths = {**CORE_PATHS, **OPENAPI_PATHS}
    return jsonify({
        "openapi": "3.0.3",
        "info": {"title": "Duban API", "version": "1",
                 "description": "督办系统 JSON API. Errors: {\"error\": {\"code\", \"message\"}}."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "browser session; unsafe methods need X-CSRFToken"},
            },
            "schemas": {"Error": {"type": "object", "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                               "field": {"type": "string"}}}}}, **OPENAPI_SCHEMAS},
            "responses": {"Error": {"description": "error",
                                    "content": {"application/json": {"schema": {
                                        "$ref": "#/components/schemas/Error"}}}}},
        },
    })


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
