"""Cheap checks on the raw request before any parsing: size and nesting depth."""

from __future__ import annotations

import base64
from typing import Any

from vafa.errors import MalformedRequest, PayloadTooLarge

MAX_DEPTH = 20


def raw_body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body)
        except ValueError as exc:
            raise MalformedRequest("body is not valid base64") from exc
    return body.encode() if isinstance(body, str) else bytes(body)


def check_body(event: dict[str, Any], max_bytes: int) -> None:
    """Reject oversize bodies (413) and pathologically nested JSON (400) before parsing them."""
    data = raw_body(event)
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"request body is larger than {max_bytes} bytes")
    depth = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x7B, 0x5B):
            depth += 1
            if depth > MAX_DEPTH:
                raise MalformedRequest(f"JSON nested deeper than {MAX_DEPTH} levels")
        elif byte in (0x7D, 0x5D):
            depth -= 1
    if event.get("isBase64Encoded"):
        try:
            event["body"] = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedRequest("request body is not UTF-8 JSON") from exc
        event["isBase64Encoded"] = False
    # The API speaks only JSON: a body sent as a form (curl's default) is still read as JSON.
    headers = event.setdefault("headers", {}) or {}
    for name in [name for name in headers if name.lower() == "content-type"]:
        del headers[name]
    headers["content-type"] = "application/json"
    event["headers"] = headers
