"""Logging that user text cannot forge: line breaks and control characters are escaped."""

from __future__ import annotations

import logging
import re

from flask import Flask, g, has_request_context

_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _escape(text: str) -> str:
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class SingleLineFormatter(logging.Formatter):
    """One event, one line: a message carrying "\\n2026-01-01 INFO forged" stays one line."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if record.exc_info or record.stack_info:  # tracebacks are ours, keep them readable
            head, _, tail = text.partition("\n")
            return _escape(head) + "\n" + tail
        return _escape(text)


class RequestId(logging.Filter):
    """Put the request's id (webapp.http_errors) on every line logged while serving it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def init_app(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestId())
    handler.setFormatter(SingleLineFormatter(
        "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"))
    logger = logging.getLogger("webapp")
    if not any(isinstance(h.formatter, SingleLineFormatter) for h in logger.handlers):
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    app.logger.handlers[:] = [handler]
