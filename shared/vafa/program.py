"""The merchant's program: cashback, expiry, reminders, quiet hours, caps and channels."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

MAX_MONEY = 10**15
Money = Annotated[StrictInt, Field(ge=0, le=MAX_MONEY)]
Channel = Literal["push", "sms", "email"]
MESSAGE_KINDS = (
    "expiry_reminder",
    "win_back",
    "birthday",
    "abandoned_cart",
    "feedback_request",
    "purchase_thanks",
    "campaign",
)
_CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d", re.ASCII)
_CURRENCY = re.compile(r"[A-Z]{3,4}", re.ASCII)


class Reminders(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expiry_days_before: list[Annotated[StrictInt, Field(ge=1, le=365)]] | None = Field(
        default_factory=lambda: [3, 1], max_length=10
    )
    win_back_after_days: Annotated[StrictInt, Field(ge=1, le=3650)] | None = 30
    win_back_mode: Literal["fixed", "personal"] = "fixed"
    birthday_gift_amount: Money | None = 0
    birthday_gift_expiry_days: Annotated[StrictInt, Field(ge=1, le=3650)] = 14
    abandoned_cart_after_minutes: Annotated[StrictInt, Field(ge=5, le=10080)] | None = 60
    feedback_after_days: Annotated[StrictInt, Field(ge=0, le=365)] | None = 2

    @field_validator("expiry_days_before")
    @classmethod
    def _distinct_days(cls, value: list[int] | None) -> list[int] | None:
        return None if value is None else sorted(set(value), reverse=True)


class QuietHours(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: str = "21:00"
    end: str = "09:00"

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not isinstance(value, str) or not _CLOCK.fullmatch(value):
            raise ValueError("must be HH:MM (24-hour)")
        return value


_DIGITS = re.compile(r"[0-9]{1,20}", re.ASCII)
_SENDER_ID = re.compile(r"[A-Za-z0-9]{1,11}", re.ASCII)


class SmsSettings(BaseModel):
    """Which SMS gateway sends for this merchant; its API key is a secret in SSM, never here."""

    model_config = ConfigDict(extra="forbid")

    provider: Literal["kavenegar", "smsir", "sns", "local"] = "local"
    sender: Annotated[str, Field(max_length=30)] | None = None
    base_url: Annotated[str, Field(max_length=300, pattern=r"^https?://")] | None = None
    # Numbers outside +98: None refuses them (the next channel is tried), "sns" sends them through
    # Amazon SNS, "gateway" through the provider itself (Kavenegar sends abroad; SMS.ir does not).
    international: Literal["sns", "gateway"] | None = None
    international_sender_id: Annotated[str, Field(max_length=11, pattern=r"^[A-Za-z0-9]+$")] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SmsSettings:
        if self.provider == "sns" and self.international:
            raise ValueError("international: provider sns already sends every number; leave it unset")
        if self.international == "gateway" and self.provider not in ("kavenegar", "local"):
            raise ValueError(f"international: {self.provider} cannot send outside Iran; use sns")
        if self.provider == "smsir" and self.sender is not None and not _DIGITS.fullmatch(self.sender):
            raise ValueError("sender: the SMS.ir line number, digits only")
        if self.provider == "sns" and self.sender is not None and not _SENDER_ID.fullmatch(self.sender):
            raise ValueError("sender: an SNS SenderID is 1-11 letters and digits")
        return self


class EmailSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_address: Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")] = "no-reply@example.com"


class Program(BaseModel):
    """Per-merchant settings with the defaults of the API contract."""

    model_config = ConfigDict(extra="forbid")

    currency: str = "IRR"
    timezone: str = "Asia/Tehran"
    default_locale: Literal["fa", "en"] = "fa"
    cashback_rate_bps: Annotated[StrictInt, Field(ge=0, le=10_000)] = 500
    min_purchase_amount: Money = 0
    max_cashback_per_purchase: Money | None = None
    cashback_expiry_days: Annotated[StrictInt, Field(ge=1, le=3650)] = 30
    reminders: Reminders = Field(default_factory=Reminders)
    quiet_hours: QuietHours | None = Field(default_factory=QuietHours)
    max_marketing_messages_per_week: Annotated[StrictInt, Field(ge=0, le=100)] = 3
    channel_order: list[Channel] = Field(default_factory=lambda: ["push", "sms", "email"], max_length=3)
    holdout_percent: Annotated[StrictInt, Field(ge=0, le=50)] = 0
    attribution_window_days: Annotated[StrictInt, Field(ge=1, le=90)] = 7
    shop_name: Annotated[str, Field(max_length=100)] | None = None
    shop_url: Annotated[str, Field(max_length=500)] | None = None
    templates: dict[str, dict[str, dict[str, Annotated[str, Field(max_length=2000)]]]] = Field(
        default_factory=dict
    )
    display_unit: Literal["IRR", "IRT"] | None = None  # how amounts read in messages; IRR shops show Toman
    sms: SmsSettings = Field(default_factory=SmsSettings)
    email: EmailSettings = Field(default_factory=EmailSettings)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if not _CURRENCY.fullmatch(value):
            raise ValueError("must be an ISO-4217 style code such as IRR, IRT or USD")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("must be an IANA time zone such as Asia/Tehran") from exc
        return value

    @field_validator("channel_order")
    @classmethod
    def _channels(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("must not repeat a channel")
        return value

    @field_validator("templates")
    @classmethod
    def _templates(cls, value: dict[str, dict[str, dict[str, str]]]) -> dict[str, dict[str, dict[str, str]]]:
        for kind, locales in value.items():
            if kind not in MESSAGE_KINDS:
                raise ValueError(f"unknown message kind {kind!r}")
            for locale, parts in locales.items():
                if locale not in ("fa", "en"):
                    raise ValueError(f"unknown locale {locale!r} for {kind}")
                for part, text in parts.items():
                    if part not in ("sms", "email_subject", "email_body", "push_title", "push_body"):
                        raise ValueError(f"unknown template part {part!r} for {kind}.{locale}")
                    from vafa.messages.render import validate_template

                    unknown = validate_template(text)
                    if unknown:
                        raise ValueError(
                            f"{kind}.{locale}.{part} uses unknown placeholders: {', '.join(unknown)}"
                        )
        return value


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
                    if isinstance(locales, dict):
                        for locale, parts in locales.items():
                            merged_kind[locale] = {**merged_kind.get(locale, {}), **(parts or {})}
                    else:
                        merged["templates"][kind] = locales
            else:
                merged[key] = {**merged[key], **value}
        elif key == "quiet_hours" and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged
