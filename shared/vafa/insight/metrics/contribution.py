"""One customer's share of the merchant's metrics, computed from their orders alone (pure).

The metrics job keeps each customer's last contribution; when the customer has new activity it
subtracts the old contribution and adds the new one, so aggregates stay exact however late or out of
order orders arrive, and a run costs in proportion to the customers with new activity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import jdatetime

RETURN_WINDOWS = (30, 60, 90)
MAX_GAP_DAYS = 730
FUNNEL_STEPS = 10


@dataclass(frozen=True)
class Order:
    order_id: str
    occurred_at: datetime
    amount: int
    refunded: int = 0

    @property
    def counts(self) -> bool:
        """A fully refunded order is not a purchase."""
        return self.refunded < self.amount or self.amount == 0


def _month_index(moment: datetime) -> int:
    return moment.year * 12 + moment.month - 1


def _month(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


_TEHRAN = ZoneInfo("Asia/Tehran")


def jalali_month(moment: datetime) -> tuple[int, int]:
    """The Jalali (year, month) of a moment in Tehran: Persian merchants count cohorts this way."""
    local = moment.astimezone(_TEHRAN).date() if moment.tzinfo else moment.date()
    day = jdatetime.date.fromgregorian(date=local)
    return day.year, day.month


def contribution(orders: Sequence[Order]) -> dict[str, Any]:
    """Everything this customer adds to the aggregates; an empty dict for a customer with no purchase."""
    kept = sorted((o for o in orders if o.counts), key=lambda o: (o.occurred_at, o.order_id))
    if not kept:
        return {}
    first, last = kept[0].occurred_at, kept[-1].occurred_at
    first_month = _month_index(first)
    gaps = [max(0, (b.occurred_at - a.occurred_at).days) for a, b in pairwise(kept)]
    returned_after = gaps[0] if gaps else None
    by_day: dict[str, list[int]] = {}
    for order in kept:
        day = order.occurred_at.date().isoformat()
        entry = by_day.setdefault(day, [0, 0])
        entry[0] += 1
        entry[1] += order.amount - order.refunded
    jalali = [jalali_month(o.occurred_at) for o in kept]
    jalali_first = jalali[0][0] * 12 + jalali[0][1] - 1
    return {
        "cohort": _month(first),
        # The same cohort counted in Jalali months (`1405-07`), for Persian merchants' tables.
        "jalali_cohort": f"{jalali[0][0]:04d}-{jalali[0][1]:02d}",
        "jalali_offsets": sorted({y * 12 + m - 1 - jalali_first for y, m in jalali}),
        "offsets": sorted({_month_index(o.occurred_at) - first_month for o in kept}),
        "count": len(kept),
        "revenue": sum(o.amount - o.refunded for o in kept),
        "first_day": first.date().isoformat(),
        "last_day": last.date().isoformat(),
        "gaps": [min(g, MAX_GAP_DAYS) for g in gaps],
        "returned": {str(w): returned_after is not None and returned_after <= w for w in RETURN_WINDOWS},
        "orders_by_day": by_day,
    }
