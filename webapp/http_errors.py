"""Every error as an HTTP answer: JSON under /api/, an error page elsewhere.

Every request gets an id, sent back as X-Request-ID and written on the log lines of the
request, so that a user who reports "出错了（编号 …）" can be found in the log. Unexpected
errors answer 500 with that id and no trace; the trace goes to the log only.
"""

from __future__ import annotations

import logging
import re
import secrets

from flask import Flask, g, jsonify, render_template, request
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError

from webapp import transaction
from webapp.errors import DomainError

log = logging.getLogger(__name__)

_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

# Messages for users; the API adds its own code names.
HTTP_MESSAGES = {
    400: "请求有误", 401: "请先登录", 403: "没有权限执行此操作", 404: "找不到该页面或记录",
    405: "不支持的请求方式", 409: "该操作与当前数据冲突，请刷新后重试",
    413: "提交的内容或上传的文件太大", 415: "不支持的内容类型", 422: "提交的内容有误",
    429: "操作过于频繁，请稍后再试", 500: "系统内部错误",
}
API_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 409: "conflict", 413: "too_large",
             415: "unsupported_type", 422: "invalid_input", 429: "throttled",
             500: "internal_error"}


def request_id() -> str:
    return g.get("request_id") or "-"


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, **extra):
    """The API's error body: {"error": {"code", "message", …}}."""
    body = {"error": {"code": code, "message": message, **extra}}
    return jsonify(body), status


def answer(status: int, code: str, message: str, *, field: str | None = None,
           extra: dict | None = None):
    if wants_json():
        more = {"field": field} if field else {}
        return error_response(status, code, message, **more, **(extra or {}))
    return render_template("web/error.html", message=message,
                           request_id=request_id() if status >= 500 else None), status


def init_app(app: Flask) -> None:
    @app.before_request
    def _request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _INCOMING_ID.fullmatch(incoming) else secrets.token_hex(8)

    @app.after_request
    def _send_request_id(response):
        response.headers["X-Request-ID"] = request_id()
        return response

    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError):
        response = app.make_response(
            answer(err.status, err.code, err.message, field=err.field, extra=err.extra))
        if getattr(err, "retry_after", None):  # throttled: when to try again
            response.headers["Retry-After"] = str(err.retry_after)
        return response

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        if err.code is None or err.code < 400:
            return err
        status = err.code
        message = HTTP_MESSAGES.get(status, err.name)
        if wants_json() and err.description and status not in (404, 405, 500):
            message = err.description  # precise for API clients (e.g. a CSRF refusal)
        response = answer(status, API_CODES.get(status, "error"), message)
        if status == 405 and err.valid_methods:  # what the resource does accept
            response = app.make_response(response)
            response.headers["Allow"] = ", ".join(sorted(err.valid_methods))
        return response

    @app.errorhandler(IntegrityError)
    def _integrity(err: IntegrityError):
        # A constraint refused the write: another request got there first (or a check our
        # services missed). Nothing was saved; the user can look again and retry.
        transaction.rollback()
        log.warning("integrity error [%s]: %s", request_id(), err.orig)
        return answer(409, "conflict", HTTP_MESSAGES[409])

    @app.errorhandler(DataError)
    def _data_error(err: DataError):
        transaction.rollback()
        log.warning("data error [%s]: %s", request_id(), err.orig)
        return answer(422, "invalid_input", "提交的数值或文本超出允许范围")

    @app.errorhandler(InternalServerError)
    def _unexpected(err: InternalServerError):
        transaction.rollback()
        original = getattr(err, "original_exception", None)
        log.error("unhandled error [%s] %s %s", request_id(), request.method, request.path,
                  exc_info=original or err)
        return answer(500, "internal_error",
                      f"系统内部错误，请稍后重试；如仍出错，请告知管理员错误编号 {request_id()}",
                      extra={"request_id": request_id()})
