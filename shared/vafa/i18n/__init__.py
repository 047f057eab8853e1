"""Display in the customer's language: Persian digits and separators, Jalali dates, rials and Toman."""

from vafa.i18n.persian import (
    format_date,
    format_money,
    format_number,
    normalize_text,
    to_ascii_digits,
    to_persian_digits,
    weekday_name,
)

__all__ = [
    "format_date",
    "format_money",
    "format_number",
    "normalize_text",
    "to_ascii_digits",
    "to_persian_digits",
    "weekday_name",
]
