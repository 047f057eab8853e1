"""Signed links in messages: click tracking (/r), opt-out (/u) and feedback (/f, /v1/feedback).

A token is `base64url(json payload) + "." + base64url(HMAC-SHA256)`; it needs no table lookup to
verify, and a changed byte makes it invalid.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from typing import Any

from vafa.secrets import link_signing_key

# Unpadded base64url on both sides of one dot: the only spelling `sign` produces.
_TOKEN = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", re.ASCII)


class BadToken(ValueError):
    """The link was altered or is not one of ours."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    """Decode unpadded base64url, accepting only its canonical spelling: a last character whose
    unused bits are set, or anything after the data, would otherwise verify as the same token."""
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:
        raise ValueError("not canonical base64url")
    return data


def sign(purpose: str, payload: dict[str, Any], key: bytes | None = None) -> str:
    body = _b64(json.dumps({"p": purpose, **payload}, separators=(",", ":"), ensure_ascii=False).encode())
    mac = hmac.new(key or link_signing_key(), body.encode(), hashlib.sha256).digest()[:16]
    return f"{body}.{_b64(mac)}"


def verify(purpose: str, token: str, key: bytes | None = None) -> dict[str, Any]:
    """The payload of a token signed for `purpose`; raises BadToken otherwise."""
    if len(token) > 2000 or not _TOKEN.fullmatch(token):
        raise BadToken("malformed token")
    body, _, mac = token.partition(".")
    if not body or not mac:
        raise BadToken("malformed token")
    expected = hmac.new(key or link_signing_key(), body.encode(), hashlib.sha256).digest()[:16]
    try:
        given = _unb64(mac)
        payload = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadToken("malformed token") from exc
    if (
        not hmac.compare_digest(expected, given)
        or not isinstance(payload, dict)
        or payload.get("p") != purpose
    ):
        raise BadToken("token signature does not match")
    return payload
