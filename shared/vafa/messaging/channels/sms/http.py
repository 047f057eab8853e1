"""A small HTTP client for gateways: stdlib only, always a timeout, secrets kept out of errors."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: Any  # parsed JSON, or None when the body was not JSON


class HttpFailure(Exception):
    """The gateway could not be reached or did not answer in time (always transient).

    `ambiguous` is set when the request had been sent when it failed (no answer in time, the
    connection dropped while waiting): the gateway may have accepted it, so it must not be sent
    again blindly."""

    def __init__(self, reason: str, *, ambiguous: bool) -> None:
        super().__init__(reason)
        self.ambiguous = ambiguous


def request(
    method: str, url: str, *, data: bytes | None, headers: dict[str, str], timeout: float, redact: str = ""
) -> HttpAnswer:
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except urllib.error.URLError as exc:
        # urllib wraps failures of connecting and sending the request: nothing reached the gateway.
        reason = str(getattr(exc, "reason", exc))
        raise HttpFailure(reason.replace(redact, "***") if redact else reason, ambiguous=False) from None
    except (TimeoutError, ConnectionError, OSError) as exc:
        # Raised while waiting for or reading the answer: the request was already sent.
        reason = f"no answer: {type(exc).__name__}"
        raise HttpFailure(reason, ambiguous=True) from None
    try:
        body = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, ValueError):
        body = None
    return HttpAnswer(status, body)
