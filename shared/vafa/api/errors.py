"""Every error leaves the API as `{"error": {"code", "message", "field"?}}` with its status."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from vafa.errors import VafaError


def field_of(loc: Sequence[Any]) -> str | None:
    """`("body", "customer", "phone")` → `customer.phone`; list indexes become `[i]`."""
    parts: list[str] = []
    for part in loc:
        if part in ("body", "query", "path", "header") and not parts:
            continue
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts) or None


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


def from_validation(errors: Sequence[dict[str, Any]]) -> Response[Any]:
    """Powertools/pydantic errors: bad JSON is a 400, everything else a 422 naming the field."""
    first = errors[0] if errors else {"type": "invalid", "loc": ()}
    if first.get("type") == "json_invalid":
        return error_response(400, "malformed_json", "the request body is not valid JSON")
    field = field_of(first.get("loc", ()))
    if first.get("type") == "model_attributes_type" or (field is None and first.get("type") != "missing"):
        return error_response(
            422, "validation_error", "the request body must be a JSON object", field or "body"
        )
    message = str(first.get("msg") or first.get("type") or "invalid value")
    return error_response(422, "validation_error", f"{field}: {message}" if field else message, field)
