"""Builds the merchant's SMS provider from its program settings and its secret API key.

Iranian numbers (+98) go through the merchant's gateway. Numbers outside Iran go where the program's
`sms.international` says: `sns` through Amazon SNS, `gateway` through the same gateway (for gateways
that send abroad), and nowhere when it is unset: they come back as `unsupported_destination`, and
the sender moves on to the customer's next channel. A merchant whose provider is `sns` sends every
number through SNS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vafa.messaging.channels.sms.base import SmsProvider, SmsResult, unsupported_destination

IRAN = "+98"


class Unsupported:
    """Refuses every number: what foreign numbers meet when the merchant sends only inside Iran."""

    def __repr__(self) -> str:
        return "Unsupported()"

    def send(self, to_e164: str, text: str, *, local_id: str, promotional: bool) -> SmsResult:
        return unsupported_destination()


CHANNEL_NOT_CONFIGURED = "channel_not_configured"


class NotConfigured:
    """A merchant who chose no gateway: nothing leaves, and the sender moves to the next channel."""

    def __repr__(self) -> str:
        return "NotConfigured()"

    def send(self, to_e164: str, text: str, *, local_id: str, promotional: bool) -> SmsResult:
        return SmsResult("failed", reason=CHANNEL_NOT_CONFIGURED)


class Routed:
    """Iranian numbers through the merchant's gateway, the rest through `international`."""

    def __init__(self, domestic: SmsProvider, international: SmsProvider) -> None:
        self.domestic, self.international = domestic, international

    def __repr__(self) -> str:
        return f"Routed(domestic={self.domestic!r}, international={self.international!r})"

    def send(self, to_e164: str, text: str, *, local_id: str, promotional: bool) -> SmsResult:
        return self.route(to_e164).send(to_e164, text, local_id=local_id, promotional=promotional)

    def route(self, to_e164: str) -> SmsProvider:
        return self.domestic if to_e164.startswith(IRAN) else self.international


def _gateway(name: str, config: dict[str, Any], secrets: Callable[[str], str]) -> SmsProvider:
    if name == "local":
        from vafa.messaging.channels.sms.local import LOCAL

        return LOCAL
    if name == "sns":
        from vafa.messaging.channels.sms.sns import Sns

        return Sns(config.get("sender"))
    api_key = secrets(str(config.get("api_key_secret", "")))
    if name == "kavenegar":
        from vafa.messaging.channels.sms.kavenegar import Kavenegar

        return Kavenegar(
            api_key,
            config.get("sender"),
            base_url=config.get("base_url") or "https://api.kavenegar.com",
            timeout=_timeout(),
        )
    if name == "smsir":
        from vafa.messaging.channels.sms.smsir import SmsIr

        return SmsIr(
            api_key,
            config.get("sender"),
            base_url=config.get("base_url") or "https://api.sms.ir",
            timeout=_timeout(),
        )
    raise ValueError(f"unknown SMS provider {name!r}")


def _timeout() -> float:
    """Seconds to wait for a gateway's answer (VAFA_SMS_TIMEOUT_SECONDS, default 5)."""
    import os

    return float(os.environ.get("VAFA_SMS_TIMEOUT_SECONDS", "5"))


def _abroad(config: dict[str, Any], gateway: SmsProvider) -> SmsProvider:
    choice = config.get("international")
    if choice == "sns":
        from vafa.messaging.channels.sms.sns import Sns

        return Sns(config.get("international_sender_id"))
    if choice == "gateway":
        return gateway
    return Unsupported()


def provider_for(config: dict[str, Any], secrets: Callable[[str], str]) -> SmsProvider:
    """The provider for a program's `sms` settings; `secrets` reads the API key by its SSM name."""
    name = config.get("provider")
    if not name:
        return NotConfigured()
    gateway = _gateway(name, config, secrets)
    if name == "sns":
        return gateway
    return Routed(gateway, _abroad(config, gateway))
