"""Replies to the shop's SMS line: `11` (or `۱۱`, `لغو`) stops marketing SMS, `12` resumes them."""

from __future__ import annotations

from typing import Literal

from vafa.i18n.persian import normalize_text

_STOP = {"11", "لغو", "لغو11"}
_RESUME = {"12"}


def classify_reply(text: str) -> Literal["opt_out", "opt_in"] | None:
    word = "".join(normalize_text(text).split())
    if word in _STOP:
        return "opt_out"
    if word in _RESUME:
        return "opt_in"
    return None
