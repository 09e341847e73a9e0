"""Security headers on every answer: a CSP without inline scripts, nosniff, no framing, no
caching of pages and API answers (they hold personal data)."""

from __future__ import annotations

from flask import Flask, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob: data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
FILE_CSP = "default-src 'none'; sandbox"


def init_app(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h["X-Content-Type-Options"] = "nosniff"
        h["Referrer-Policy"] = "same-origin"
        h["X-Frame-Options"] = "DENY"
        h.setdefault("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()")
        # Pages and API answers hold personal data: never cached (the PWA caches its shell).
        if request.endpoint != "static":
            h.setdefault("Cache-Control", "no-store")
        return response
