"""Domain errors; the API turns each into its HTTP status in one place."""

from __future__ import annotations


class VafaError(Exception):
    """Base of every error a client may see; carries a stable machine-readable code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class MalformedRequest(VafaError):
    status = 400
    code = "malformed_json"


class Unauthorized(VafaError):
    status = 401
    code = "unauthorized"


class NotFound(VafaError):
    status = 404
    code = "not_found"


class Conflict(VafaError):
    status = 409
    code = "conflict"


class InsufficientBalance(Conflict):
    code = "insufficient_balance"


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"


class PayloadTooLarge(VafaError):
    status = 413
    code = "payload_too_large"


class ValidationFailed(VafaError):
    status = 422
    code = "validation_error"


class Busy(VafaError):
    """Contention we could not resolve by retrying; safe for the client to retry."""

    status = 429
    code = "busy"
