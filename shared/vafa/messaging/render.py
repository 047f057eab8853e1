"""Turns a candidate into the text a customer reads: formatted values, tracked links, templates."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from vafa.i18n.persian import format_date, format_money, format_number
from vafa.messaging import links
from vafa.messaging.templates import compose
from vafa.program import Program
from vafa.store.models import CustomerItem

if TYPE_CHECKING:
    from vafa.messaging.candidate import Candidate

_FRIEND = {"fa": "دوست", "en": "friend"}
_MONEY_FIELDS = ("amount", "balance", "gift", "cart_total")


@dataclass(frozen=True)
class Rendered:
    subject: str | None
    body: str
    link: str | None
    unsubscribe: str | None
    parts: str = "{}"  # JSON of the display values and template overrides, to render for another channel
    link_items: tuple[Any, ...] = ()  # short links to store with the decision (LinkItem)


def public_url() -> str:
    """Where links in messages point: the deployment's short link domain when it has one (a domain
    that forwards /r/, /f/ and /u/ to the API, so an SMS link stays short), else the API itself."""
    return (os.environ.get("VAFA_LINK_BASE_URL") or os.environ.get("VAFA_PUBLIC_URL", "")).rstrip("/")


def values_for(
    program: Program, customer: CustomerItem, values: dict[str, Any], locale: str
) -> dict[str, str]:
    """Every placeholder as display text in the customer's language."""
    shown: dict[str, str] = {
        "name": customer.name or _FRIEND.get(locale, "friend"),
        "shop": program.shop_name or "",
    }
    for key, value in values.items():
        if key in _MONEY_FIELDS and isinstance(value, int):
            shown[key] = format_money(value, program.currency, locale, program.display_unit)
        elif isinstance(value, date):
            shown[key] = format_date(value, locale)
        elif isinstance(value, int):
            shown[key] = format_number(value, locale)
        else:
            shown[key] = str(value)
    return shown


def opt_out_link(public_url: str, merchant_id: str, customer_id: str, channel: str) -> str:
    return f"{public_url}/u/{links.sign('u', {'m': merchant_id, 'c': customer_id, 'ch': channel})}"


def message_for(
    merchant_id: str,
    program: Program,
    customer: CustomerItem,
    candidate: Candidate,
    channel: str,
    locale: str,
    nid: str,
    public_url: str,
) -> Rendered:
    from vafa.messaging.short_links import link_item, short_id

    link: str | None = None
    stored: list[Any] = []
    who = {"m": merchant_id, "c": customer.customer_id, "n": nid}
    if candidate.kind == "feedback_request":
        link_id = short_id("f", nid)
        link = f"{public_url}/f/{link_id}"
        stored.append(link_item("f", link_id, {**who, "o": candidate.ref}))
    elif candidate.target_url:
        link_id = short_id("r", nid)
        link = f"{public_url}/r/{link_id}"
        stored.append(link_item("r", link_id, {**who, "u": candidate.target_url}))
    values = values_for(program, customer, candidate.values, locale)
    values["link"] = link or ""
    overrides = dict((program.templates.get(candidate.kind) or {}).get(locale) or {})
    if candidate.template:
        text = candidate.template.get(locale) or next(iter(candidate.template.values()))
        overrides = {**overrides, "sms": text, "push_body": text, "email_body": text}
    from vafa.messaging.policy import MARKETING_KINDS

    message = compose(candidate.kind, channel, locale, values, overrides, candidate.kind in MARKETING_KINDS)
    unsubscribe = (
        opt_out_link(public_url, merchant_id, customer.customer_id, channel) if channel != "sms" else None
    )
    parts = json.dumps({"values": values, "overrides": overrides}, ensure_ascii=False)
    return Rendered(getattr(message, "subject", None), message.body, link, unsubscribe, parts, tuple(stored))


def render_again(
    kind: str, channel: str, locale: str, parts: str | None, promotional: bool
) -> Rendered | None:
    """The same message for another channel (a fallback), from the parts kept with the decision."""
    if not parts:
        return None
    stored = json.loads(parts)
    message = compose(kind, channel, locale, stored["values"], stored["overrides"], promotional)
    return Rendered(
        getattr(message, "subject", None), message.body, stored["values"].get("link") or None, None, parts
    )
