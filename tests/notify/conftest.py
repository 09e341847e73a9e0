"""Real local servers for the notification tests: an HTTP receiver on 127.0.0.1 (the SMS
gateway / 警务通 bridge) that can go down and come back on the same port, and an SMTP server
(aiosmtpd)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

SECRET = "gateway-secret"


class Receiver:
    """Records every POST (headers, JSON); `status` is what it answers."""

    def __init__(self):
        self.messages: list[dict] = []
        self.headers: list[dict] = []
        self.bodies: list[bytes] = []
        self.status = 200
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.port = 0
        self.start()

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    if receiver.status == 200:
                        receiver.messages.append(json.loads(body))
                        receiver.headers.append(dict(self.headers))
                        receiver.bodies.append(body)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sms"


@pytest.fixture
def receiver(app):
    r = Receiver()
    saved = {k: app.config[k] for k in ("NOTIFY_SMS_URL", "NOTIFY_SMS_SECRET",
                                        "NOTIFY_QUIET_HOURS", "NOTIFY_HTTP_TIMEOUT")}
    app.config.update(NOTIFY_SMS_URL=r.url, NOTIFY_SMS_SECRET=SECRET, NOTIFY_QUIET_HOURS="",
                      NOTIFY_HTTP_TIMEOUT=2)
    yield r
    r.stop()
    app.config.update(saved)


@pytest.fixture
def smtp_server(app):
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.mails = []

        async def handle_DATA(self, server, session, envelope):
            self.mails.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
            return "250 OK"

    handler = Handler()
    with socket.socket() as s:  # a free port (aiosmtpd checks it is up by connecting)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config[k] for k in ("NOTIFY_SMTP_HOST", "NOTIFY_SMTP_PORT")}
    app.config.update(NOTIFY_SMTP_HOST="127.0.0.1", NOTIFY_SMTP_PORT=port)
    yield handler
    controller.stop()
    app.config.update(saved)
