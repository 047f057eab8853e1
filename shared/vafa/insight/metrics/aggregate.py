"""Per-merchant aggregates: add or remove a customer's contribution, and read a report (pure)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from vafa.insight.metrics.contribution import FUNNEL_STEPS, RETURN_WINDOWS, jalali_month

HISTOGRAM_EDGES = (0, 7, 14, 30, 60, 90, 180, 365, 731)


def empty() -> dict[str, Any]:
    return {
        "customers": 0,
        "cohorts": {},  # month -> {"size": n, "active": {offset: n}}
        "jalali_cohorts": {},  # the same by Jalali month (`1405-07`)
        "funnel": {},  # k -> customers with at least k purchases
        "gaps": {},  # days between consecutive purchases -> occurrences
        "first_days": {},  # day -> {"n": new customers, "r30": returned within 30 days, ...}
        "last_days": {},  # day of last purchase -> customers
        "orders_by_day": {},  # day -> [orders, revenue]
        "wallet_by_day": {},  # day -> {"earn": x, "redeem": y, ...} (magnitudes)
        "outstanding": 0,
        "messages": {},  # kind or campaign:<id> -> counters
    }


def _add(table: dict[str, Any], key: str, amount: int) -> None:
    value = table.get(key, 0) + amount
    if value:
        table[key] = value
    else:
        table.pop(key, None)


def apply(agg: dict[str, Any], part: dict[str, Any], sign: int) -> None:
    """Add (sign=1) or remove (sign=-1) one customer's contribution."""
    if not part:
        return
    agg["customers"] += sign
    _apply_cohort(agg["cohorts"], part["cohort"], part["offsets"], sign)
    # Contributions stored before Jalali cohorts existed carry none; they join at the customer's next
    # purchase or refund (or at `vafa migrate`, which recomputes every contribution).
    if "jalali_cohort" in part:
        _apply_cohort(
            agg.setdefault("jalali_cohorts", {}), part["jalali_cohort"], part["jalali_offsets"], sign
        )
    for step in range(1, min(part["count"], FUNNEL_STEPS) + 1):
        _add(agg["funnel"], str(step), sign)
    for gap in part["gaps"]:
        _add(agg["gaps"], str(gap), sign)
    first = agg["first_days"].setdefault(part["first_day"], {})
    _add(first, "n", sign)
    for window, returned in part["returned"].items():
        if returned:
            _add(first, f"r{window}", sign)
    if not first:
        del agg["first_days"][part["first_day"]]
    _add(agg["last_days"], part["last_day"], sign)
    for day, (orders, revenue) in part["orders_by_day"].items():
        entry = agg["orders_by_day"].setdefault(day, [0, 0])
        entry[0] += sign * orders
        entry[1] += sign * revenue
        if entry == [0, 0]:
            del agg["orders_by_day"][day]


def _apply_cohort(cohorts: dict[str, Any], month: str, offsets: list[int], sign: int) -> None:
    cohort = cohorts.setdefault(month, {"size": 0, "active": {}})
    cohort["size"] += sign
    for offset in offsets:
        _add(cohort["active"], str(offset), sign)
    if cohort["size"] == 0 and not cohort["active"]:
        del cohorts[month]


def add_wallet(agg: dict[str, Any], day: str, kind: str, amount: int) -> None:
    bucket = agg["wallet_by_day"].setdefault(day, {})
    bucket[kind] = bucket.get(kind, 0) + abs(amount)
    agg["outstanding"] += amount


def _in(day: str, start: date, end: date) -> bool:
    return start.isoformat() <= day <= end.isoformat()


def _jalali_index(day: date) -> int:
    year, month = jalali_month(datetime(day.year, day.month, day.day))
    return year * 12 + month - 1


def _median(counts: dict[str, int]) -> int:
    total = sum(counts.values())
    if not total:
        return 0
    seen = 0
    for gap in sorted(counts, key=int):
        seen += counts[gap]
        if seen * 2 >= total:
            return int(gap)
    return 0


