"""Who may call what: the merchant comes from the key, checked before any route runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from vafa.auth.dashboard import SESSION_PREFIX, session_identity
from vafa.auth.keys import KeyKind, KeyVerifier
from vafa.errors import Unauthorized

Access = Literal["secret", "site", "public"]
_SITE_PATHS = ("/v1/push/", "/v1/push-subscriptions")
# Exact, not prefixes: "/v1/me" must not take "/v1/metrics" to the public key.
_SITE_EXACT = ("/v1/me", "/v1/events")
# Deliveries from shop platforms carry their own proof (a signature), never an API key.
_PUBLIC_PREFIXES = ("/v1/feedback/", "/v1/sms/inbound/", "/v1/dashboard/session", "/v1/hooks/")


def access_for(path: str, method: str) -> Access:
    """Browser routes take the public site key, other `/v1` routes the secret key; the rest is open."""
    if method == "OPTIONS":
        return "public"
    if path.startswith(_SITE_PATHS) or path in _SITE_EXACT or path.startswith("/v1/me/"):
        return "site"
    if path.startswith(_PUBLIC_PREFIXES) or not path.startswith("/v1/"):
        return "public"
    return "secret"


def request_time(event: dict[str, Any]) -> datetime:
    epoch_ms = (event.get("requestContext") or {}).get("timeEpoch")
    return (
        datetime.fromtimestamp(epoch_ms / 1000, UTC)
        if isinstance(epoch_ms, int | float)
        else datetime.now(UTC)
    )


def _header(event: dict[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return str(value)
    return None


def authenticate(event: dict[str, Any], verifier: KeyVerifier) -> str | None:
    """Verify the request's key and record the merchant where an authorizer would put it."""
    path = event.get("rawPath") or "/"
    method = (event.get("requestContext", {}).get("http", {}) or {}).get("method", "GET")
    access = access_for(path, method)
    if access == "public":
        return None
    kind: KeyKind = access
    if kind == "secret":
        header = _header(event, "authorization") or ""
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise Unauthorized("send the merchant API key as 'Authorization: Bearer <api_key>'")
    else:
        key = _header(event, "x-site-key") or ""
        if not key.strip():
            raise Unauthorized("send the merchant's site key in the X-Site-Key header")
    key = key.strip()
    merchant_id: str | None
    via = str(kind)
    # Who made a change, for the audit list: the key's last characters (as `vafa keys` lists them) or
    # the user a sign-in link was made for. Never the key itself.
    who = f"key …{key[-4:]}"
    if kind == "secret" and key.startswith(SESSION_PREFIX):
        # A dashboard session (auth/dashboard.py): signed, expiring, merchant-bound, with a role. It is
        # checked here, never by the key table, and only ever grants the panel's routes.
        merchant_id, role, user = session_identity(key, path, method, request_time(event))
        via, who = "dashboard_session", f"{user} ({role})"
    else:
        merchant_id = verifier.verify(key, kind)
    if merchant_id is None:
        raise Unauthorized("unknown or revoked key")
    context = event.setdefault("requestContext", {})
    authorizer = context.setdefault("authorizer", {})
    authorizer["lambda"] = {"merchant_id": merchant_id, "key_kind": via, "who": who}
    return merchant_id
