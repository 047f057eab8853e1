"""Expire credit past due, merchant by merchant: each profile sits on the due index under its soonest
expiry, so the run reads only customers with something due (never a Scan)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from vafa.jobs.budget import Budget, BudgetSpent, Unlimited
from vafa.jobs.isolation import Isolated
from vafa.jobs.schedule import event_time
from vafa.merchants import list_merchants
from vafa.store import keys as k
from vafa.store.models import CustomerItem, Item
from vafa.store.table import ensure_configured
from vafa.timeutil import iso
from vafa.tracing import capture_handler
from vafa.wallet.operations import settle_expired

logger = Logger(service="vafa-expiry")
metrics = Metrics(namespace="Vafa", service="vafa-expiry")


def customers_due(merchant_id: str, now: datetime) -> list[str]:
    """Customers holding a lot whose expiry, or a checkout hold whose lapse, is at or before `now`."""
    ensure_configured()
    seen: dict[str, None] = {}
    upper = f"{iso(now)}#\uffff"
    for item in CustomerItem.due_index.query(k.due_pk(merchant_id, "expiry"), CustomerItem.DueSK <= upper):
        seen.setdefault(item.PK.split("#C#", 1)[1], None)
    # Held redemptions sit on the index under their lapse until captured or voided; settling their
    # customer voids them (the key is `<lapse>#<customer id>`).
    for held in Item.due_index.query(k.due_pk(merchant_id, "hold"), Item.DueSK <= upper):
        seen.setdefault(str(held.DueSK).split("#", 1)[1], None)
    return list(seen)


@dataclass
class Tally:
    customers: int = 0
    expired: int = 0


def expire_merchant(
    merchant_id: str, now: datetime, budget: Budget | None = None, tally: Tally | None = None
) -> tuple[int, int]:
    """Customers settled and credit expired for one merchant. Out of time, it stops between two
    customers (BudgetSpent): the rest are still on the due index, where the next run finds them;
    what it did settle is in `tally`."""
    budget = budget or Unlimited()
    mine = Tally()
    for customer_id in customers_due(merchant_id, now):
        budget.check()
        amount = settle_expired(merchant_id, customer_id, now)
        for counts in (mine, *([tally] if tally else [])):
            counts.customers += 1
            counts.expired += amount
    return mine.customers, mine.expired


def run_expiry(now: datetime, budget: Budget | None = None) -> dict[str, Any]:
    """Expire everything due at or before `now`; safe to run late, twice or out of order. Merchants
    take turns at going first, so a run short of time does not always leave the same one for later."""
    run = Isolated()
    tally = Tally()
    merchants = list_merchants()
    turn = int(now.timestamp() // 900) % len(merchants) if merchants else 0
    cut_short = False
    try:
        for _ in run.each_merchant(
            [*merchants[turn:], *merchants[:turn]], lambda m: expire_merchant(m, now, budget, tally), logger
        ):
            pass
    except BudgetSpent:
        cut_short = True
        logger.warning("expiry run cut short by its time budget; the rest stays due")
    return {
        "customers": tally.customers,
        "expired": tally.expired,
        "cut_short": cut_short,
        **run.report(metrics),
    }


@logger.inject_lambda_context
@capture_handler("vafa-expiry")
@metrics.log_metrics
def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ensure_configured()
    now = event_time(event)
    result = run_expiry(now, Budget.from_context(context))
    metrics.add_metric(name="CreditExpired", unit=MetricUnit.Count, value=result["expired"])
    logger.info("expiry run", extra={"now": iso(now), **result})
    return {"time": iso(now), **result}
