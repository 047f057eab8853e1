"""The demo shop: deterministic, and a plausible shop once the metrics have run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vafa.demo import seed
from vafa.merchants import ProgramStore
from vafa.metrics.job import metrics_report, run_for_merchant

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


def test_the_demo_shop_looks_like_a_real_shop(merchant: str) -> None:
    def schedules(name: str, at: datetime) -> None:
        # Only this merchant's metrics (the stand-in's table is shared with other tests); the
        # reminder runs that send the demo's messages are exercised through the local stack.
        if name == "metrics":
            run_for_merchant(merchant, ProgramStore(0).get(merchant), at)

    from vafa.bench.motopatch import per_item_rollback

    with per_item_rollback():  # the same stand-in speed-up `make run DEMO=1` uses
        written = seed(merchant, schedules, now=NOW, customers=120)
    report = metrics_report(merchant, (NOW - timedelta(days=400)).date(), NOW.date())
    # A few customers' only order was refunded in full: they are not buyers.
    assert 0.95 * written["customers"] <= report["customers"]["total"] <= written["customers"]
    assert 0.2 <= report["repeat_purchase_rate"] <= 0.7
    funnel = report["purchase_funnel"]
    assert funnel == sorted(funnel, reverse=True) and len(funnel) >= 4
    assert len(report["cohorts"]) >= 12
    assert report["wallet"]["earned"] > 0 and report["wallet"]["outstanding"] > 0


def test_the_demo_history_is_the_same_every_time() -> None:
    import random

    from vafa.demo import orders_for

    first = [orders_for(n, random.Random(n), NOW) for n in range(50)]
    second = [orders_for(n, random.Random(n), NOW) for n in range(50)]
    assert first == second and sum(len(o) for o in first) > 50
