"""RFM scores and the named segments built on them (pure: no I/O).

Recency is scored against the shop's own rhythm, the program's win-back horizon (30 days when win-back
is off), so a shop people visit weekly and one they visit twice a year both get meaningful bands.
Frequency is scored on the purchase count itself; monetary value on quintiles of total spent among
the merchant's buyers, since amounts mean different things in different currencies.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from vafa.timeutil import parse_instant

DEFAULT_CYCLE_DAYS = 30
# Days since the last purchase, as multiples of the cycle, at or under which R is 5, 4, 3, 2.
RECENCY_BANDS = (0.5, 1.0, 2.0, 4.0)
FREQUENCY_FLOORS = (6, 4, 3, 2)  # purchases for F = 5, 4, 3, 2

SEGMENTS: dict[str, str] = {
    "champions": "bought recently and often (R 4-5, F 4-5)",
    "loyal": "buy regularly (R 3-5, F 3-5), not champions",
    "promising": "came back recently for a second purchase (R 4-5, F 2)",
    "new": "first purchase within one cycle",
    "needs_attention": "one or two purchases, last one one to two cycles ago (R 3, F 1-2)",
    "at_risk": "used to buy often, not lately (R 1-2, F 3-5)",
    "hibernating": "one or two purchases, two to four cycles ago (R 2, F 1-2)",
    "lost": "one or two purchases, more than four cycles ago (R 1, F 1-2)",
    "prospects": "known to the shop, no purchase yet",
}


@dataclass(frozen=True)
class Member:
    """What segments look at of one customer (the member index's projection)."""

    customer_id: str
    purchases_count: int = 0
    total_spent: int = 0
    first_purchase_at: str | None = None
    last_purchase_at: str | None = None
    balance: int = 0
    birthday: dict[str, str] | None = None
    consent: dict[str, bool] | None = None
    created_at: str | None = None


def days_since(moment: str | None, now: datetime) -> int | None:
    if not moment:
        return None
    return max(0, (now - parse_instant(moment)).days)


def recency_score(member: Member, now: datetime, cycle_days: int) -> int:
    days = days_since(member.last_purchase_at, now)
    if days is None:
        return 0
    for score, band in zip((5, 4, 3, 2), RECENCY_BANDS, strict=True):
        if days <= band * cycle_days:
            return score
    return 1


def frequency_score(member: Member) -> int:
    if member.purchases_count <= 0:
        return 0
    for score, floor in zip((5, 4, 3, 2), FREQUENCY_FLOORS, strict=True):
        if member.purchases_count >= floor:
            return score
    return 1


class MonetaryScale:
    """Quintiles of total spent among buyers: 5 for the top fifth, 1 for the bottom fifth."""

    def __init__(self, totals: Sequence[int]) -> None:
        self._sorted = sorted(totals)

    def score(self, total_spent: int, purchases_count: int) -> int:
        if purchases_count <= 0 or not self._sorted:
            return 0
        below = bisect_left(self._sorted, total_spent)
        return 1 + min(4, below * 5 // len(self._sorted))


def segment_of(member: Member, now: datetime, cycle_days: int) -> str:
    """The one named segment a customer belongs to (first rule that matches, in SEGMENTS order)."""
    if member.purchases_count <= 0:
        return "prospects"
    r = recency_score(member, now, cycle_days)
    f = frequency_score(member)
    first = days_since(member.first_purchase_at, now)
    if r >= 4 and f >= 4:
        return "champions"
    if r >= 3 and f >= 3:
        return "loyal"
    if r >= 4 and f == 2:
        return "promising"
    if member.purchases_count == 1 and first is not None and first <= cycle_days:
        return "new"
    if r == 3:
        return "needs_attention"
    if f >= 3:
        return "at_risk"
    return "hibernating" if r == 2 else "lost"
