"""When a customer counts as drifting away: a fixed number of days, or their own rhythm."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from vafa.program import Program
from vafa.store.models import CustomerItem
from vafa.timeutil import parse_instant

PERSONAL_MIN_PURCHASES = 3
PERSONAL_FACTOR = 1.5
PERSONAL_MIN_DAYS = 7


def _instant(value: int | str) -> datetime:
    """Purchase times are epoch seconds (profiles written before: ISO text)."""
    return datetime.fromtimestamp(value, UTC) if isinstance(value, int) else parse_instant(value)


def personal_gap_days(customer: CustomerItem) -> int | None:
    """1.5 × the customer's median gap between purchases, once they have three or more."""
    times = sorted(_instant(t) for t in json.loads(customer.purchase_times or "[]"))
    if len(times) < PERSONAL_MIN_PURCHASES:
        return None
    gaps = sorted((b - a).total_seconds() / 86400 for a, b in pairwise(times))
    median = gaps[len(gaps) // 2] if len(gaps) % 2 else (gaps[len(gaps) // 2 - 1] + gaps[len(gaps) // 2]) / 2
    return max(PERSONAL_MIN_DAYS, round(median * PERSONAL_FACTOR))


def win_back_due_at(program: Program, customer: CustomerItem) -> datetime | None:
    """When this customer counts as drifting away, given their last purchase and the program's mode."""
    days = program.reminders.win_back_after_days
    if days is None or not customer.last_purchase_at:
        return None
    if program.reminders.win_back_mode == "personal":
        days = personal_gap_days(customer) or days
    return parse_instant(customer.last_purchase_at) + timedelta(days=days)
