"""The merchant's program: cashback, expiry, reminders, quiet hours, caps and channels."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vafa.model import Choice, Int, Items, Mapping, Model, Str, field

MAX_MONEY = 10**15
MONEY = Int(ge=0, le=MAX_MONEY)
CHANNELS = ("push", "sms", "email")
MESSAGE_KINDS = (
    "expiry_reminder",
    "win_back",
    "birthday",
    "abandoned_cart",
    "feedback_request",
    "purchase_thanks",
    "campaign",
)
TEMPLATE_PARTS = ("sms", "email_subject", "email_body", "push_title", "push_body")
_CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d", re.ASCII)
_CURRENCY = re.compile(r"[A-Z]{3,4}", re.ASCII)
_DIGITS = re.compile(r"[0-9]{1,20}", re.ASCII)
_SENDER_ID = re.compile(r"[A-Za-z0-9]{1,11}", re.ASCII)


# The documented API host of each gateway; a deployment may name more (VAFA_SMS_EXTRA_HOSTS), e.g. a
# gateway's second data centre. A merchant's setting never points the senders anywhere else.
GATEWAY_HOSTS = {"kavenegar": ("api.kavenegar.com",), "smsir": ("api.sms.ir",)}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _local_stack() -> bool:
    from vafa.config import settings

    return settings().local_stack


def public_url(value: str) -> str:
    """Shop and campaign URLs: public https (loopback too on the local stack), as api.md says."""
    from vafa.urls import check_url_field

    return check_url_field(value, _local_stack())


def single_line(value: str) -> str:
    """Names shown in messages and email headers: one line, no control characters."""
    if _CONTROL.search(value):
        raise ValueError("must be one line without control characters")
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def gateway_base_url(provider: str, value: str) -> str:
    """A gateway's address: its documented host over https, a host the deployment allows, or
    loopback on the local stack; only scheme, host and port, so no setting can pick the path."""
    import os
    from urllib.parse import urlsplit

    from vafa.urls import check_url_field

    checked = check_url_field(value, _local_stack())
    parts = urlsplit(checked)
    if parts.path not in ("", "/") or parts.query or parts.fragment or checked.endswith(("?", "#")):
        raise ValueError("must be the gateway's address alone (scheme and host), without a path or query")
    host = (parts.hostname or "").lower()
    extra = [h.strip().lower() for h in os.environ.get("VAFA_SMS_EXTRA_HOSTS", "").split(",") if h.strip()]
    from vafa.urls import is_loopback

    loopback = is_loopback(host)  # only ever accepted on the local stack (check_url_field above)
    if not (loopback or host in GATEWAY_HOSTS.get(provider, ()) or host in extra):
        documented = ", ".join(GATEWAY_HOSTS.get(provider, ())) or "none"
        raise ValueError(f"must be {provider}'s own API host ({documented}) or one the deployment allows")
    return checked.rstrip("/")


def _distinct_days(value: list[int]) -> list[int]:
    return sorted(set(value), reverse=True)


def _clock(value: str) -> str:
    if not _CLOCK.fullmatch(value):
        raise ValueError("must be HH:MM (24-hour)")
    return value


def _currency(value: str) -> str:
    if not _CURRENCY.fullmatch(value):
        raise ValueError("must be an ISO-4217 style code such as IRR, IRT or USD")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("must be an IANA time zone such as Asia/Tehran") from exc
    return value


def _channels(value: list[str]) -> list[str]:
    if len(set(value)) != len(value):
        raise ValueError("must not repeat a channel")
    return value


def _templates(value: dict[str, dict[str, dict[str, str]]]) -> dict[str, dict[str, dict[str, str]]]:
    for kind, locales in value.items():
        if kind not in MESSAGE_KINDS:
            raise ValueError(f"unknown message kind {kind!r}")
        for locale, parts in locales.items():
            if locale not in ("fa", "en"):
                raise ValueError(f"unknown locale {locale!r} for {kind}")
            for part, text in parts.items():
                if part not in TEMPLATE_PARTS:
                    raise ValueError(f"unknown template part {part!r} for {kind}.{locale}")
                from vafa.messaging.placeholders import validate_template

                unknown = validate_template(text)
                if unknown:
                    raise ValueError(
                        f"{kind}.{locale}.{part} uses unknown placeholders: {', '.join(unknown)}"
                    )
    return value


class Reminders(Model, extra="forbid"):
    expiry_days_before: list[int] | None = field(
        Items(Int(ge=1, le=365), max_length=10), factory=lambda: [3, 1], nullable=True, after=_distinct_days
    )
    win_back_after_days: int | None = field(Int(ge=1, le=3650), 30, nullable=True)
    win_back_mode: str = field(Choice("fixed", "personal"), "fixed")
    birthday_gift_amount: int | None = field(MONEY, 0, nullable=True)
    birthday_gift_expiry_days: int = field(Int(ge=1, le=3650), 14)
    abandoned_cart_after_minutes: int | None = field(Int(ge=5, le=10080), 60, nullable=True)
    feedback_after_days: int | None = field(Int(ge=0, le=365), 2, nullable=True)


class QuietHours(Model, extra="forbid"):
    start: str = field(Str(), "21:00", after=_clock)
    end: str = field(Str(), "09:00", after=_clock)


class SmsSettings(Model, extra="forbid"):
    """Which SMS gateway sends for this merchant; its API key is a secret in SSM, never here."""

    # None until the merchant picks a gateway: no SMS leaves (decisions say channel_not_configured).
    # "local" is the local stack's stand-in and counts as no gateway anywhere else.
    provider: str | None = field(Choice("kavenegar", "smsir", "sns", "local"), None)
    sender: str | None = field(Str(max_length=30), None)
    base_url: str | None = field(Str(max_length=300), None)
    # Numbers outside +98: None refuses them (the next channel is tried), "sns" sends them through
    # Amazon SNS, "gateway" through the provider itself (Kavenegar sends abroad; SMS.ir does not).
    international: str | None = field(Choice("sns", "gateway"), None)
    international_sender_id: str | None = field(Str(max_length=11, pattern=r"[A-Za-z0-9]+"), None)

    def check_model(self) -> None:
        if self.base_url is not None:
            if self.provider not in GATEWAY_HOSTS and self.provider not in ("local", None):
                raise ValueError(f"base_url: {self.provider} takes no address")
            try:
                self.base_url = gateway_base_url(self.provider or "none", self.base_url)
            except ValueError as exc:
                raise ValueError(f"base_url: {exc}") from None
        if self.provider == "sns" and self.international:
            raise ValueError("international: provider sns already sends every number; leave it unset")
        if self.international == "gateway" and self.provider not in ("kavenegar", "local", None):
            raise ValueError(f"international: {self.provider} cannot send outside Iran; use sns")
        if self.provider == "smsir" and self.sender is not None and not _DIGITS.fullmatch(self.sender):
            raise ValueError("sender: the SMS.ir line number, digits only")
        if self.provider == "sns" and self.sender is not None and not _SENDER_ID.fullmatch(self.sender):
            raise ValueError("sender: an SNS SenderID is 1-11 letters and digits")


class EmailSettings(Model, extra="forbid"):
    from_address: str = field(Str(max_length=254, pattern=r"[^@\s]+@[^@\s]+"), "no-reply@example.com")


class Program(Model, extra="forbid"):
    """Per-merchant settings with the defaults of the API contract."""

    currency: str = field(Str(), "IRR", after=_currency)
    timezone: str = field(Str(), "Asia/Tehran", after=_timezone)
    default_locale: str = field(Choice("fa", "en"), "fa")
    cashback_rate_bps: int = field(Int(ge=0, le=10_000), 500)
    min_purchase_amount: int = field(MONEY, 0)
    max_cashback_per_purchase: int | None = field(MONEY, None)
    cashback_expiry_days: int = field(Int(ge=1, le=3650), 30)
    reminders: Reminders = field(Reminders, factory=Reminders)
    quiet_hours: QuietHours | None = field(QuietHours, factory=QuietHours, nullable=True)
    max_marketing_messages_per_week: int = field(Int(ge=0, le=100), 3)
    channel_order: list[str] = field(
        Items(Choice(*CHANNELS), max_length=3), factory=lambda: list(CHANNELS), after=_channels
    )
    holdout_percent: int = field(Int(ge=0, le=50), 0)
    attribution_window_days: int = field(Int(ge=1, le=90), 7)
    shop_name: str | None = field(Str(max_length=100), None, after=single_line)
    shop_url: str | None = field(Str(max_length=500), None, after=public_url)
    templates: dict[str, dict[str, dict[str, str]]] = field(
        Mapping(Mapping(Mapping(Str(max_length=2000)))), factory=dict, after=_templates
    )
    # How amounts read in messages; IRR shops show Toman.
    display_unit: str | None = field(Choice("IRR", "IRT"), None)
    sms: SmsSettings = field(SmsSettings, factory=SmsSettings)
    email: EmailSettings = field(EmailSettings, factory=EmailSettings)


# Fields whose value is an object merged field by field on update (the rest are replaced whole).
_MERGED = ("reminders", "templates", "sms", "email")


def merge_update(current: Program, update: dict[str, Any]) -> dict[str, Any]:
    """The raw settings after a partial update: named fields replaced, `reminders` merged per field."""
    merged = current.model_dump()
    for key, value in update.items():
        if key in _MERGED and isinstance(value, dict) and isinstance(merged.get(key), dict):
            if key == "templates":
                for kind, locales in value.items():
                    merged_kind = merged["templates"].setdefault(kind, {})
                    if isinstance(locales, dict) and isinstance(merged_kind, dict):
                        for locale, parts in locales.items():
                            if isinstance(parts, dict):
                                merged_kind[locale] = {**merged_kind.get(locale, {}), **parts}
                            else:  # not an object: kept as sent, so the check names it (422)
                                merged_kind[locale] = parts
                    else:
                        merged["templates"][kind] = locales
            else:
                merged[key] = {**merged[key], **value}
        elif key == "quiet_hours" and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged
