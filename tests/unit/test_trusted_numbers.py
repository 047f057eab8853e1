"""Numbers a merchant can trust: "not yet" for return windows nobody has reached, a predicted value
never below what customers spent, Jalali cohorts, and lift with its interval and a sample threshold."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from vafa.insight.metrics import aggregate
from vafa.insight.metrics.contribution import Order, contribution, jalali_month
from vafa.insight.metrics.job import MIN_LIFT_SAMPLE, lift_interval, outcome_row

AS_OF = date(2026, 11, 30)


def shop(*histories: list[tuple[int, int]]) -> dict:
    """An aggregate of customers, each a list of (days before AS_OF, amount)."""
    agg = aggregate.empty()
    for n, history in enumerate(histories):
        orders = [
            Order(f"{n}-{i}", datetime(2026, 11, 30, 12, tzinfo=UTC) - timedelta(days=ago), amount)
            for i, (ago, amount) in enumerate(history)
        ]
        aggregate.apply(agg, contribution(orders), 1)
    return agg


def test_a_window_nobody_has_reached_has_no_one_to_count() -> None:
    # Given two customers who first bought 10 and 40 days ago
    agg = shop([(10, 100)], [(40, 100), (35, 100)])

    report = aggregate.report(agg, AS_OF - timedelta(days=365), AS_OF, AS_OF)

    # Then the 30-day rate is over one customer; 60 and 90 days over nobody: the page reads "not yet"
    assert report["return_rate_eligible"] == {"30d": 1, "60d": 0, "90d": 0}
    assert report["return_rate"]["30d"] == 1.0 and report["return_rate"]["60d"] == 0.0


def test_predicted_lifetime_value_is_never_below_what_customers_spent() -> None:
    # One customer bought ten times, nine bought once: the repeat rate (0.1) understates the big spender
    agg = shop([(d, 1_000) for d in range(10, 110, 10)], *([[(5, 100)]] * 9))

    report = aggregate.report(agg, AS_OF - timedelta(days=365), AS_OF, AS_OF)

    assert report["predicted_lifetime_value"] >= report["lifetime_value"] == (10_000 + 900) // 10
    basis = report["predicted_lifetime_value_basis"]
    assert basis["repeat_purchase_rate"] == 0.1 and basis["expected_purchases"] == 1.11


def test_cohorts_by_jalali_month_follow_tehran_time() -> None:
    # 20:45Z on 21 October 2026 is already 00:15 on 30 Mehr in Tehran; the next day is 1 Aban
    assert jalali_month(datetime(2026, 10, 21, 20, 45, tzinfo=UTC)) == (1405, 7)
    assert jalali_month(datetime(2026, 10, 22, 21, 0, tzinfo=UTC)) == (1405, 8)
    agg = shop([(40, 100), (5, 100)], [(38, 100)])

    report = aggregate.report(agg, AS_OF - timedelta(days=365), AS_OF, AS_OF)

    # 21 and 23 October 2026 are 29 Mehr and 1 Aban 1405; 25 November is 4 Azar; AS_OF is 9 Azar
    assert report["jalali_cohorts"] == [
        {"cohort": "1405-07", "size": 1, "retention": [1.0, 0.0, 1.0]},
        {"cohort": "1405-08", "size": 1, "retention": [1.0, 0.0]},
    ]


def test_removing_a_contribution_removes_its_jalali_cohort() -> None:
    orders = [Order("o", datetime(2026, 10, 1, tzinfo=UTC), 100)]
    agg = aggregate.empty()
    aggregate.apply(agg, contribution(orders), 1)
    aggregate.apply(agg, contribution(orders), -1)
    assert agg["jalali_cohorts"] == {} and agg["cohorts"] == {}
    # A contribution stored before Jalali cohorts existed still subtracts cleanly
    old = {k: v for k, v in contribution(orders).items() if not k.startswith("jalali_")}
    aggregate.apply(agg, old, 1)
    aggregate.apply(agg, old, -1)
    assert agg["customers"] == 0


def test_lift_from_a_tiny_holdout_is_not_enough_data() -> None:
    row = outcome_row({"sent": 120, "converted": 30, "holdout": 2, "holdout_converted": 0})

    assert row["holdout_lift"] == 0.25  # the number is kept (the answer's shape does not change)…
    assert row["holdout_enough_data"] is False and row["holdout_min_sample"] == MIN_LIFT_SAMPLE
    low, high = row["holdout_lift_interval"]
    assert low < 0.25 < high


def test_lift_with_enough_data_carries_a_95_percent_interval() -> None:
    row = outcome_row({"sent": 400, "converted": 80, "holdout": 100, "holdout_converted": 10})

    assert row["holdout_enough_data"] is True and row["holdout_lift"] == 0.1
    low, high = row["holdout_lift_interval"]
    assert 0.02 < low < 0.1 < high < 0.18
    assert lift_interval(0, 0, 0, 5) is None
