"""Persian (and plain English) display rules: digits, separators, Jalali dates, Iranian money units.

Everything here is pure and cheap to import: `jdatetime` is imported only inside the functions that
convert a date, so a Lambda that never shows a Jalali date does not pay for it at cold start.

Money: amounts are integers in the program currency's smallest unit. The Iranian units (`IRR` rial,
`IRT` Toman = 10 rials, `IRHR` thousand rials, `IRHT` thousand Toman, as WooCommerce names them)
convert into one another; converting to a larger unit floors (a customer is never promised more than
they have). An `IRR` program shows Toman unless `display_unit` says otherwise, because that is how
Iranian shoppers think about prices. Any other currency is shown in its own unit with its ISO 4217
decimals (`1250` USD cents → `12.50 USD`); `display_unit` is ignored for it, since no rate is known.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Literal

Locale = Literal["fa", "en"]

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
THOUSANDS_SEPARATOR = "\u066c"  # ARABIC THOUSANDS SEPARATOR, the one Persian typography uses
DECIMAL_SEPARATOR = "\u066b"  # ARABIC DECIMAL SEPARATOR

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
# Saturday first, as the Iranian week runs; compound names keep their zero-width non-joiner.
PERSIAN_WEEKDAYS = ("شنبه", "یک‌شنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنج‌شنبه", "جمعه")
ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
ENGLISH_WEEKDAYS = ("Saturday", "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday")

# Rials per unit of each Iranian currency code.
IRANIAN_UNITS = {"IRR": 1, "IRT": 10, "IRHR": 1_000, "IRHT": 10_000}
_UNIT_NAMES = {
    "fa": {"IRR": "ریال", "IRT": "تومان", "IRHR": "هزار ریال", "IRHT": "هزار تومان"},
    "en": {"IRR": "Rials", "IRT": "Toman", "IRHR": "thousand Rials", "IRHT": "thousand Toman"},
}
# ISO 4217 minor units that differ from the usual two decimals.
_MINOR_UNITS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG"), 0),
    **dict.fromkeys(("RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}

_TO_PERSIAN = str.maketrans("0123456789" + ARABIC_INDIC_DIGITS, PERSIAN_DIGITS * 2)
_TO_ASCII = str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS, "0123456789" * 2)
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})
# Zero-width (non-)joiners, direction marks and embeddings/isolates, the BOM and tatweel: invisible
# or purely typographic, so two strings that look the same must not differ by them when matched.
_INVISIBLE = re.compile("[\u0640\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")


def _locale(locale: str) -> Locale:
    return "fa" if locale.lower().replace("_", "-").split("-")[0] == "fa" else "en"


def to_persian_digits(text: str) -> str:
    """Replace ASCII and Arabic-Indic digits with Persian ones; everything else is kept."""
    return text.translate(_TO_PERSIAN)


def to_ascii_digits(text: str) -> str:
    """Replace Persian and Arabic-Indic digits with ASCII ones; everything else is kept."""
    return text.translate(_TO_ASCII)


def normalize_text(text: str) -> str:
    """For matching only, never display: Arabic ي/ى/ك → ی/ک, no ZWNJ/ZWJ/direction marks/tatweel,
    ASCII digits, NFKC (folds presentation forms pasted from PDFs), single spaces."""
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))
    # NFKC can itself produce tatweel (from presentation forms), hence the second pass.
    text = _INVISIBLE.sub("", text.translate(_LETTERS).translate(_TO_ASCII))
    return _SPACES.sub(" ", text).strip()


def format_number(n: int, locale: str) -> str:
    """Group thousands: `۱۲۵٬۰۰۰` in Persian, `125,000` in English."""
    grouped = f"{n:,}"
    if _locale(locale) == "fa":
        return to_persian_digits(grouped.replace(",", THOUSANDS_SEPARATOR))
    return grouped


def _decimal(whole: int, fraction: int, places: int, locale: Locale) -> str:
    text = format_number(whole, locale)
    if places == 0:
        return text
    point = DECIMAL_SEPARATOR if locale == "fa" else "."
    digits = f"{fraction:0{places}d}"
    return text + point + (to_persian_digits(digits) if locale == "fa" else digits)


def format_money(amount_in_unit: int, currency: str, locale: str, display_unit: str | None = None) -> str:
    """An amount stored in the program currency, as a shopper reads it: `۱۲۵٬۰۰۰ تومان`, `12.50 USD`."""
    lang = _locale(locale)
    code = currency.upper()
    sign, magnitude = ("-" if amount_in_unit < 0 else ""), abs(amount_in_unit)
    if code in IRANIAN_UNITS:
        unit = (display_unit or ("IRT" if code == "IRR" else code)).upper()
        if unit not in IRANIAN_UNITS:
            unit = code
        # Through rials: converting to a smaller unit is exact, to a larger one floors.
        shown = magnitude * IRANIAN_UNITS[code] // IRANIAN_UNITS[unit]
        name = "Rial" if (lang, unit, shown) == ("en", "IRR", 1) else _UNIT_NAMES[lang][unit]
        return f"{sign}{format_number(shown, lang)} {name}"
    places = _MINOR_UNITS.get(code, 2)
    whole, fraction = divmod(magnitude, 10**places)
    return f"{sign}{_decimal(whole, fraction, places, lang)} {code}"


def jalali_parts(d: date) -> tuple[int, int, int]:
    """The Jalali (year, month, day) of a Gregorian date."""
    import jdatetime  # deferred: see the module docstring

    j = jdatetime.date.fromgregorian(year=d.year, month=d.month, day=d.day)
    return j.year, j.month, j.day


def weekday_name(d: date, locale: str) -> str:
    """The weekday's name: `پنج‌شنبه` (with its ZWNJ) or `Thursday`."""
    index = (d.weekday() + 2) % 7  # Python counts from Monday, the Iranian week from Saturday
    return (PERSIAN_WEEKDAYS if _locale(locale) == "fa" else ENGLISH_WEEKDAYS)[index]


def format_date(d: date, locale: str, numeric: bool = False, weekday: bool = False) -> str:
    """fa: Jalali `۱ آذر ۱۴۰۵` (numeric `۱۴۰۵/۰۹/۰۱`); en: `22 Nov 2026` (numeric `2026-11-22`).

    `d` is a calendar date already in the merchant's timezone; `weekday` prefixes the weekday's name.
    """
    lang = _locale(locale)
    if lang == "fa":
        year, month, day = jalali_parts(d)
        if numeric:
            text = to_persian_digits(f"{year:04d}/{month:02d}/{day:02d}")
        else:
            text = f"{to_persian_digits(str(day))} {JALALI_MONTHS[month - 1]} {to_persian_digits(str(year))}"
    elif numeric:
        text = f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    else:
        text = f"{d.day} {ENGLISH_MONTHS[d.month - 1]} {d.year}"
    if not weekday:
        return text
    return f"{weekday_name(d, lang)} {text}" if lang == "fa" else f"{weekday_name(d, lang)}, {text}"
