"""How many SMS a text is billed as: gateways charge per part.

A text of GSM-7 characters fits 160 in one part and 153 per part when split; any other character
(Persian, emoji) makes the whole text UCS-2: 70 in one part, 67 per part when split. Characters of
the GSM-7 extension table (`{}[]~|^€\\`) take two places.
"""

from __future__ import annotations

import math

_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = set("^{}\\[~]|€\f")


def sms_parts(text: str) -> int:
    """The number of parts `text` is sent (and billed) as; 0 for an empty text."""
    if not text:
        return 0
    if all(ch in _GSM7 or ch in _GSM7_EXTENSION for ch in text):
        units = sum(2 if ch in _GSM7_EXTENSION else 1 for ch in text)
        return 1 if units <= 160 else math.ceil(units / 153)
    units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)  # UTF-16 code units
    return 1 if units <= 70 else math.ceil(units / 67)
