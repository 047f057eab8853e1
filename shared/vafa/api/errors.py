"""Every error leaves the API as `{"error": {"code", "message", "field"?}}` with its status."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from vafa.errors import VafaError


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response[Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    return Response(
        status,
        content_types.APPLICATION_JSON,
        json.dumps({"error": error}, ensure_ascii=False, separators=(",", ":")),
    )


def from_domain(exc: VafaError) -> Response[Any]:
    return error_response(exc.status, exc.code, exc.message, exc.field)
