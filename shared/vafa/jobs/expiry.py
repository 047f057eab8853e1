"""Expire credit past due, merchant by merchant: each profile sits on the due index under its soonest
expiry, so the run reads only customers with something due (never a Scan)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from vafa.jobs.isolation import Isolated
from vafa.jobs.schedule import event_time
from vafa.merchants import list_merchants
from vafa.store import keys as k
from vafa.store.models import CustomerItem
from vafa.store.table import ensure_configured
from vafa.timeutil import iso
from vafa.tracing import capture_handler
from vafa.wallet.operations import settle_expired

logger = Logger(service="vafa-expiry")
metrics = Metrics(namespace="Vafa", service="vafa-expiry")


def customers_due(merchant_id: str, now: datetime) -> list[str]:
    """Customers holding a lot whose expiry is at or before `now`, oldest due first."""
    ensure_configured()
    seen: dict[str, None] = {}
    upper = f"{iso(now)}#\uffff"
    for item in CustomerItem.due_index.query(k.due_pk(merchant_id, "expiry"), CustomerItem.DueSK <= upper):
        seen.setdefault(item.PK.split("#C#", 1)[1], None)
    return list(seen)


def expire_merchant(merchant_id: str, now: datetime) -> tuple[int, int]:
    """Customers settled and credit expired for one merchant."""
    customers = expired = 0
    for customer_id in customers_due(merchant_id, now):
        expired += settle_expired(merchant_id, customer_id, now)
        customers += 1
    return customers, expired


def run_expiry(now: datetime) -> dict[str, Any]:
    """Expire everything due at or before `now`; safe to run late, twice or out of order."""
    customers = expired = 0
    run = Isolated()
    for _, (settled, amount) in run.each_merchant(
        list_merchants(), lambda m: expire_merchant(m, now), logger
    ):
        customers += settled
        expired += amount
    return {"customers": customers, "expired": expired, **run.report(metrics)}


@logger.inject_lambda_context
@capture_handler("vafa-expiry")
@metrics.log_metrics
def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ensure_configured()
    now = event_time(event)
    result = run_expiry(now)
    metrics.add_metric(name="CreditExpired", unit=MetricUnit.Count, value=result["expired"])
    logger.info("expiry run", extra={"now": iso(now), **result})
    return {"time": iso(now), **result}
