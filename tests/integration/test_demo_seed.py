"""The demo shop `make run` starts with: the same every time, and a plausible shop once it has run."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta

import jdatetime
import pytest
from vafa.insight.metrics.job import metrics_report
from vafa.profiles import read_customer
from vafa_dev.demo import CUSTOMERS, LIVE_DAYS, create_demo_shop, generate
from vafa_dev.local.stack import LocalStack

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PERSIAN = re.compile(r"^[\u0600-\u06ff\u200c]+( [\u0600-\u06ff\u200c]+)+$")


def test_the_generated_shop_is_the_same_every_time_and_looks_like_a_shop() -> None:
    shop = generate(NOW)
    assert generate(NOW) == shop
    assert generate(NOW, seed=7).sales != shop.sales
    assert len(shop.people) == CUSTOMERS == 400
    assert all(PERSIAN.match(p.name) for p in shop.people)
    phones = [p.phone for p in shop.people]
    assert all(re.fullmatch(r"\+989\d{9}", phone) for phone in phones) and len(set(phones)) == len(phones)
    assert 0.6 < sum(p.sms_consent for p in shop.people) / CUSTOMERS < 0.9
    assert shop.sales == sorted(shop.sales, key=lambda s: s.at) and shop.sales[-1].at < NOW
    assert (NOW - shop.sales[0].at).days >= 330
    amounts = [s.amount for s in shop.sales]
    assert min(amounts) >= 1_500_000 and 10_000_000 < statistics.median(amounts) < 40_000_000
    assert all(a % 10_000 == 0 for a in amounts)
    refunds = [s for s in shop.sales if s.refunded]
    assert 0.02 < len(refunds) / len(shop.sales) < 0.1 and all(s.refunded <= s.amount for s in refunds)
    assert shop.joined == NOW - timedelta(days=LIVE_DAYS) and 150 < len(shop.live) < 400
    # Busier in the two weeks before Yalda and before Nowruz than in the two weeks before those.
    halves = Counter(
        (jalali.month, jalali.day > 15)
        for jalali in (jdatetime.date.fromgregorian(date=s.at.date()) for s in shop.sales)
    )
    assert halves[(9, True)] > 1.5 * halves[(9, False)]  # Azar: Yalda is its last night
    assert halves[(12, True)] > 1.5 * halves[(11, True)]  # late Esfand against late Bahman


@pytest.fixture
def local_stack(isolated_stack: LocalStack) -> LocalStack:
    """Tables of its own: the schedules it runs and the stand-in's scans see only this shop."""
    return isolated_stack


def test_the_seeded_shop_shows_a_year_of_retention_on_the_dashboard(local_stack: LocalStack) -> None:
    from vafa_dev.local.speedups import fast_stand_in, in_process_calls

    # As `make run` seeds it: the stand-in's speed-ups, and this process's calls straight to it.
    with fast_stand_in(), in_process_calls(local_stack.endpoint):
        shop = create_demo_shop(local_stack.run_schedule, now=NOW)
    merchant = shop["merchant"]["merchant_id"]
    assert shop["customers"] == 400 and shop["history_orders"] > 600 and shop["live_orders"] > 150
    report = metrics_report(merchant, (NOW - timedelta(days=400)).date(), NOW.date())
    # A few customers' only order was refunded in full: they never bought.
    assert 370 <= report["customers"]["total"] <= 400
    assert 0.2 <= report["repeat_purchase_rate"] <= 0.7
    assert len(report["cohorts"]) >= 12
    funnel = report["purchase_funnel"]
    assert len(funnel) >= 5 and funnel == sorted(funnel, reverse=True) and funnel[0] > 2 * funnel[4]
    wallet = report["wallet"]
    assert all(wallet[kind] > 0 for kind in ("earned", "redeemed", "expired", "outstanding"))
    messages = report["messages"]
    assert sum(m["sent"] for m in messages.values()) >= 20
    assert sum(m["clicked"] for m in messages.values()) >= 3
    assert sum(m["converted"] for m in messages.values()) >= 1
    # A customer of the imported year reads like one: a Persian name, an Iranian mobile, the orders.
    first = generate(NOW).history[0]
    customer = read_customer(merchant, first.customer_id, NOW)
    assert customer["purchases_count"] >= 1 and customer["phone"].startswith("+989")
