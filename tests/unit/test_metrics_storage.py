"""The merchant's aggregate is one item: two busy years of it must stay well inside DynamoDB's 400 KB."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from vafa.insight.metrics import aggregate
from vafa.insight.metrics.contribution import Order, contribution
from vafa.insight.metrics.job import pack, unpack

ITEM_LIMIT = 400 * 1024


def test_two_years_of_a_busy_shop_pack_into_one_item_and_read_back_exactly() -> None:
    rng = random.Random(7)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    agg = aggregate.empty()
    for customer in range(20_000):
        orders = [
            Order(
                f"{customer}-{n}",
                start + timedelta(days=rng.randrange(730), seconds=n),
                rng.randrange(1, 10**8),
            )
            for n in range(rng.choice((1, 1, 1, 2, 3, 5, 9)))
        ]
        aggregate.apply(agg, contribution(orders), 1)
    for day in range(730):
        for kind in ("earn", "redeem", "expire", "reverse", "gift"):
            aggregate.add_wallet(
                agg, (start + timedelta(days=day)).date().isoformat(), kind, rng.randrange(10**9)
            )
    packed = pack(agg)
    assert len(packed.encode()) < ITEM_LIMIT / 2
    assert unpack(packed) == agg
