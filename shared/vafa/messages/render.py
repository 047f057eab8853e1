"""Safe placeholder rendering: only `{known_name}` is replaced; nothing else in a template is code."""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDERS = frozenset(
    {"name", "shop", "amount", "balance", "expires_on", "days", "link", "gift", "cart_total", "order_id"}
)
# Only a bare identifier inside braces is a placeholder; `{name.__class__}`, `{0}` or `{name!r}`
# are not, and stay in the text as written (str.format would evaluate them).
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def render(template: str, values: Mapping[str, str]) -> str:
    """Substitute known placeholders; unknown ones are removed so a customer never sees braces."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(values.get(name, "")) if name in PLACEHOLDERS else ""

    return _PLACEHOLDER.sub(substitute, template)


def validate_template(template: str) -> list[str]:
    """Placeholders in `template` that Vafa does not know (the program API refuses them)."""
    return sorted({m.group(1) for m in _PLACEHOLDER.finditer(template)} - PLACEHOLDERS)


def sms_parts(text: str) -> int:
    """How many SMS parts the text takes: GSM-7 160/153, UCS-2 (any Persian) 70/67."""
    ucs2 = any(ord(ch) > 127 for ch in text)
    single, multi = (70, 67) if ucs2 else (160, 153)
    length = len(text)
    return 1 if length <= single else -(-length // multi)
