"""The interface every SMS gateway adapter implements, and what a send can come back as."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Status = Literal["sent", "failed", "refused"]


@dataclass(frozen=True)
class SmsResult:
    status: Status
    provider_message_id: str | None = None
    retryable: bool = False
    reason: str = ""
    cost: int | None = None
    # The request left but no answer came back: the gateway may have sent it. Settle it (`lookup`)
    # before trying again, or end it as failed; never resend blindly.
    ambiguous: bool = False


class SmsProvider(Protocol):
    def send(self, to_e164: str, text: str, *, local_id: str, promotional: bool) -> SmsResult: ...


def ambiguous(reason: str) -> SmsResult:
    """Sent, but no answer: the outcome is unknown until the gateway is asked."""
    return SmsResult("failed", retryable=True, reason=reason, ambiguous=True)


def transient(reason: str) -> SmsResult:
    """Worth trying again later: timeouts, 5xx, throttling, a busy gateway."""
    return SmsResult("failed", retryable=True, reason=reason)


def permanent(reason: str, status: Status = "failed") -> SmsResult:
    """Trying again cannot help: bad credentials, a refused or invalid number, no credit."""
    return SmsResult(status, retryable=False, reason=reason)


UNSUPPORTED_DESTINATION = "unsupported_destination"


def unsupported_destination() -> SmsResult:
    """This gateway cannot reach the number's country: the sender tries the customer's next channel."""
    return SmsResult("failed", retryable=False, reason=UNSUPPORTED_DESTINATION)
