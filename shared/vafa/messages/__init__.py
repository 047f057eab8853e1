"""Message texts: default templates per kind, channel and language, rendered safely."""

from vafa.messages.render import PLACEHOLDERS, render, sms_parts, validate_template
from vafa.messages.templates import DEFAULTS, KINDS, OPT_OUT_LINE, Message, compose

__all__ = [
    "DEFAULTS",
    "KINDS",
    "OPT_OUT_LINE",
    "PLACEHOLDERS",
    "Message",
    "compose",
    "render",
    "sms_parts",
    "validate_template",
]
