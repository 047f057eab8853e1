"""Default texts for every message kind in Persian and English, and `compose` that picks and fills one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from vafa.messages.render import render

OPT_OUT_LINE = {"fa": "لغو ۱۱", "en": "Reply 11 to stop"}

# kind -> locale -> part -> text. Parts: sms, push_title, push_body, email_subject, email_body.
DEFAULTS: dict[str, dict[str, dict[str, str]]] = {
    "expiry_reminder": {
        "fa": {
            "sms": "{name} عزیز، {amount} از اعتبار شما در {shop} تا {expires_on} می‌سوزد. تا دیر نشده استفاده کنید: {link}",
            "push_title": "اعتبار شما رو به پایان است",
            "push_body": "{amount} اعتبار شما تا {expires_on} منقضی می‌شود.",
            "email_subject": "{amount} اعتبار شما تا {expires_on} منقضی می‌شود",
            "email_body": "{name} عزیز،\n\n{amount} از اعتبار کیف پول شما در {shop} تا {expires_on} منقضی می‌شود."
            " برای استفاده از آن کافی است تا آن روز خرید کنید:\n{link}",
        },
        "en": {
            "sms": "Hi {name}, {amount} of your {shop} credit expires on {expires_on}. Use it before then: {link}",
            "push_title": "Your credit is about to expire",
            "push_body": "{amount} of credit expires on {expires_on}.",
            "email_subject": "{amount} of your credit expires on {expires_on}",
            "email_body": "Hi {name},\n\n{amount} of your {shop} wallet credit expires on {expires_on}."
            " Spend it on your next order:\n{link}",
        },
    },
    "win_back": {
        "fa": {
            "sms": "{name} عزیز، دلمان برایتان تنگ شده! {shop} منتظر شماست. {link}",
            "push_title": "دلمان برایتان تنگ شده",
            "push_body": "سری به {shop} بزنید؛ چیزهای تازه‌ای منتظر شماست.",
            "email_subject": "{name} عزیز، دلمان برایتان تنگ شده",
            "email_body": "{name} عزیز،\n\nمدتی است از {shop} خبری از شما نداریم. سری به ما بزنید:\n{link}",
        },
        "en": {
            "sms": "Hi {name}, we miss you at {shop}! Come back and see what's new: {link}",
            "push_title": "We miss you",
            "push_body": "See what's new at {shop}.",
            "email_subject": "We miss you, {name}",
            "email_body": "Hi {name},\n\nIt has been a while since your last visit to {shop}. Come and see what's new:\n{link}",
        },
    },
    "birthday": {
        "fa": {
            "sms": "{name} عزیز، تولدتان مبارک! {shop} برایتان {gift} هدیه به کیف پولتان اضافه کرد. {link}",
            "push_title": "تولدتان مبارک!",
            "push_body": "هدیهٔ تولد شما در {shop}: {gift}",
            "email_subject": "تولدتان مبارک، {name}!",
            "email_body": "{name} عزیز،\n\nتولدتان مبارک! به همین مناسبت {gift} به کیف پول شما در {shop} اضافه شد.\n{link}",
        },
        "en": {
            "sms": "Happy birthday, {name}! {shop} added {gift} to your wallet as a gift. {link}",
            "push_title": "Happy birthday!",
            "push_body": "Your birthday gift from {shop}: {gift}",
            "email_subject": "Happy birthday, {name}!",
            "email_body": "Hi {name},\n\nHappy birthday! We added {gift} to your {shop} wallet.\n{link}",
        },
    },
    "abandoned_cart": {
        "fa": {
            "sms": "{name} عزیز، سبد خرید شما به مبلغ {cart_total} در {shop} منتظر شماست: {link}",
            "push_title": "سبد خریدتان منتظر شماست",
            "push_body": "خریدتان را به مبلغ {cart_total} کامل کنید.",
            "email_subject": "سبد خریدتان در {shop} منتظر شماست",
            "email_body": "{name} عزیز،\n\nسبد خرید شما به مبلغ {cart_total} هنوز در {shop} باز است. ادامهٔ خرید:\n{link}",
        },
        "en": {
            "sms": "Hi {name}, your {shop} cart ({cart_total}) is waiting for you: {link}",
            "push_title": "Your cart is waiting",
            "push_body": "Complete your {cart_total} order.",
            "email_subject": "Your {shop} cart is waiting",
            "email_body": "Hi {name},\n\nYour cart of {cart_total} is still open at {shop}. Pick up where you left off:\n{link}",
        },
    },
    "feedback_request": {
        "fa": {
            "sms": "{name} عزیز، خریدتان از {shop} چطور بود؟ نظرتان را در یک کلیک بگویید: {link}",
            "push_title": "خریدتان چطور بود؟",
            "push_body": "در یک کلیک به خرید خود از {shop} امتیاز دهید.",
            "email_subject": "خریدتان از {shop} چطور بود؟",
            "email_body": "{name} عزیز،\n\nممنون که از {shop} خرید کردید. نظرتان به ما کمک می‌کند:\n{link}",
        },
        "en": {
            "sms": "Hi {name}, how was your {shop} order? Tell us in one tap: {link}",
            "push_title": "How was your order?",
            "push_body": "Rate your {shop} order in one tap.",
            "email_subject": "How was your {shop} order?",
            "email_body": "Hi {name},\n\nThanks for shopping at {shop}. How did we do?\n{link}",
        },
    },
    "purchase_thanks": {
        "fa": {
            "sms": "{name} عزیز، از خریدتان ممنونیم. موجودی کیف پول شما در {shop}: {balance}",
            "push_title": "از خریدتان ممنونیم",
            "push_body": "موجودی کیف پول شما: {balance}",
            "email_subject": "از خریدتان از {shop} ممنونیم",
            "email_body": "{name} عزیز،\n\nاز خریدتان ممنونیم. موجودی کیف پول شما در {shop}: {balance}",
        },
        "en": {
            "sms": "Thanks for your order, {name}! Your {shop} wallet balance: {balance}",
            "push_title": "Thanks for your order",
            "push_body": "Your wallet balance: {balance}",
            "email_subject": "Thanks for your {shop} order",
            "email_body": "Hi {name},\n\nThanks for your order. Your {shop} wallet balance is {balance}.",
        },
    },
    "campaign": {
        "fa": {
            "sms": "{name} عزیز، {link}",
            "push_title": "{shop}",
            "push_body": "{link}",
            "email_subject": "{shop}",
            "email_body": "{name} عزیز،\n\n{link}",
        },
        "en": {
            "sms": "Hi {name}, {link}",
            "push_title": "{shop}",
            "push_body": "{link}",
            "email_subject": "{shop}",
            "email_body": "Hi {name},\n\n{link}",
        },
    },
}


@dataclass(frozen=True)
class Message:
    subject: str | None  # email subject or push title
    body: str


def _part(kind: str, locale: str, part: str, overrides: Mapping[str, str] | None) -> str:
    if overrides and overrides.get(part):
        return overrides[part]
    by_locale = DEFAULTS.get(kind) or DEFAULTS["campaign"]
    return (by_locale.get(locale) or by_locale["en"])[part]


def compose(
    kind: str,
    channel: str,
    locale: str,
    values: Mapping[str, str],
    overrides: Mapping[str, str] | None = None,
    promotional: bool = True,
) -> Message:
    """The message for one channel: the merchant's override if any, else the default; filled safely."""
    locale = locale if locale in ("fa", "en") else "en"
    if channel == "sms":
        body = " ".join(render(_part(kind, locale, "sms", overrides), values).split(" ")).strip()
        if promotional:
            body = f"{body}\n{OPT_OUT_LINE[locale]}"
        return Message(None, body)
    if channel == "push":
        return Message(
            render(_part(kind, locale, "push_title", overrides), values).strip(),
            render(_part(kind, locale, "push_body", overrides), values).strip(),
        )
    return Message(
        render(_part(kind, locale, "email_subject", overrides), values).strip(),
        render(_part(kind, locale, "email_body", overrides), values).strip(),
    )
