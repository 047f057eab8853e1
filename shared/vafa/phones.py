"""Phone numbers as shops type them, stored in E.164."""

from __future__ import annotations

import re

# Persian (U+06F0..) and Arabic-Indic (U+0660..) digits map to ASCII before anything else:
# int("۰۹۱۲") would silently drop the leading zero.
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
# Separators and invisible marks that shops paste along with numbers.
_NOISE = re.compile(r"[\s\-().\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00a0]", re.ASCII)
_IRAN_MOBILE = re.compile(r"9\d{9}", re.ASCII)


class InvalidPhone(ValueError):
    """Not a phone number Vafa can reach."""


def normalize_phone(raw: str) -> str:
    """Return the E.164 form (`+989121234567`) of an Iranian or international number."""
    if not isinstance(raw, str):
        raise InvalidPhone("phone must be a string")
    text = _NOISE.sub("", raw.translate(_DIGITS))
    if not text or len(text) > 20:
        raise InvalidPhone("phone is empty or too long")
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+"):
        # Local Iranian forms: 09xxxxxxxxx, 9xxxxxxxxx, 989xxxxxxxxx.
        if text.startswith("0"):
            text = text[1:]
        if text.startswith("98") and _IRAN_MOBILE.fullmatch(text[2:]):
            text = text[2:]
        if not _IRAN_MOBILE.fullmatch(text):
            raise InvalidPhone("phone is not an Iranian mobile number nor in +E.164 form")
        text = "+98" + text
    if not re.fullmatch(r"\+\d{6,15}", text, re.ASCII):
        raise InvalidPhone("phone must contain only digits after the country code")
    import phonenumbers  # deferred: ~35 ms of import that only phone validation needs

    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone("phone cannot be parsed") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("phone is not a valid number in its country's plan")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
