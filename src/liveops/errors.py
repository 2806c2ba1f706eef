"""Business errors with an HTTP status; one handler renders them as `{"detail": message}`."""

from __future__ import annotations


class LiveOpsError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers


class NotFound(LiveOpsError):
    status_code = 404
    code = "not_found"


class Conflict(LiveOpsError):
    status_code = 409
    code = "conflict"


class Unauthorized(LiveOpsError):
    status_code = 401
    code = "unauthorized"


class Forbidden(LiveOpsError):
    status_code = 403
    code = "forbidden"


class PayloadError(LiveOpsError):
    status_code = 422
    code = "invalid_body"


class PayloadTooLarge(LiveOpsError):
    status_code = 413
    code = "too_large"


class Unavailable(LiveOpsError):
    status_code = 503
    code = "unavailable"
