"""Builds the merchant's SMS provider from its program settings and its secret API key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vafa.channels.sms.base import SmsProvider, SmsResult


class Routed:
    """Iranian numbers through the merchant's gateway, the rest through Amazon SNS."""

    def __init__(self, domestic: SmsProvider, international: SmsProvider) -> None:
        self.domestic, self.international = domestic, international

    def send(self, to_e164: str, text: str, *, local_id: str, promotional: bool) -> SmsResult:
        chosen = self.domestic if to_e164.startswith("+98") else self.international
        return chosen.send(to_e164, text, local_id=local_id, promotional=promotional)


def _gateway(name: str, config: dict[str, Any], secrets: Callable[[str], str]) -> SmsProvider:
    if name == "local":
        from vafa.channels.sms.local import LOCAL

        return LOCAL
    if name == "sns":
        from vafa.channels.sms.sns import Sns

        return Sns(config.get("sender"))
    api_key = secrets(str(config.get("api_key_secret", "")))
    if name == "kavenegar":
        from vafa.channels.sms.kavenegar import Kavenegar

        return Kavenegar(
            api_key, config.get("sender"), base_url=config.get("base_url") or "https://api.kavenegar.com"
        )
    if name == "smsir":
        from vafa.channels.sms.smsir import SmsIr

        return SmsIr(api_key, config.get("sender"), base_url=config.get("base_url") or "https://api.sms.ir")
    raise ValueError(f"unknown SMS provider {name!r}")


def provider_for(config: dict[str, Any], secrets: Callable[[str], str]) -> SmsProvider:
    name = config.get("provider") or "local"
    gateway = _gateway(name, config, secrets)
    if config.get("international") == "sns" and name != "sns":
        from vafa.channels.sms.sns import Sns

        return Routed(gateway, Sns(config.get("international_sender_id")))
    return gateway
