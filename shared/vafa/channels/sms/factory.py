"""Builds the merchant's SMS provider from its program settings and its secret API key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vafa.channels.sms.base import SmsProvider


def provider_for(config: dict[str, Any], secrets: Callable[[str], str]) -> SmsProvider:
    name = config.get("provider") or "local"
    if name == "local":
        from vafa.channels.sms.local import LOCAL

        return LOCAL
    api_key = secrets(str(config.get("api_key_secret", "")))
    if name == "kavenegar":
        from vafa.channels.sms.kavenegar import Kavenegar

        return Kavenegar(
            api_key, config.get("sender"), base_url=config.get("base_url") or "https://api.kavenegar.com"
        )
    raise ValueError(f"unknown SMS provider {name!r}")
