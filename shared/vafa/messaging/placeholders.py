"""Safe placeholder rendering for merchant-editable templates, and SMS part counting.

The rules, chosen so that a template is text and never code:
- Only `{name}` where `name` is one of `PLACEHOLDERS` is replaced, in one pass (a value that itself
  contains `{shop}` is not expanded again). There is no attribute or index access, no conversion and
  no format spec: `{name.__class__}`, `{name[0]}`, `{0}`, `{}`, `{name!r}` and `{name:>99}` are not
  placeholders and stay in the text exactly as written. Braces have no escapes (`{{` is two braces).
- A brace group that is not a known placeholder is left visible rather than silently removed:
  `validate_template` reports it so the program API rejects such a template with a 422 before it is
  stored, and anything that slips through shows up in the delivery log instead of leaving a hole.
- A known placeholder with no value renders as the empty string (`{link}` when there is no link).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDERS = frozenset(
    {"name", "shop", "amount", "balance", "expires_on", "days", "link", "gift", "cart_total", "order_id"}
)
# Anything a reader (or str.format) could take for a placeholder: a brace group without whitespace.
_BRACED = re.compile(r"\{([^{}\s]*)\}")

# GSM 03.38: the basic table (127 printable characters plus the escape) and the extension table,
# whose characters take two septets each.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67


def render(template: str, values: Mapping[str, str]) -> str:
    """Replace each `{known_name}` with its value; every other character is kept as written."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return match.group(0)
        value = values.get(name)
        return "" if value is None else str(value)

    return _BRACED.sub(substitute, template)


def validate_template(template: str) -> list[str]:
    """The brace groups in `template` that are not known placeholders, as written (`{foo}`), in order."""
    unknown: list[str] = []
    for match in _BRACED.finditer(template):
        if match.group(1) not in PLACEHOLDERS and match.group(0) not in unknown:
            unknown.append(match.group(0))
    return unknown


def is_gsm7(text: str) -> bool:
    """Whether the text fits the GSM 7-bit alphabet (otherwise it goes as UCS-2)."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def sms_parts(text: str) -> int:
    """How many SMS parts the text takes (GSM-7 160, or 153 each when split; UCS-2 70, or 67); 0 if empty."""
    gsm = is_gsm7(text)
    costs = [(2 if ch in GSM7_EXTENSION else 1) if gsm else len(ch.encode("utf-16-le")) // 2 for ch in text]
    single, multi = (GSM7_SINGLE, GSM7_MULTI) if gsm else (UCS2_SINGLE, UCS2_MULTI)
    if sum(costs) <= single:
        return 1 if costs else 0
    # Phones split between characters, never inside an escape pair or a surrogate pair.
    parts, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            parts, used = parts + 1, 0
        used += cost
    return parts
