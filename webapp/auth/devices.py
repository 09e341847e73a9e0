"""Device cookies (OWASP): a browser that signed in to an account before is known to it.

One signed cookie per browser lists the accounts signed in from it (at most MAX_ACCOUNTS), each
with a random device id and the time of that sign-in. It proves nothing by itself — the
password is still checked — it only exempts the browser from the throttle that guessers
elsewhere cause (auth/throttle.py). Renewed with a new id at every successful sign-in.
"""

from __future__ import annotations

import secrets
import time

from flask import Response, current_app, request
from itsdangerous import BadData, URLSafeSerializer

COOKIE = "duban_device"
MAX_ACCOUNTS = 8


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="duban.login-device")


def _entries() -> list[list]:
    """[[username, device id, signed-in at], …] from a valid cookie, newest last."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return []
    try:
        data = _serializer().loads(raw)
    except BadData:
        return []
    if not isinstance(data, list):
        return []
    return [e for e in data if isinstance(e, list) and len(e) == 3 and isinstance(e[0], str)
            and isinstance(e[1], str) and isinstance(e[2], int)]


def device_for(username: str) -> str | None:
    """The id of this browser's device cookie for `username`, if it has a valid one."""
    oldest = time.time() - current_app.config["LOGIN_DEVICE_DAYS"] * 86400
    for name, device, signed_in in _entries():
        if name == username and signed_in >= oldest:
            return device
    return None


def remember(response: Response, username: str) -> None:
    """After a successful sign-in: (re)issue this browser's device cookie for `username`."""
    entries = [e for e in _entries() if e[0] != username]
    entries.append([username, secrets.token_hex(8), int(time.time())])
    entries = entries[-MAX_ACCOUNTS:]
    cfg = current_app.config
    response.set_cookie(COOKIE, _serializer().dumps(entries),
                        max_age=cfg["LOGIN_DEVICE_DAYS"] * 86400,
                        secure=cfg["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")
