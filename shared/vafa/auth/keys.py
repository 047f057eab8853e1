"""API keys and site keys: format, hashing and verification against the table."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Literal

from vafa.store import keys as k
from vafa.store.models import ApiKeyItem
from vafa.store.table import ensure_configured

KeyKind = Literal["secret", "site"]
_PREFIX: dict[KeyKind, str] = {"secret": "vafa_sk_", "site": "vafa_pk_"}
_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def new_merchant_id() -> str:
    """A short random id; it never contains `_` or `#`, so keys and table keys parse unambiguously."""
    return "m" + "".join(secrets.choice(_ALPHABET) for _ in range(11))


def new_key(kind: KeyKind, merchant_id: str) -> str:
    return f"{_PREFIX[kind]}{merchant_id}_{secrets.token_urlsafe(24)}"


def hash_key(key: str) -> str:
    """Keys carry 192 random bits, so a plain SHA-256 is as strong as a slow hash here."""
    return hashlib.sha256(key.encode()).hexdigest()


def merchant_of(key: str, kind: KeyKind) -> str | None:
    """The merchant id a well-formed key names, or None."""
    prefix = _PREFIX[kind]
    if not key.startswith(prefix) or len(key) > 200:
        return None
    merchant_id, sep, secret = key[len(prefix) :].partition("_")
    if not sep or not secret or not merchant_id.isalnum() or not merchant_id.isascii():
        return None
    return merchant_id


def key_item(key: str, kind: KeyKind, merchant_id: str, created_at: str) -> ApiKeyItem:
    return ApiKeyItem(
        k.merchant_pk(merchant_id),
        k.api_key_sk(hash_key(key)),
        merchant_id=merchant_id,
        key_kind=kind,
        hint=key[-4:],
        created_at=created_at,
    )


@dataclass
class _Cached:
    merchant_id: str | None
    until: float


class KeyVerifier:
    """Answers "which merchant owns this key?" with an in-memory cache, like an authorizer's cache."""

    def __init__(self, ttl_seconds: int) -> None:
        self._ttl = ttl_seconds
        self._cache: dict[str, _Cached] = {}

    def verify(self, key: str, kind: KeyKind) -> str | None:
        merchant_id = merchant_of(key, kind)
        if merchant_id is None:
            return None
        digest = hash_key(key)
        clock = time.monotonic()
        cached = self._cache.get(digest)
        if cached and cached.until > clock:
            return cached.merchant_id
        ensure_configured()
        try:
            item = ApiKeyItem.get(k.merchant_pk(merchant_id), k.api_key_sk(digest))
            valid = item.key_kind == kind and not item.revoked_at
        except ApiKeyItem.DoesNotExist:
            valid = False
        answer = merchant_id if valid else None
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[digest] = _Cached(answer, clock + self._ttl)
        return answer

    def forget(self) -> None:
        self._cache.clear()
