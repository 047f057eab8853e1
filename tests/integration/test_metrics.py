"""Metrics on a hand-computed dataset, and incremental folding equal to a from-scratch computation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from vafa.insight.metrics import aggregate
from vafa.insight.metrics.contribution import Order, contribution
from vafa.insight.metrics.job import metrics_report, run_for_merchant
from vafa.merchants import ProgramStore

from tests.integration.test_wallet_operations import purchase, redeem, refund

NOW = datetime.now(UTC).replace(microsecond=0)


def at(days_ago: int) -> datetime:
    return NOW - timedelta(days=days_ago)


def test_a_hand_computed_shop(merchant: str) -> None:
    # Given: ann buys three times (gaps of 10 and 80 days), bob once, cem twice then refunds all of the second.
    purchase(merchant, "a1", 1_000_000, "ann", at=NOW, occurred_at=at(100))
    purchase(merchant, "a2", 2_000_000, "ann", at=NOW, occurred_at=at(90))
    purchase(merchant, "a3", 3_000_000, "ann", at=NOW, occurred_at=at(10))
    purchase(merchant, "b1", 500_000, "bob", at=NOW, occurred_at=at(100))
    purchase(merchant, "c1", 800_000, "cem", at=NOW, occurred_at=at(60))
    purchase(merchant, "c2", 400_000, "cem", at=NOW, occurred_at=at(5))
    refund(merchant, "c2", "rf", at=NOW)
    redeem(merchant, "r1", 50_000, "ann", at=NOW)
    # When
    run_for_merchant(merchant, ProgramStore(0).get(merchant), NOW)
    report = metrics_report(merchant, (NOW - timedelta(days=365)).date(), NOW.date())
    # Then
    assert report["customers"]["total"] == 3
    assert report["purchase_funnel"] == [3, 1, 1]  # cem's refunded order does not count
    assert report["repeat_purchase_rate"] == round(1 / 3, 4)
    assert report["orders"] == 5 and report["revenue"] == 7_300_000
    assert report["average_order_value"] == 1_460_000
    assert report["days_between_purchases"]["median"] == 10
    histogram = {(low, high): count for low, high, count in report["days_between_purchases"]["histogram"]}
    assert histogram[(7, 14)] == 1 and histogram[(60, 90)] == 1 and sum(histogram.values()) == 2
    assert report["return_rate"]["30d"] == round(1 / 3, 4)  # ann returned within 10 days; bob and cem did not
    assert report["customers"]["active_90d"] == 2 and report["customers"]["churned"] == 1
    assert report["wallet"]["earned"] == 50_000 + 100_000 + 150_000 + 25_000 + 40_000 + 20_000
    assert report["wallet"]["redeemed"] == 50_000
    assert report["wallet"]["reversed"] == 20_000  # from c2's own lot, still open
    # Back-dated orders whose credit had run out when recorded: earned and expired at once.
    assert report["wallet"]["expired"] == 50_000 + 100_000 + 25_000 + 40_000
    assert (
        report["wallet"]["outstanding"]
        == report["wallet"]["earned"] - 50_000 - 20_000 - report["wallet"]["expired"]
    )
    cohort = {c["cohort"]: c for c in report["cohorts"]}
    first_month = at(100).strftime("%Y-%m")
    assert cohort[first_month]["size"] == 2 and cohort[first_month]["retention"][0] == 1.0


def test_a_second_run_folds_only_new_activity_and_agrees(merchant: str) -> None:
    purchase(merchant, "x1", 1_000_000, "x", at=NOW, occurred_at=at(30))
    program = ProgramStore(0).get(merchant)
    assert run_for_merchant(merchant, program, NOW) == 1
    purchase(merchant, "y1", 1_000_000, "y", at=NOW, occurred_at=at(5))
    purchase(merchant, "x2", 1_000_000, "x", at=NOW, occurred_at=at(2))
    run_for_merchant(merchant, program, NOW)
    report = metrics_report(merchant, (NOW - timedelta(days=365)).date(), NOW.date())
    assert report["customers"]["total"] == 2 and report["purchase_funnel"] == [2, 1]


orders_strategy = st.lists(
    st.lists(st.tuples(st.integers(0, 400), st.integers(1, 10_000), st.booleans()), min_size=0, max_size=6),
    min_size=1,
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(histories=orders_strategy, order=st.randoms(use_true_random=False))
def test_incremental_folding_equals_recomputing_from_scratch(histories, order) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    customers = [
        [
            Order(f"{c}-{i}", start + timedelta(days=d), amount, amount if refunded else 0)
            for i, (d, amount, refunded) in enumerate(history)
        ]
        for c, history in enumerate(histories)
    ]
    scratch = aggregate.empty()
    for orders in customers:
        aggregate.apply(scratch, contribution(orders), 1)
    # Incrementally: orders arrive one at a time in random order; each arrival replaces the old contribution.
    arrivals = [(c, o) for c, orders in enumerate(customers) for o in orders]
    order.shuffle(arrivals)
    folded = aggregate.empty()
    seen: dict[int, list[Order]] = {c: [] for c in range(len(customers))}
    for c, o in arrivals:
        aggregate.apply(folded, contribution(seen[c]), -1)
        seen[c].append(o)
        aggregate.apply(folded, contribution(seen[c]), 1)
    as_of = date(2026, 6, 1)
    assert aggregate.report(folded, date(2024, 1, 1), as_of, as_of) == aggregate.report(
        scratch, date(2024, 1, 1), as_of, as_of
    )
    assert folded["funnel"] == scratch["funnel"] and folded["gaps"] == scratch["gaps"]
