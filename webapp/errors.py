"""Domain errors: services raise them; the web pages and the API map them to HTTP answers."""


class DomainError(Exception):
    """Base class: `message` is shown to users (Chinese); `code` is for API clients."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None,
                 extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}  # more JSON for API clients (e.g. the missing photos' ids)
        if code:
            self.code = code


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"


class TooLarge(InvalidInput):
    status = 413
    code = "too_large"


class UnsupportedType(InvalidInput):
    status = 415
    code = "unsupported_type"


class NotAuthenticated(DomainError):
    status = 401
    code = "unauthorized"


class NotAllowed(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class StateConflict(DomainError):
    status = 409
    code = "conflict"