def report(agg: dict[str, Any], start: date, end: date, as_of: date) -> dict[str, Any]:
    """The numbers behind the dashboard for [start, end], as of `as_of` (see the API contract)."""
    customers = agg["customers"]
    funnel = [agg["funnel"].get(str(k), 0) for k in range(1, FUNNEL_STEPS + 1)]
    while len(funnel) > 1 and funnel[-1] == 0:
        funnel.pop()
    repeat = round(funnel[1] / funnel[0], 4) if len(funnel) > 1 and funnel[0] else 0.0
    new = sum(v.get("n", 0) for d, v in agg["first_days"].items() if _in(d, start, end))
    active = {
        n: sum(c for d, c in agg["last_days"].items() if d > (as_of - timedelta(days=n)).isoformat())
        for n in (30, 90)
    }
    returns: dict[str, float] = {}
    # How many customers each rate is over: 0 means the window has not yet passed for anyone whose
    # first purchase is in the range, and the page reads "not yet" rather than 0%.
    eligible_counts: dict[str, int] = {}
    for window in RETURN_WINDOWS:
        cutoff = (as_of - timedelta(days=window)).isoformat()
        eligible = [v for d, v in agg["first_days"].items() if d <= cutoff and _in(d, start, end)]
        base = sum(v.get("n", 0) for v in eligible)
        eligible_counts[f"{window}d"] = base
        returns[f"{window}d"] = (
            round(sum(v.get(f"r{window}", 0) for v in eligible) / base, 4) if base else 0.0
        )
    orders = revenue = 0
    for day, (count, amount) in agg["orders_by_day"].items():
        if _in(day, start, end):
            orders += count
            revenue += amount
    all_orders = sum(v[0] for v in agg["orders_by_day"].values())
    all_revenue = sum(v[1] for v in agg["orders_by_day"].values())
    aov = revenue // orders if orders else 0
    frequency = round(all_orders / customers, 4) if customers else 0.0
    ltv = all_revenue // customers if customers else 0
    # A customer buys again with probability `repeat`, so expects 1 / (1 - repeat) purchases in all.
    expected_purchases = 1 / (1 - min(repeat, 0.95))
    all_aov = all_revenue // all_orders if all_orders else 0
    # A prediction is never below what customers have already spent on average: where today's repeat
    # rate understates the orders they already made, what they spent is the floor.
    predicted = max(int(all_aov * expected_purchases), ltv)
    histogram = []
    for low, high in pairwise(HISTOGRAM_EDGES):
        histogram.append([low, high, sum(c for g, c in agg["gaps"].items() if low <= int(g) < high)])
    cohorts = []
    for month in sorted(agg["cohorts"]):
        if not (start.isoformat()[:7] <= month <= end.isoformat()[:7]):
            continue
        cohort = agg["cohorts"][month]
        size = cohort["size"]
        horizon = (as_of.year * 12 + as_of.month) - (int(month[:4]) * 12 + int(month[5:7]))
        retention = [
            round(cohort["active"].get(str(k), 0) / size, 4) if size else 0.0
            for k in range(0, max(horizon, 0) + 1)
        ]
        cohorts.append({"cohort": month, "size": size, "retention": retention})
    jalali_horizon = _jalali_index(as_of)
    jalali_cohorts = []
    first_jalali, last_jalali = _jalali_index(start), _jalali_index(end)
    for month, cohort in sorted(agg.get("jalali_cohorts", {}).items()):
        index = int(month[:4]) * 12 + int(month[5:7]) - 1
        if not first_jalali <= index <= last_jalali:
            continue
        size = cohort["size"]
        jalali_cohorts.append(
            {
                "cohort": month,
                "size": size,
                "retention": [
                    round(cohort["active"].get(str(k), 0) / size, 4) if size else 0.0
                    for k in range(0, max(jalali_horizon - index, 0) + 1)
                ],
            }
        )
    wallet = {"earned": 0, "redeemed": 0, "expired": 0, "reversed": 0, "gifted": 0}
    names = {
        "earn": "earned",
        "redeem": "redeemed",
        "expire": "expired",
        "reverse": "reversed",
        "gift": "gifted",
    }
    for day, kinds in agg["wallet_by_day"].items():
        if _in(day, start, end):
            for kind, amount in kinds.items():
                if kind in names:
                    wallet[names[kind]] += amount
    wallet["outstanding"] = agg["outstanding"]
    return {
        "customers": {
            "total": customers,
            "new": new,
            "active_30d": active[30],
            "active_90d": active[90],
            "churned": customers - active[90],
        },
        "repeat_purchase_rate": repeat,
        "purchase_funnel": funnel if funnel != [0] else [],
        "return_rate": returns,
        "return_rate_eligible": eligible_counts,
        "orders": orders,
        "revenue": revenue,
        "average_order_value": aov,
        "purchase_frequency": frequency,
        "lifetime_value": ltv,
        "predicted_lifetime_value": predicted,
        "predicted_lifetime_value_basis": {
            "average_order_value": all_aov,
            "repeat_purchase_rate": repeat,
            "expected_purchases": round(expected_purchases, 2),
            "lifetime_value": ltv,
        },
        "days_between_purchases": {"median": _median(agg["gaps"]), "histogram": histogram},
        "cohorts": cohorts,
        "jalali_cohorts": jalali_cohorts,
        "wallet": wallet,
    }
