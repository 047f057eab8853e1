"""The merchant's program: cashback, expiry, reminders, quiet hours, caps and channels."""

# No `from __future__ import annotations`: the records' annotations are made once, at import, as
# objects msgspec reads directly; as strings, the first request would compile and evaluate each one.

import re
from typing import Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from msgspec import field

from vafa.records import Check, Meta, Record, whole

MAX_MONEY = 10**15
# Amounts in the currency's smallest unit: JSON integers, never negative, at most 10^15.
Money = Annotated[int, Meta(ge=0, le=MAX_MONEY)]
Channel = Literal["push", "sms", "email"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)
MESSAGE_KINDS = (
    "expiry_reminder",
    "win_back",
    "birthday",
    "abandoned_cart",
    "feedback_request",
    "purchase_thanks",
    "campaign",
    "browse_abandoned",
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


class Reminders(Record, forbid_unknown_fields=True):
    expiry_days_before: (
        Annotated[list[Annotated[int, Meta(ge=1, le=365)]], Meta(max_length=10), Check(_distinct_days)] | None
    ) = field(default_factory=lambda: [3, 1])
    win_back_after_days: Annotated[int, Meta(ge=1, le=3650)] | None = 30
    win_back_mode: Literal["fixed", "personal"] = "fixed"
    birthday_gift_amount: Money | None = 0
    birthday_gift_expiry_days: Annotated[int, Meta(ge=1, le=3650)] = 14
    abandoned_cart_after_minutes: Annotated[int, Meta(ge=5, le=10080)] | None = 60
    feedback_after_days: Annotated[int, Meta(ge=0, le=365)] | None = 2
    # Products viewed and no purchase within the window: one nudge per browsing session.
    browse_abandoned_after_minutes: Annotated[int, Meta(ge=5, le=10080)] | None = 60


Clock = Annotated[str, Check(_clock)]


class QuietHours(Record, forbid_unknown_fields=True):
    start: Clock = "21:00"
    end: Clock = "09:00"


class SmsSettings(Record, forbid_unknown_fields=True):
    """Which SMS gateway sends for this merchant; its API key is a secret in SSM, never here."""

    # None until the merchant picks a gateway: no SMS leaves (decisions say channel_not_configured).
    # "local" is the local stack's stand-in and counts as no gateway anywhere else.
    provider: Literal["kavenegar", "smsir", "sns", "local"] | None = None
    sender: Annotated[str, Meta(max_length=30)] | None = None
    base_url: Annotated[str, Meta(max_length=300)] | None = None
    # Numbers outside +98: None refuses them (the next channel is tried), "sns" sends them through
    # Amazon SNS, "gateway" through the provider itself (Kavenegar sends abroad; SMS.ir does not).
    international: Literal["sns", "gateway"] | None = None
    international_sender_id: Annotated[str, Meta(max_length=11, pattern=whole("[A-Za-z0-9]+"))] | None = None

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


class EmailSettings(Record, forbid_unknown_fields=True):
    from_address: Annotated[str, Meta(max_length=254, pattern=whole(r"[^@\s]+@[^@\s]+"))] = (
        "no-reply@example.com"
    )


# Message templates: kind → locale → part → text (the keys are checked by `_templates`).
Templates = dict[str, dict[str, dict[str, Annotated[str, Meta(max_length=2000)]]]]
PublicUrl = Annotated[str, Check(public_url)]
SingleLine = Annotated[str, Check(single_line)]


class Program(Record, forbid_unknown_fields=True):
    """Per-merchant settings with the defaults of the API contract."""

    currency: Annotated[str, Check(_currency)] = "IRR"
    timezone: Annotated[str, Check(_timezone)] = "Asia/Tehran"
    default_locale: Literal["fa", "en"] = "fa"
    cashback_rate_bps: Annotated[int, Meta(ge=0, le=10_000)] = 500
    min_purchase_amount: Money = 0
    max_cashback_per_purchase: Money | None = None
    cashback_expiry_days: Annotated[int, Meta(ge=1, le=3650)] = 30
    # Checkout holds not captured or voided within this many minutes are voided by themselves.
    hold_minutes: Annotated[int, Meta(ge=1, le=10_080)] = 30
    # The largest share of an order (its `order_total`) one redemption's credit may cover.
    max_redeem_percent: Annotated[int, Meta(ge=1, le=100)] = 100
    reminders: Reminders = field(default_factory=Reminders)
    quiet_hours: QuietHours | None = field(default_factory=QuietHours)
    max_marketing_messages_per_week: Annotated[int, Meta(ge=0, le=100)] = 3
    channel_order: Annotated[list[Channel], Meta(max_length=3), Check(_channels)] = field(
        default_factory=lambda: list(CHANNELS)
    )
    holdout_percent: Annotated[int, Meta(ge=0, le=50)] = 0
    attribution_window_days: Annotated[int, Meta(ge=1, le=90)] = 7
    shop_name: Annotated[SingleLine, Meta(max_length=100)] | None = None
    shop_url: Annotated[PublicUrl, Meta(max_length=500)] | None = None
    templates: Annotated[Templates, Check(_templates)] = field(default_factory=dict)
    # How amounts read in messages; IRR shops show Toman.
    display_unit: Literal["IRR", "IRT"] | None = None
    sms: SmsSettings = field(default_factory=SmsSettings)
    email: EmailSettings = field(default_factory=EmailSettings)


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
