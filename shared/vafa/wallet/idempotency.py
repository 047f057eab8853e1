"""Client ids make writes idempotent: same body replays the first answer, another body is a conflict."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from vafa.errors import IdempotencyConflict


def request_hash(body: dict[str, Any]) -> str:
    """Fingerprint of a request body, independent of key order and whitespace."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def replay(stored_hash: str, stored_response: str, incoming_hash: str, what: str) -> dict[str, Any]:
    """The original answer for a retried request, or a 409 when the id was reused for another body."""
    if stored_hash != incoming_hash:
        raise IdempotencyConflict(f"{what} was already used with a different request body")
    answer: dict[str, Any] = json.loads(stored_response)
    return answer
