"""What every route needs from the current request: the merchant, "now", the raw body, the stores."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from vafa.auth.keys import KeyVerifier
from vafa.config import settings
from vafa.errors import Unauthorized, ValidationFailed
from vafa.merchants import ProgramStore


@lru_cache(maxsize=1)
def verifier() -> KeyVerifier:
    return KeyVerifier(settings().auth_cache_seconds)


@lru_cache(maxsize=1)
def programs() -> ProgramStore:
    return ProgramStore(settings().program_cache_seconds)


def merchant_id(router: APIGatewayHttpRouter) -> str:
    """The merchant the authorizer step attached to this request; never taken from the body."""
    context = router.current_event.raw_event.get("requestContext", {}).get("authorizer", {}) or {}
    merchant = (context.get("lambda") or {}).get("merchant_id")
    if not merchant:
        raise Unauthorized("missing merchant credentials")
    return str(merchant)


def request_time(router: APIGatewayHttpRouter) -> datetime:
    """The time API Gateway received the request: the default "now" of every write."""
    epoch_ms = router.current_event.raw_event.get("requestContext", {}).get("timeEpoch")
    if isinstance(epoch_ms, int | float):
        return datetime.fromtimestamp(epoch_ms / 1000, UTC).replace(microsecond=0)
    return datetime.now(UTC).replace(microsecond=0)


def outside_instant(text: str, field: str, now: datetime) -> datetime:
    """A timestamp the shop sent: 422 naming `field` when before 2000 or ahead of the request."""
    from vafa.timeutil import parse_outside_instant

    try:
        return parse_outside_instant(text, now)
    except ValueError as exc:
        raise ValidationFailed(f"{field} {exc}", field=field) from None


def json_body(router: APIGatewayHttpRouter) -> dict[str, Any]:
    body = router.current_event.json_body
    return body if isinstance(body, dict) else {}


def encode_cursor(value: str | None) -> str | None:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=") if value else None


def decode_cursor(value: str | None, prefix: str, *, numeric: bool = True) -> str | None:
    if not value:
        return None
    try:
        decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValidationFailed("cursor is not one this API returned", field="cursor") from exc
    rest = decoded.removeprefix(prefix)
    if not decoded.startswith(prefix) or (numeric and not rest.isdigit()):
        raise ValidationFailed("cursor is not one this API returned", field="cursor")
    return decoded
