"""Persian display rules: digits, the Arabic thousands separator, Jalali dates, Toman."""

from __future__ import annotations

import re
from datetime import date

import jdatetime

_TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_TO_ASCII = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
THOUSANDS = "\u066c"  # ARABIC THOUSANDS SEPARATOR
JALALI_MONTHS = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
WEEKDAYS = ("شنبه", "یک‌شنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنج‌شنبه", "جمعه")  # Saturday first
_INVISIBLE = re.compile("[\u200c\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\u0640\ufeff]")
# Currencies whose smallest unit is a hundredth; everything Iranian is already a whole unit.
_CENTS = {"USD", "EUR", "GBP", "AED", "TRY", "CAD", "AUD", "CHF"}
_UNIT_NAMES = {
    "fa": {"IRR": "ریال", "IRT": "تومان", "IRHR": "هزار ریال", "IRHT": "هزار تومان"},
    "en": {"IRR": "rials", "IRT": "Toman", "IRHR": "thousand rials", "IRHT": "thousand Toman"},
}


def to_persian_digits(text: str) -> str:
    return text.translate(_TO_PERSIAN)


def normalize_text(text: str) -> str:
    """For matching only: Arabic ي/ك to Persian, invisible marks and tatweel removed, ASCII digits."""
    return _INVISIBLE.sub("", text.replace("ي", "ی").replace("ك", "ک")).translate(_TO_ASCII).strip()


def format_number(value: int, locale: str) -> str:
    grouped = f"{value:,}"
    if locale == "fa":
        return to_persian_digits(grouped.replace(",", THOUSANDS))
    return grouped


def format_money(amount: int, currency: str, locale: str, display_unit: str | None = None) -> str:
    """An amount stored in the program currency, as a shopper reads it (IRR shows as Toman by default)."""
    unit = currency
    if currency == "IRR" and display_unit != "IRR":
        amount, unit = amount // 10, "IRT"
    names = _UNIT_NAMES["fa" if locale == "fa" else "en"]
    if unit in names:
        return f"{format_number(amount, locale)} {names[unit]}"
    if unit in _CENTS:
        whole, cents = divmod(amount, 100)
        text = f"{format_number(whole, locale)}.{cents:02d}"
        return f"{to_persian_digits(text) if locale == 'fa' else text} {unit}"
    return f"{format_number(amount, locale)} {unit}"


def format_date(day: date, locale: str, numeric: bool = False) -> str:
    """fa: Jalali (`۱ آذر ۱۴۰۵` or `۱۴۰۵/۰۹/۰۱`); en: `22 Nov 2026`."""
    if locale != "fa":
        return f"{day.day} {day.strftime('%b %Y')}"
    jalali = jdatetime.date.fromgregorian(date=day)
    if numeric:
        return to_persian_digits(f"{jalali.year:04d}/{jalali.month:02d}/{jalali.day:02d}")
    return (
        to_persian_digits(f"{jalali.day} ")
        + JALALI_MONTHS[jalali.month - 1]
        + to_persian_digits(f" {jalali.year}")
    )


def weekday(day: date) -> str:
    return WEEKDAYS[(day.weekday() + 2) % 7]
