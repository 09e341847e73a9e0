"""The ways out: the HTTP adapter (an SMS gateway, 警务通 or 政务钉钉 behind a small bridge) and
e-mail over SMTP. Each `deliver` raises DeliveryFailed with a short reason; the worker retries.

The HTTP adapter POSTs one JSON object per message:
    {"id": 123, "channel": "sms", "to": {"mobile": "13800000001", "name": "张伟",
     "person_id": 7, "username": null}, "title": "…", "text": "…", "url": "https://…/items/…",
     "event": "assigned", "subject": "2026-045", "urgent": false, "created_at": "…"}
with headers X-Duban-Timestamp (Unix seconds), X-Duban-Message-Id (the id: a receiver that
sees it twice after a lost answer drops the repeat) and X-Duban-Signature:
    sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the channel's secret>.
Any 2xx answer is delivery; anything else, a timeout or a refused connection is a failure.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import time
from email.message import EmailMessage
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from urllib.parse import urlsplit

from flask import current_app

from webapp.notify.models import Channel, Notification


class DeliveryFailed(Exception):
    """A failed attempt; the message is the reason kept on the row."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What X-Duban-Signature carries (a receiver computes the same and compares)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def payload(row: Notification) -> dict:
    """The message as plain data: what the HTTP adapter posts (e-mail reads it too)."""
    person = row.person
    base = (current_app.config.get("NOTIFY_BASE_URL") or "").rstrip("/")
    return {"id": row.id, "channel": str(row.channel),
            "to": {"mobile": person.mobile, "name": person.name, "person_id": person.id,
                   "username": person.user.username if person.user else None,
                   "email": person.email},
            "title": row.title, "text": row.body,
            "url": f"{base}{row.href}" if base and row.href else row.href,
            "event": row.event, "subject": row.subject, "urgent": row.urgent,
            "created_at": row.created_at.isoformat()}


class HttpSender:
    """POSTs to one URL, keeping the connection open between messages of a batch."""

    def __init__(self, url: str, secret: str | None, timeout: float):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DeliveryFailed(f"地址无效：{url}")
        self.parts, self.secret, self.timeout = parts, secret or "", timeout
        self.conn: HTTPConnection | None = None

    def _connection(self) -> HTTPConnection:
        if self.conn is None:
            cls = HTTPSConnection if self.parts.scheme == "https" else HTTPConnection
            self.conn = cls(self.parts.hostname, self.parts.port, timeout=self.timeout)
        return self.conn

    def post(self, data: dict) -> None:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        stamp = str(int(time.time()))
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "X-Duban-Timestamp": stamp, "X-Duban-Message-Id": str(data["id"]),
                   "X-Duban-Signature": signature(self.secret, stamp, body)}
        path = self.parts.path or "/"
        if self.parts.query:
            path += "?" + self.parts.query
        try:
            conn = self._connection()
            conn.request("POST", path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
        except (OSError, HTTPException) as err:
            self.close()
            raise DeliveryFailed(f"{type(err).__name__}: {err}"[:300]) from None
        if resp.will_close:
            self.close()
        if not 200 <= resp.status < 300:
            raise DeliveryFailed(f"HTTP {resp.status}")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def send_mail(jobs: list[dict]) -> dict[int, str | None]:
    """Send e-mails over one SMTP session: {id: None when sent, else the reason}."""
    cfg = current_app.config
    out: dict[int, str | None] = {}
    try:
        smtp = smtplib.SMTP(cfg["NOTIFY_SMTP_HOST"], int(cfg["NOTIFY_SMTP_PORT"]),
                            timeout=float(cfg["NOTIFY_HTTP_TIMEOUT"]))
    except (OSError, smtplib.SMTPException) as err:
        return {j["id"]: f"SMTP: {err}"[:300] for j in jobs}
    with smtp:
        try:
            if cfg.get("NOTIFY_SMTP_STARTTLS"):
                smtp.starttls()
            if cfg.get("NOTIFY_SMTP_USER"):
                smtp.login(cfg["NOTIFY_SMTP_USER"], cfg.get("NOTIFY_SMTP_PASSWORD") or "")
        except (OSError, smtplib.SMTPException) as err:
            return {j["id"]: f"SMTP: {err}"[:300] for j in jobs}
        for job in jobs:
            msg = EmailMessage()
            msg["From"] = cfg["NOTIFY_MAIL_FROM"]
            msg["To"] = job["to"]["email"]
            msg["Subject"] = job["title"]
            msg["Message-ID"] = f"<duban-{job['id']}@{cfg['NOTIFY_MAIL_FROM'].split('@')[-1]}>"
            msg.set_content(job["text"] + (f"\n\n{job['url']}" if job["url"] else ""))
            try:
                smtp.send_message(msg)
                out[job["id"]] = None
            except (OSError, smtplib.SMTPException) as err:
                out[job["id"]] = f"SMTP: {err}"[:300]
    return out


def http_settings(channel: Channel) -> tuple[str | None, str | None]:
    cfg = current_app.config
    if channel == Channel.SMS:
        return cfg.get("NOTIFY_SMS_URL"), cfg.get("NOTIFY_SMS_SECRET")
    return cfg.get("NOTIFY_WEBHOOK_URL"), cfg.get("NOTIFY_WEBHOOK_SECRET")
