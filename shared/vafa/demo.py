"""A demo shop with a year of believable history, so the dashboard means something at first sight.

Deterministic (seeded): 150 customers by default with Persian names and Iranian mobiles; one-time buyers,
regulars and customers drifting away; more orders around Yalda and before Nowruz; some refunds. Orders
older than six weeks are imported as history; the last six weeks are live purchases that earn cashback,
interleaved with weekly reminder runs (so messages go out and some customers come back after them),
and the metrics run last.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from vafa.customers import ProfileIn
from vafa.history.rows import PastOrder
from vafa.history.writer import import_history
from vafa.merchants import ProgramStore
from vafa.profiles import upsert_customer
from vafa.program import Program, merge_update
from vafa.wallet.operations import PurchaseRequest, record_purchase

FIRST = (
    "سارا",
    "علی",
    "مریم",
    "رضا",
    "زهرا",
    "حسین",
    "فاطمه",
    "محمد",
    "نرگس",
    "امیر",
    "الهام",
    "مهدی",
    "شیما",
    "کاوه",
    "نازنین",
    "آرش",
)
LAST = (
    "احمدی",
    "رضایی",
    "محمدی",
    "حسینی",
    "کریمی",
    "موسوی",
    "جعفری",
    "کاظمی",
    "صادقی",
    "رحیمی",
    "نوری",
    "تهرانی",
)
LIVE_DAYS = 42
RunSchedule = Callable[[str, datetime], Any]


def _season(moment: datetime) -> float:
    """More orders around Yalda (21 Dec) and in the weeks before Nowruz (20 Mar)."""
    day = moment.timetuple().tm_yday
    return 1.8 if 340 <= day <= 356 or 55 <= day <= 79 else 1.0


def orders_for(customer: int, rng: random.Random, now: datetime) -> list[tuple[datetime, int, int]]:
    """(time, amount in rials, refunded) of one customer's orders over the past year."""
    kind = rng.choices(("once", "casual", "regular", "drifting"), weights=(45, 25, 18, 12))[0]
    start = now - timedelta(days=rng.randrange(5, 365))
    gap = {
        "once": 0,
        "casual": rng.randrange(40, 120),
        "regular": rng.randrange(12, 40),
        "drifting": rng.randrange(20, 50),
    }[kind]
    moments = [start]
    while gap and len(moments) < 20:
        step = max(3, int(rng.gauss(gap, gap / 3) / _season(moments[-1])))
        following = moments[-1] + timedelta(days=step, hours=rng.randrange(-5, 6))
        if following >= now - timedelta(hours=1) or (
            kind == "drifting" and following > now - timedelta(days=90)
        ):
            break
        moments.append(following)
    orders = []
    for moment in moments:
        amount = rng.choice((3, 5, 8, 12, 18, 25, 40)) * 100_000 + rng.randrange(0, 10) * 10_000
        refunded = amount if rng.random() < 0.04 else 0
        orders.append((moment.replace(microsecond=0), amount * 10, refunded * 10))
    return orders


def seed(
    merchant_id: str, run_schedule: RunSchedule, now: datetime | None = None, customers: int = 150
) -> dict[str, int]:
    """Fill the merchant with the demo history; returns how much was written."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    rng = random.Random(1405)
    store = ProgramStore(0)
    settings = {"shop_name": "کتاب‌فروشی وفا", "holdout_percent": 10, "channel_order": ["sms", "email"]}
    program = store.put(
        merchant_id, Program.model_validate(merge_update(store.get(merchant_id), settings)), now
    )
    history: list[PastOrder] = []
    live: list[tuple[datetime, PurchaseRequest]] = []
    cutoff = now - timedelta(days=LIVE_DAYS)
    for n in range(customers):
        cid = f"demo-{n:04d}"
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        phone = (
            f"+98{rng.choice(('912', '913', '919', '935', '936', '901', '921'))}{rng.randrange(10**6, 10**7)}"
        )
        for index, (moment, amount, refunded) in enumerate(orders_for(n, rng, now)):
            order_id = f"{cid}-{index}"
            if moment < cutoff or refunded:
                history.append(PastOrder(0, order_id, cid, amount, moment, refunded, phone, None, name))
            else:
                body = {"order_id": order_id, "customer_id": cid, "amount": amount}
                profile = ProfileIn.model_validate({"phone": phone, "name": name, "consent": {"sms": True}})
                live.append((moment, PurchaseRequest(order_id, cid, amount, moment, profile, None, body)))
    summary = import_history(merchant_id, program, history, now)
    consenting = ProfileIn.model_validate({"consent": {"sms": True}, "locale": "fa"})
    for cid in sorted({order.customer_id for order in history}):
        if rng.random() < 0.85:
            upsert_customer(merchant_id, cid, consenting, program, cutoff)
    live.sort(key=lambda pair: pair[0])
    week = cutoff
    runs = 0
    for moment, request in live:
        while moment >= week + timedelta(days=7):
            week += timedelta(days=7)
            run_schedule("reminders", week)
            runs += 1
        record_purchase(merchant_id, request, program, now)  # recorded now, dated when it happened
    run_schedule("expiry", now)
    run_schedule("reminders", now - timedelta(hours=1))
    run_schedule("metrics", now)
    return {
        "customers": customers,
        "history_orders": summary.imported,
        "live_orders": len(live),
        "reminder_runs": runs + 1,
    }
