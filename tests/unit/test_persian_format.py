from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from vafa.i18n.persian import (
    format_date,
    format_money,
    format_number,
    normalize_text,
    to_ascii_digits,
    to_persian_digits,
    weekday_name,
)

ZWNJ = "\u200c"


def test_digits_convert_both_ways() -> None:
    assert to_persian_digits("0123456789") == "۰۱۲۳۴۵۶۷۸۹"
    assert to_persian_digits("٠١٢٣٤٥٦٧٨٩") == "۰۱۲۳۴۵۶۷۸۹"  # Arabic-Indic become Persian too
    assert to_persian_digits("ab-12") == "ab-۱۲"
    assert to_ascii_digits("۰۹۱۲ ٠٩١٢") == "0912 0912"


@pytest.mark.parametrize(
    ("n", "fa", "en"),
    [
        (0, "۰", "0"),
        (999, "۹۹۹", "999"),
        (1000, "۱٬۰۰۰", "1,000"),
        (125_000, "۱۲۵٬۰۰۰", "125,000"),
        (1_234_567_890, "۱٬۲۳۴٬۵۶۷٬۸۹۰", "1,234,567,890"),
        (-2500, "-۲٬۵۰۰", "-2,500"),
    ],
)
def test_format_number(n: int, fa: str, en: str) -> None:
    assert format_number(n, "fa") == fa
    assert format_number(n, "en") == en


def test_persian_numbers_use_the_arabic_thousands_separator_not_a_comma() -> None:
    text = format_number(125_000, "fa")
    assert "\u066c" in text and "," not in text and "،" not in text


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "unit", "expected"),
    [
        # IRR programs show Toman by default, floored.
        (1_250_000, "IRR", "fa", None, "۱۲۵٬۰۰۰ تومان"),
        (1_250_000, "IRR", "en", None, "125,000 Toman"),
        (1_250_009, "IRR", "fa", None, "۱۲۵٬۰۰۰ تومان"),
        (9, "IRR", "fa", None, "۰ تومان"),
        (1_250_000, "IRR", "fa", "IRR", "۱٬۲۵۰٬۰۰۰ ریال"),
        (1_250_000, "IRR", "en", "IRR", "1,250,000 Rials"),
        (1, "IRR", "en", "IRR", "1 Rial"),
        (125_000, "IRT", "fa", None, "۱۲۵٬۰۰۰ تومان"),
        (125_000, "IRT", "fa", "IRR", "۱٬۲۵۰٬۰۰۰ ریال"),
        (125, "IRHR", "fa", None, "۱۲۵ هزار ریال"),
        (125, "IRHR", "fa", "IRT", "۱۲٬۵۰۰ تومان"),
        (125, "IRHT", "en", None, "125 thousand Toman"),
        (125, "IRHT", "fa", "IRR", "۱٬۲۵۰٬۰۰۰ ریال"),
        (1_259_999, "IRR", "fa", "IRHT", "۱۲۵ هزار تومان"),
        # Lower case codes from a plugin are the same currency.
        (1_250_000, "irr", "fa", None, "۱۲۵٬۰۰۰ تومان"),
        # Other currencies: already in their smallest unit, shown with their ISO decimals.
        (1250, "USD", "en", None, "12.50 USD"),
        (1205, "EUR", "en", None, "12.05 EUR"),
        (1250, "USD", "fa", None, "۱۲٫۵۰ USD"),
        (123_456_789, "USD", "en", None, "1,234,567.89 USD"),
        (1500, "JPY", "en", None, "1,500 JPY"),
        (12_345, "KWD", "en", None, "12.345 KWD"),
        (5, "GBP", "en", None, "0.05 GBP"),
        # A Toman display unit means nothing for dollars: it is ignored, not guessed at.
        (1250, "USD", "en", "IRT", "12.50 USD"),
    ],
)
def test_format_money(amount: int, currency: str, locale: str, unit: str | None, expected: str) -> None:
    assert format_money(amount, currency, locale, unit) == expected


