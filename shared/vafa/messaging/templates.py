"""Default texts for every message kind, channel and language, and `compose` that fills one in.

A template has up to five parts: `sms`; `email_subject` and `email_body`; `push_title` and
`push_body`. A merchant's overrides (program `templates[kind][locale]`) replace single parts; the
rest come from the defaults. `{link}` always sits on its own last line so that, when a message has
no link, nothing dangles. Promotional SMS get the opt-out line the Iranian operators require.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from vafa.i18n.persian import normalize_text
from vafa.messaging.placeholders import render

KINDS = (
    "expiry_reminder",
    "win_back",
    "birthday",
    "abandoned_cart",
    "feedback_request",
    "purchase_thanks",
    "campaign",
    "browse_abandoned",
)
CHANNELS = ("sms", "email", "push")
PARTS = ("sms", "email_subject", "email_body", "push_title", "push_body")
# channel -> (subject or title part, body part)
CHANNEL_PARTS: dict[str, tuple[str | None, str]] = {
    "sms": (None, "sms"),
    "email": ("email_subject", "email_body"),
    "push": ("push_title", "push_body"),
}
OPT_OUT_LINE = {"fa": "لغو ۱۱", "en": "Reply 11 to opt out"}

Parts = dict[str, str]

DEFAULTS: dict[str, dict[str, Parts]] = {
    "expiry_reminder": {
        "fa": {
            "sms": "{name}، {amount} اعتبارتان در {shop} تا {expires_on} می‌سوزد.\n{link}",
            "email_subject": "{amount} اعتبار شما تا {expires_on} منقضی می‌شود",
            "email_body": "سلام {name} عزیز،\n\n{amount} از اعتبار کیف پول شما در {shop} تا {expires_on}"
            " منقضی می‌شود. کافی است تا پیش از این تاریخ خرید کنید تا این مبلغ از جمع سفارشتان کم شود.\n\n"
            "{link}\n\nبا سپاس،\n{shop}",
            "push_title": "اعتبار شما به‌زودی منقضی می‌شود",
            "push_body": "{amount} اعتبار شما در {shop} تا {expires_on} منقضی می‌شود. همین حالا استفاده کنید.",
        },
        "en": {
            "sms": "Hi {name}, {amount} of your {shop} credit expires on {expires_on}."
            " Use it while you can.\n{link}",
            "email_subject": "{amount} of your credit expires on {expires_on}",
            "email_body": "Hi {name},\n\n{amount} of your {shop} wallet credit expires on {expires_on}."
            " Place an order before then and it comes off your total.\n\n{link}\n\nThank you,\n{shop}",
            "push_title": "Your credit expires soon",
            "push_body": "{amount} of your {shop} credit expires on {expires_on}. Use it now.",
        },
    },
    "win_back": {
        "fa": {
            "sms": "{name} عزیز، دلمان برایتان تنگ شده! سری به {shop} بزنید.\n{link}",
            "email_subject": "{name} عزیز، دلمان برایتان تنگ شده",
            "email_body": "سلام {name} عزیز،\n\nمدتی است از شما در {shop} خبری نیست و جایتان خالی است."
            " در این مدت محصولات تازه‌ای آمده که شاید دوستشان داشته باشید.\n\n{link}\n\n"
            "منتظر دیدارتان هستیم،\n{shop}",
            "push_title": "دلمان برایتان تنگ شده",
            "push_body": "مدتی است به {shop} سر نزده‌اید. ببینید چه چیزهای تازه‌ای منتظر شماست.",
        },
        "en": {
            "sms": "Hi {name}, we miss you! Drop by {shop} and see what's new.\n{link}",
            "email_subject": "We miss you, {name}",
            "email_body": "Hi {name},\n\nIt's been a while since we last saw you at {shop}, and a lot has"
            " arrived since then that you might like.\n\n{link}\n\nHope to see you soon,\n{shop}",
            "push_title": "We miss you",
            "push_body": "It's been a while! See what's new at {shop}.",
        },
    },
    "birthday": {
        "fa": {
            "sms": "{name}، تولدتان مبارک! {gift} اعتبار هدیهٔ {shop} در کیف پولتان.\n{link}",
            "email_subject": "{name} عزیز، تولدتان مبارک!",
            "email_body": "سلام {name} عزیز،\n\nتولدتان مبارک! به همین مناسبت {gift} اعتبار هدیه به کیف پول"
            " شما در {shop} اضافه کردیم تا در خرید بعدی از آن استفاده کنید.\n\n{link}\n\n"
            "با آرزوی سالی پر از شادی،\n{shop}",
            "push_title": "تولدتان مبارک!",
            "push_body": "هدیهٔ تولد شما آماده است: {gift} اعتبار در کیف پولتان در {shop}.",
        },
        "en": {
            "sms": "Happy birthday, {name}! {shop} has added {gift} of credit to your wallet as a gift.\n{link}",
            "email_subject": "Happy birthday, {name}!",
            "email_body": "Hi {name},\n\nHappy birthday! To celebrate, we've added {gift} of credit to your"
            " {shop} wallet for your next order.\n\n{link}\n\nWishing you a wonderful year,\n{shop}",
            "push_title": "Happy birthday!",
            "push_body": "Your birthday gift is here: {gift} of credit in your {shop} wallet.",
        },
    },
    "abandoned_cart": {
        "fa": {
            "sms": "{name} عزیز، سبد خرید {cart_total} شما در {shop} منتظر شماست.\n{link}",
            "email_subject": "سبد خریدتان در {shop} منتظر شماست",
            "email_body": "سلام {name} عزیز،\n\nبه نظر می‌رسد خریدتان در {shop} نیمه‌کاره مانده است. سبد خرید"
            " شما به مبلغ {cart_total} هنوز سر جایش است؛ هر وقت آماده بودید، از همان‌جا که ماندید ادامه"
            " دهید.\n\n{link}\n\nبا سپاس،\n{shop}",
            "push_title": "سبد خریدتان منتظر شماست",
            "push_body": "خریدتان به مبلغ {cart_total} در {shop} نیمه‌کاره مانده است. تکمیلش کنید.",
        },
        "en": {
            "sms": "Hi {name}, you left something behind at {shop}: your {cart_total} cart is still waiting."
            "\n{link}",
            "email_subject": "Your {shop} cart is waiting",
            "email_body": "Hi {name},\n\nLooks like you didn't finish your order at {shop}. Your cart of"
            " {cart_total} is still there, so you can pick up right where you left off.\n\n{link}\n\n"
            "Thank you,\n{shop}",
            "push_title": "Your cart is waiting",
            "push_body": "Your {cart_total} cart at {shop} is still waiting. Finish your order.",
        },
    },
    "browse_abandoned": {
        "fa": {
            "sms": "{name} عزیز، محصولی که در {shop} دیدید هنوز منتظر شماست.\n{link}",
            "email_subject": "هنوز به آن فکر می‌کنید؟",
            "email_body": "سلام {name} عزیز،\n\nدیدیم که در {shop} سری به چند محصول زدید. اگر هنوز به آن‌ها"
            " فکر می‌کنید، همه سر جایشان هستند.\n\n{link}\n\nبا سپاس،\n{shop}",
            "push_title": "هنوز به آن فکر می‌کنید؟",
            "push_body": "محصولی که در {shop} دیدید هنوز منتظر شماست. نگاهی دوباره بیندازید.",
        },
        "en": {
            "sms": "Hi {name}, the product you looked at on {shop} is still waiting for you.\n{link}",
            "email_subject": "Still thinking it over?",
            "email_body": "Hi {name},\n\nWe saw you looking around {shop}. If you're still thinking about"
            " it, everything is right where you left it.\n\n{link}\n\nThank you,\n{shop}",
            "push_title": "Still thinking it over?",
            "push_body": "The product you looked at on {shop} is still waiting. Take another look.",
        },
    },
    "feedback_request": {
        "fa": {
            "sms": "{name} عزیز، خریدتان از {shop} چطور بود؟ نظرتان را بگویید.\n{link}",
            "email_subject": "تجربهٔ خریدتان از {shop} چطور بود؟",
            "email_body": "سلام {name} عزیز،\n\nممنون که از {shop} خرید کردید. دوست داریم بدانیم تجربه‌تان"
            " چطور بود؛ ثبت نظر کمتر از یک دقیقه وقت می‌گیرد.\n\n{link}\n\nبا سپاس،\n{shop}",
            "push_title": "خریدتان چطور بود؟",
            "push_body": "با یک امتیاز کوتاه به {shop} کمک کنید بهتر شود.",
        },
        "en": {
            "sms": "Hi {name}, how was your order from {shop}? Tell us and help us do better.\n{link}",
            "email_subject": "How was your order from {shop}?",
            "email_body": "Hi {name},\n\nThanks for shopping at {shop}. We'd love to know how it went;"
            " it takes less than a minute.\n\n{link}\n\nThank you,\n{shop}",
            "push_title": "How was your order?",
            "push_body": "Rate your {shop} order in one tap and help us do better.",
        },
    },
    "purchase_thanks": {
        "fa": {
            "sms": "{name} عزیز، از خریدتان از {shop} ممنونیم. موجودی کیف پول شما: {balance}\n{link}",
            "email_subject": "از خریدتان ممنونیم",
            "email_body": "سلام {name} عزیز،\n\nاز اینکه {shop} را انتخاب کردید ممنونیم. موجودی کیف پول شما"
            " اکنون {balance} است و در خریدهای بعدی می‌توانید از آن استفاده کنید.\n\n{link}\n\nبا سپاس،\n{shop}",
            "push_title": "از خریدتان ممنونیم",
            "push_body": "موجودی کیف پول شما در {shop}: {balance}",
        },
        "en": {
            "sms": "Thanks for your order, {name}! Your {shop} wallet balance is {balance}.\n{link}",
            "email_subject": "Thanks for your order",
            "email_body": "Hi {name},\n\nThank you for choosing {shop}. Your wallet balance is now {balance},"
            " ready for your next order.\n\n{link}\n\nThank you,\n{shop}",
            "push_title": "Thanks for your order",
            "push_body": "Your {shop} wallet balance: {balance}",
        },
    },
    "campaign": {
        "fa": {
            "sms": "{name} عزیز، خبرهای تازه‌ای در {shop} منتظر شماست.\n{link}",
            "email_subject": "خبری تازه از {shop}",
            "email_body": "سلام {name} عزیز،\n\nخبرهای تازه‌ای در {shop} منتظر شماست.\n\n{link}\n\nبا سپاس،\n{shop}",
            "push_title": "خبری تازه از {shop}",
            "push_body": "خبرهای تازه‌ای در {shop} منتظر شماست.",
        },
        "en": {
            "sms": "Hi {name}, there's something new waiting for you at {shop}.\n{link}",
            "email_subject": "News from {shop}",
            "email_body": "Hi {name},\n\nThere's something new waiting for you at {shop}.\n\n{link}\n\n"
            "Thank you,\n{shop}",
            "push_title": "News from {shop}",
            "push_body": "There's something new waiting for you at {shop}.",
        },
    },
}

# Used instead of the birthday defaults when there is no gift, so nobody is told of a zero gift.
BIRTHDAY_WITHOUT_GIFT: dict[str, Parts] = {
    "fa": {
        "sms": "{name} عزیز، تولدتان مبارک! سالی پر از شادی برایتان آرزو می‌کنیم. {shop}\n{link}",
        "email_subject": "{name} عزیز، تولدتان مبارک!",
        "email_body": "سلام {name} عزیز،\n\nتولدتان مبارک! امیدواریم سال تازهٔ زندگی‌تان پر از شادی و سلامتی"
        " باشد.\n\n{link}\n\nبا مهر،\n{shop}",
        "push_title": "تولدتان مبارک!",
        "push_body": "{shop} سالی پر از شادی و سلامتی برایتان آرزو می‌کند.",
    },
    "en": {
        "sms": "Happy birthday, {name}! Wishing you a year full of joy, from all of us at {shop}.\n{link}",
        "email_subject": "Happy birthday, {name}!",
        "email_body": "Hi {name},\n\nHappy birthday! We hope the year ahead brings you lots of joy.\n\n{link}\n\n"
        "Warm wishes,\n{shop}",
        "push_title": "Happy birthday!",
        "push_body": "Wishing you a year full of joy, from all of us at {shop}.",
    },
}

_SPACE_RUN = re.compile(r"[ \t]{2,}")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Message:
    """A composed message: `subject` is the email subject or push title (None for SMS)."""

    subject: str | None
    body: str

    @property
    def title(self) -> str | None:
        """The push title (the same field as the email subject)."""
        return self.subject


def _language(locale: str) -> str:
    return "fa" if locale.lower().replace("_", "-").split("-")[0] == "fa" else "en"


def _no_gift(values: Mapping[str, str]) -> bool:
    # A gift that reads as zero (`۰ تومان`) is no gift at all.
    digits = [ch for ch in normalize_text(str(values.get("gift") or "")) if ch.isascii() and ch.isdigit()]
    return not digits or set(digits) == {"0"}


def default_part(kind: str, locale: str, part: str, values: Mapping[str, str] | None = None) -> str:
    """The built-in text of one template part (the no-gift birthday text when the gift is zero)."""
    if kind not in DEFAULTS:
        raise ValueError(f"unknown message kind {kind!r}")
    if part not in PARTS:
        raise ValueError(f"unknown template part {part!r}")
    language = _language(locale)
    if kind == "birthday" and _no_gift(values or {}):
        return BIRTHDAY_WITHOUT_GIFT[language][part]
    return DEFAULTS[kind][language][part]


def _tidy(text: str) -> str:
    # Empty values leave double spaces, trailing spaces and runs of blank lines behind.
    lines = [_SPACE_RUN.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def has_opt_out(text: str, lines: Iterable[str] = OPT_OUT_LINE.values()) -> bool:
    """Whether the text already ends with an opt-out line (so that it is not added twice)."""

    def squeezed(value: str) -> str:
        return "".join(normalize_text(value).casefold().split())

    tail = squeezed(text)
    return any(tail.endswith(squeezed(line)) for line in lines if line.strip())


def compose(
    kind: str,
    channel: str,
    locale: str,
    values: Mapping[str, str],
    overrides: Mapping[str, str] | None = None,
    promotional: bool = True,
    opt_out_line: str | None = None,
) -> Message:
    """Fill the merchant's override of each part, or the default, for one channel and language.

    Promotional SMS end with the opt-out line (`لغو ۱۱` in Persian; `opt_out_line` replaces it).
    """
    if kind not in DEFAULTS:
        raise ValueError(f"unknown message kind {kind!r}")
    if channel not in CHANNEL_PARTS:
        raise ValueError(f"unknown channel {channel!r}")
    language = _language(locale)

    def text(part: str) -> str:
        custom = (overrides or {}).get(part)
        template = custom if custom and custom.strip() else default_part(kind, language, part, values)
        return _tidy(render(template, values))

    subject_part, body_part = CHANNEL_PARTS[channel]
    subject = text(subject_part) if subject_part else None
    body = text(body_part)
    if channel == "sms" and promotional:
        line = opt_out_line or OPT_OUT_LINE[language]
        if not has_opt_out(body, (line, *OPT_OUT_LINE.values())):
            body = f"{body}\n{line}" if body else line
    return Message(subject, body)
