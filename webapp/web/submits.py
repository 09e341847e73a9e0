"""What the pages' script learns about the forms it watches (static/js/drafts.js, upload.js).

- A form the script sends itself (to show upload progress) carries `X-Duban-Form`; a redirect
  answer then comes back as 200 with the target in `X-Duban-Location`, so the script goes
  there itself (a followed redirect would use up the flash message on the way).
- After a form was accepted (a POST answered by a redirect that is not to the login page),
  the next page names its action URL in `data-sent-form`: the script drops that form's draft.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request, session, url_for
from flask_login import current_user

SCRIPT_HEADER = "X-Duban-Form"
LOCATION_HEADER = "X-Duban-Location"


def _after(response: Response) -> Response:
    if request.method != "POST" or not 300 <= response.status_code < 400:
        return response
    location = response.headers.get("Location", "")
    if urlsplit(location).path != url_for("auth.login") and current_user.is_authenticated:
        session["sent_form"] = request.path
    if request.headers.get(SCRIPT_HEADER):
        response.status_code = 200
        response.headers[LOCATION_HEADER] = location
        del response.headers["Location"]
        response.set_data(b"")
    return response


def sent_form() -> str:
    """The action URL of the form accepted just before this page (once), or ""."""
    return session.pop("sent_form", "") if "sent_form" in session else ""


def init_app(app: Flask) -> None:
    app.after_request(_after)
    app.jinja_env.globals["sent_form"] = sent_form