@pytest.mark.parametrize(
    ("day", "fa", "fa_numeric", "en"),
    [
        (date(2026, 11, 22), "۱ آذر ۱۴۰۵", "۱۴۰۵/۰۹/۰۱", "22 Nov 2026"),
        (date(2026, 3, 21), "۱ فروردین ۱۴۰۵", "۱۴۰۵/۰۱/۰۱", "21 Mar 2026"),
        (date(2026, 3, 20), "۲۹ اسفند ۱۴۰۴", "۱۴۰۴/۱۲/۲۹", "20 Mar 2026"),
        (date(2025, 3, 20), "۳۰ اسفند ۱۴۰۳", "۱۴۰۳/۱۲/۳۰", "20 Mar 2025"),
        (date(2026, 7, 23), "۱ مرداد ۱۴۰۵", "۱۴۰۵/۰۵/۰۱", "23 Jul 2026"),
    ],
)
def test_format_date(day: date, fa: str, fa_numeric: str, en: str) -> None:
    assert format_date(day, "fa") == fa
    assert format_date(day, "fa", numeric=True) == fa_numeric
    assert format_date(day, "en") == en


def test_english_numeric_date_is_iso_and_month_names_do_not_depend_on_the_process_locale() -> None:
    assert format_date(date(2026, 1, 5), "en", numeric=True) == "2026-01-05"
    assert format_date(date(2026, 1, 5), "en") == "5 Jan 2026"


def test_a_datetime_is_shown_by_its_own_calendar_date() -> None:
    assert format_date(datetime(2026, 11, 22, 23, 59), "fa") == "۱ آذر ۱۴۰۵"


@pytest.mark.parametrize(
    ("day", "fa", "en"),
    [
        (date(2026, 11, 21), "شنبه", "Saturday"),
        (date(2026, 11, 22), "یک" + ZWNJ + "شنبه", "Sunday"),
        (date(2026, 11, 24), "سه" + ZWNJ + "شنبه", "Tuesday"),
        (date(2026, 11, 25), "چهارشنبه", "Wednesday"),
        (date(2026, 11, 26), "پنج" + ZWNJ + "شنبه", "Thursday"),
        (date(2026, 11, 27), "جمعه", "Friday"),
    ],
)
def test_weekday_names_keep_their_zero_width_non_joiner(day: date, fa: str, en: str) -> None:
    assert weekday_name(day, "fa") == fa
    assert weekday_name(day, "en") == en


def test_date_with_weekday() -> None:
    assert format_date(date(2026, 11, 26), "fa", weekday=True) == "پنج" + ZWNJ + "شنبه ۵ آذر ۱۴۰۵"
    assert format_date(date(2026, 11, 26), "en", weekday=True) == "Thursday, 26 Nov 2026"


def test_regional_locale_tags_count_as_their_language() -> None:
    assert format_number(1000, "fa-IR") == "۱٬۰۰۰"
    assert format_number(1000, "en-GB") == "1,000"
    assert format_number(1000, "de") == "1,000"  # anything not Persian reads the English way


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("علي", "علی"),  # Arabic yeh
        ("كتاب", "کتاب"),  # Arabic kaf
        ("مصطفى", "مصطفی"),  # alef maksura
        ("می" + ZWNJ + "خواهم", "میخواهم"),
        ("لـــغو", "لغو"),  # tatweel
        ("\u200f۱۱\u200e", "11"),  # direction marks and Persian digits
        ("٠٩١٢ ۱۲۳", "0912 123"),
        ("  لغو \u00a0 ۱۱ ", "لغو 11"),
        ("\ufefb", "لا"),  # a presentation-form ligature pasted from a PDF
        ("Hello", "Hello"),
    ],
)
def test_normalize_text(raw: str, normalized: str) -> None:
    assert normalize_text(raw) == normalized


def test_normalize_text_does_not_touch_the_display_helpers() -> None:
    # Display keeps the ZWNJ; only matching drops it.
    assert ZWNJ in weekday_name(date(2026, 11, 26), "fa")


@given(st.text())
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(st.text(alphabet="0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩يكىیک\u200c\u200d\u200e\u200f\u0640 ", max_size=40))
def test_normalized_text_has_no_arabic_letters_invisible_marks_or_non_ascii_digits(text: str) -> None:
    out = normalize_text(text)
    assert not set(out) & set("يكى\u200c\u200d\u200e\u200f\u0640۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩")


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_persian_number_reads_back_as_the_same_integer(n: int) -> None:
    text = format_number(n, "fa")
    assert int(to_ascii_digits(text).replace("\u066c", "")) == n


@given(st.integers(min_value=0, max_value=10**15))
def test_toman_is_the_floor_of_a_tenth_of_the_rials(rials: int) -> None:
    text = format_money(rials, "IRR", "en")
    assert text.endswith(" Toman")
    assert int(text.removesuffix(" Toman").replace(",", "")) == rials // 10
