"""Who is asking: the session user for pages, a Bearer token or the session for the API."""

from __future__ import annotations

from functools import wraps

from flask import abort, g, request
from flask_login import current_user

from webapp.auth.models import Role, User


def actor() -> User | None:
    """The authenticated user of this request (API token or session), or None."""
    if "api_user" in g:
        return g.api_user
    return current_user if current_user.is_authenticated else None


def roles_required(*roles: Role):
    """Page decorator: logged in (else login page) and one of `roles` (else 403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            from webapp.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
