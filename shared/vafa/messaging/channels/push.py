"""Web push with the merchant's own VAPID keys (RFC 8292) and aes128gcm encryption (RFC 8291)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

# Push services browsers actually use; a deployment extends the list (VAFA_PUSH_EXTRA_HOSTS).
PUSH_SERVICES = ("fcm.googleapis.com", "updates.push.services.mozilla.com")
PUSH_SERVICE_SUFFIXES = (".push.services.mozilla.com", ".push.apple.com", ".notify.windows.com")


class InvalidSubscription(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class VapidKeys:
    private_key: str  # base64url of the raw 32-byte P-256 scalar (what pywebpush accepts)
    public_key: str  # base64url of the 65-byte uncompressed point (applicationServerKey)


@dataclass(frozen=True)
class PushResult:
    outcome: Literal["sent", "gone", "failed"]
    retryable: bool = False
    reason: str = ""
    status_code: int | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_vapid_keys() -> VapidKeys:
    key = ec.generate_private_key(ec.SECP256R1())
    raw = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return VapidKeys(_b64(raw), _b64(public))


def is_allowed_endpoint(url: str, extra_hosts: Iterable[str] = ()) -> bool:
    """Only HTTPS endpoints of known push services, in a spelling every URL parser reads alike
    (`vafa.urls`); loopback only when the deployment names it (the local stack does)."""
    from vafa.urls import UnsafeUrl, check_url, is_loopback

    extras = {h.strip().rstrip(".").lower() for h in extra_hosts if h.strip()}
    try:
        check_url(url, allow_loopback=any(is_loopback(h) for h in extras))
        parts = urlsplit(url)
    except (UnsafeUrl, ValueError):
        return False
    host = (parts.hostname or "").rstrip(".").lower()
    if is_loopback(host):
        return host in extras
    if parts.fragment:
        return False
    return host in extras or host in PUSH_SERVICES or host.endswith(PUSH_SERVICE_SUFFIXES)


def validate_subscription(body: dict[str, Any]) -> dict[str, Any]:
    """Check a browser's subscription; errors name the failing field."""
    endpoint = body.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        raise InvalidSubscription("endpoint", "endpoint is required")
    keys = body.get("keys")
    if not isinstance(keys, dict):
        raise InvalidSubscription("keys", "keys must be an object with p256dh and auth")
    try:
        p256dh = _unb64(str(keys.get("p256dh", "")))
    except ValueError as exc:
        raise InvalidSubscription("keys.p256dh", "p256dh is not base64url") from exc
    if len(p256dh) != 65 or p256dh[0] != 4:
        raise InvalidSubscription("keys.p256dh", "p256dh must be an uncompressed P-256 point")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except ValueError as exc:
        raise InvalidSubscription("keys.p256dh", "p256dh is not a point on P-256") from exc
    try:
        auth = _unb64(str(keys.get("auth", "")))
    except ValueError as exc:
        raise InvalidSubscription("keys.auth", "auth is not base64url") from exc
    if len(auth) != 16:
        raise InvalidSubscription("keys.auth", "auth must be 16 bytes")
    return {"endpoint": endpoint, "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]}}


def send_push(
    subscription: dict[str, Any],
    payload: dict[str, Any],
    vapid_private_key: str,
    vapid_subject: str,
    *,
    ttl: int,
    timeout: float,
    allow_loopback: bool = False,
) -> PushResult:
    """Encrypt and deliver one notification; 404/410 mean the subscription is gone.

    The endpoint was checked when it was saved; its host is resolved and checked again here, since
    a public name can be pointed at an internal address later. Redirects are never followed."""
    import requests
    from pywebpush import WebPushException, webpush

    from vafa.urls import UnsafeUrl, check_url, public_addresses

    try:
        endpoint = check_url(str(subscription.get("endpoint", "")), allow_loopback=allow_loopback)
        parts = urlsplit(endpoint)
        public_addresses(parts.hostname or "", parts.port or 443, allow_loopback=allow_loopback)
    except UnsafeUrl as exc:
        return PushResult("gone", reason=f"endpoint refused: {exc}")
    session = requests.Session()
    session.max_redirects = 0  # a push service answers; a 3xx never sends the sender elsewhere
    try:
        webpush(
            subscription,
            json.dumps(payload, ensure_ascii=False),
            vapid_private_key=vapid_private_key,
            vapid_claims={"sub": vapid_subject},
            ttl=ttl,
            timeout=(min(3.0, timeout), timeout),  # connect, then each read
            requests_session=session,
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status in (404, 410):
            return PushResult("gone", reason=f"push service answered {status}", status_code=status)
        if status is None or status == 429 or status >= 500:
            return PushResult(
                "failed", retryable=True, reason=f"push service answered {status}", status_code=status
            )
        return PushResult("failed", reason=f"push service answered {status}", status_code=status)
    except requests.TooManyRedirects:
        return PushResult("failed", reason="push service redirected")
    except requests.RequestException as exc:
        return PushResult("failed", retryable=True, reason=type(exc).__name__)
    finally:
        session.close()
    return PushResult("sent", status_code=201)
