"""A message kind's texts filled in for a sample customer, as the panel's template editor shows them.

The sample reads like a real message: the merchant's own shop name and currency, Persian digits and a
Jalali date in Persian, a link as long as a real tracked one, and the opt-out line promotional SMS
carry, so the part count is the one the gateway will bill.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from vafa.errors import ValidationFailed
from vafa.i18n.persian import format_date, format_money, format_number
from vafa.messaging.placeholders import is_gsm7, sms_parts, validate_template
from vafa.messaging.policy import MARKETING_KINDS
from vafa.messaging.templates import PARTS, compose, default_part
from vafa.program import Program

_NAMES = {"fa": "سارا", "en": "Sara"}
# Sample amounts in rials; shown in the program's own unit.
_SAMPLE_RIALS = {"amount": 500_000, "balance": 1_250_000, "cart_total": 3_480_000}


def sample_values(program: Program, locale: str, link_base: str, now: datetime) -> dict[str, str]:
    """Every placeholder's value for the sample customer, in `locale`."""
    today = now.astimezone(ZoneInfo(program.timezone)).date()
    gift = program.reminders.birthday_gift_amount or 0

    def money(rials: int) -> str:
        return format_money(rials, program.currency, locale, program.display_unit)

    return {
        "name": _NAMES[locale],
        "shop": program.shop_name or ("فروشگاه شما" if locale == "fa" else "your shop"),
        "amount": money(_SAMPLE_RIALS["amount"]),
        "balance": money(_SAMPLE_RIALS["balance"]),
        "cart_total": money(_SAMPLE_RIALS["cart_total"]),
        "gift": money(gift),
        "expires_on": format_date(today + timedelta(days=3), locale),
        "days": format_number(3, locale),
        # As long as a real tracked link (`/r/` and ten characters), so the count is honest.
        "link": f"{link_base.rstrip('/')}/r/a1B2c3D4e5",
        "order_id": "1042",
    }


def preview(
    program: Program,
    kind: str,
    locale: str,
    edited: dict[str, str],
    link_base: str,
    now: datetime,
    sms_part_price: int | None = None,
) -> dict[str, Any]:
    """The sms, email and push texts of `kind` in `locale` with `edited` parts over the program's own."""
    for part, text in edited.items():
        unknown = validate_template(text)
        if unknown:
            # The words of the program API's refusal, so the editor shows the same message.
            raise ValidationFailed(
                f"{kind}.{locale}.{part} uses unknown placeholders: {', '.join(unknown)}",
                field=f"template.{part}",
            )
    overrides = {**((program.templates.get(kind) or {}).get(locale) or {}), **edited}
    values = sample_values(program, locale, link_base, now)
    promotional = kind in MARKETING_KINDS
    sms = compose(kind, "sms", locale, values, overrides, promotional)
    email = compose(kind, "email", locale, values, overrides, promotional)
    push = compose(kind, "push", locale, values, overrides, promotional)
    parts = sms_parts(sms.body)
    defaults = {part: default_part(kind, locale, part, values) for part in PARTS}
    custom = {part: text for part, text in overrides.items() if part in PARTS and text and text.strip()}
    return {
        "kind": kind,
        "locale": locale,
        "sample": values,
        # The texts as the editor shows them: the merchant's own where set, else the built-in ones.
        "template": {part: custom.get(part) or defaults[part] for part in PARTS},
        "defaults": defaults,
        "customized": sorted(custom, key=PARTS.index),
        "sms": {
            "subject": None,
            "body": sms.body,
            "parts": parts,
            "characters": len(sms.body),
            "encoding": "gsm7" if is_gsm7(sms.body) else "ucs2",
            "cost": parts * sms_part_price if sms_part_price is not None else None,
        },
        "email": {"subject": email.subject, "body": email.body},
        "push": {"subject": push.subject, "body": push.body},
    }
