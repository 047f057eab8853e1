"""The metrics schedule: fold the customers with new activity into each merchant's aggregates."""

from __future__ import annotations

import base64
import json
import zlib
from datetime import date, datetime, timedelta
from typing import Any

from pynamodb.exceptions import PutError

from vafa.insight.metrics import aggregate
from vafa.insight.metrics.contribution import Order, contribution
from vafa.merchants import ProgramStore, list_merchants
from vafa.messaging import counters
from vafa.program import Program
from vafa.store import keys as k
from vafa.store.models import CustomerItem, Item, LedgerItem, MetricsItem, NotificationItem, OrderItem
from vafa.store.table import ensure_configured
from vafa.timeutil import iso, parse_instant

METRICS_SK = "METRICS"
PACKED = "z:"


def pack(value: dict[str, Any]) -> str:
    """JSON, deflated and base64'd: years of daily figures stay far below DynamoDB's 400 KB item limit."""
    raw = json.dumps(value, separators=(",", ":")).encode()
    return PACKED + base64.b64encode(zlib.compress(raw, 6)).decode()


def unpack(data: str) -> dict[str, Any]:
    if data.startswith(PACKED):
        data = zlib.decompress(base64.b64decode(data[len(PACKED) :])).decode()
    loaded: dict[str, Any] = json.loads(data)
    return loaded


def _load(pk: str) -> tuple[dict[str, Any] | None, str | None]:
    try:
        item = MetricsItem.get(pk, METRICS_SK, consistent_read=True)
    except MetricsItem.DoesNotExist:
        return None, None
    return unpack(item.data), item.updated_at


def touched_customers(merchant_id: str, since: date, until: date) -> list[str]:
    """Customers whose wallet or purchases changed on any day in [since, until] (ActivityIndex)."""
    seen: dict[str, None] = {}
    day = since
    while day <= until:
        for item in CustomerItem.activity_index.query(k.activity_pk(merchant_id, day.isoformat())):
            seen.setdefault(str(item.ActSK), None)
        day += timedelta(days=1)
    return list(seen)


def customer_orders(merchant_id: str, customer_id: str) -> list[Order]:
    return [
        Order(
            item.GSI1SK.split("#", 1)[1],
            parse_instant(item.GSI1SK.split("#", 1)[0]),
            int(item.amount),
            int(item.refunded_amount or 0),
        )
        for item in OrderItem.by_customer.query(k.customer_orders_key(merchant_id, customer_id))
    ]


def _attribute(
    merchant_id: str, customer_id: str, program: Program, new_orders: list[Order], agg: dict[str, Any]
) -> None:
    """Credit each new order to the message that brought the customer back (click first, else send)."""
    if not new_orders:
        return
    window = timedelta(days=program.attribution_window_days)
    notes = [
        n
        for n in Item.query(k.customer_pk(merchant_id, customer_id), Item.SK.startswith(k.NOTE_PREFIX))
        if isinstance(n, NotificationItem)
    ]
    for order in new_orders:
        start, end = iso(order.occurred_at - window), iso(order.occurred_at)
        clicked = [n for n in notes if n.clicked_at and start <= n.clicked_at <= end]
        sent = [n for n in notes if n.status == "sent" and n.sent_at and start <= n.sent_at <= end]
        held = [n for n in notes if n.reason == "holdout" and start <= n.at <= end]
        chosen = (
            max(clicked, key=lambda n: n.clicked_at or "")
            if clicked
            else (max(sent, key=lambda n: n.sent_at or "") if sent else None)
        )
        keys = []
        if chosen is not None:
            keys = [chosen.message_kind] + ([f"campaign:{chosen.campaign_id}"] if chosen.campaign_id else [])
            for key in keys:
                stats = agg["messages"].setdefault(key, {})
                stats["converted"] = stats.get("converted", 0) + 1
                stats["revenue"] = stats.get("revenue", 0) + order.amount - order.refunded
        for note in held:
            key = note.message_kind if not note.campaign_id else f"campaign:{note.campaign_id}"
            stats = agg["messages"].setdefault(key, {})
            stats["holdout_converted"] = stats.get("holdout_converted", 0) + 1


def refresh_customer(
    merchant_id: str, customer_id: str, program: Program, agg: dict[str, Any], now: datetime
) -> None:
    """Replace this customer's old contribution with a fresh one, and fold in their new ledger entries."""
    cpk = k.customer_pk(merchant_id, customer_id)
    snapshot, _ = _load(cpk)
    snapshot = snapshot or {"part": {}, "orders": [], "seq": 0}
    orders = customer_orders(merchant_id, customer_id)
    part = contribution(orders)
    aggregate.apply(agg, snapshot["part"], -1)
    aggregate.apply(agg, part, 1)
    known = set(snapshot["orders"])
    _attribute(
        merchant_id, customer_id, program, [o for o in orders if o.order_id not in known and o.counts], agg
    )
    seq = int(snapshot["seq"])
    for entry in Item.query(cpk, Item.SK.between(k.ledger_sk(seq + 1), k.LEDGER_PREFIX + "~")):
        if isinstance(entry, LedgerItem):
            aggregate.add_wallet(agg, entry.at[:10], entry.type, int(entry.amount))
            seq = max(seq, int(entry.SK.removeprefix(k.LEDGER_PREFIX)))
    data = {"part": part, "orders": sorted(o.order_id for o in orders), "seq": seq}
    MetricsItem(cpk, METRICS_SK, data=pack(data), updated_at=iso(now)).save()


def run_for_merchant(merchant_id: str, program: Program, now: datetime) -> int:
    ensure_configured()
    mpk = k.merchant_pk(merchant_id)
    state, updated_at = _load(mpk)
    state = state or {"agg": aggregate.empty(), "watermark": None}
    agg = state["agg"]
    since = date.fromisoformat(state["watermark"]) if state["watermark"] else _created_on(merchant_id, now)
    customers = touched_customers(merchant_id, since, now.date())
    for customer_id in customers:
        refresh_customer(merchant_id, customer_id, program, agg, now)
    state = {"agg": agg, "watermark": now.date().isoformat(), "as_of": iso(now)}
    item = MetricsItem(mpk, METRICS_SK, data=pack(state), updated_at=iso(now))
    try:
        condition = MetricsItem.updated_at == updated_at if updated_at else MetricsItem.PK.does_not_exist()
        item.save(condition=condition)
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        return 0  # another run folded the same activity in meanwhile: its result stands
    return len(customers)


def _created_on(merchant_id: str, now: datetime) -> date:
    """The first run starts from the merchant's creation: nothing can have happened before it."""
    from vafa.store.models import MerchantItem

    try:
        created = MerchantItem.get(k.merchant_pk(merchant_id), k.MERCHANT).created_at
        return min(parse_instant(created).date(), now.date())
    except MerchantItem.DoesNotExist:
        return now.date()


def run_metrics(now: datetime, logger: Any = None, metrics: Any = None) -> dict[str, Any]:
    """Bring every merchant's aggregates up to `now`; one merchant's failure skips only that one."""
    from vafa.jobs.isolation import Isolated

    if logger is None:
        import logging

        logger = logging.getLogger("vafa.insight.metrics")
    programs = ProgramStore(0)
    visited = 0
    merchants = list_merchants()
    run = Isolated()
    for _, count in run.each_merchant(merchants, lambda m: run_for_merchant(m, programs.get(m), now), logger):
        visited += count
    return {
        "time": iso(now),
        "merchants": len(merchants),
        "customers_refreshed": visited,
        **run.report(metrics),
    }


def outcome_row(count: dict[str, int]) -> dict[str, Any]:
    """One message kind's or campaign's results; lift = return rate of the messaged minus the holdout's."""
    sent, held = count.get("sent", 0), count.get("holdout", 0)
    converted, held_converted = count.get("converted", 0), count.get("holdout_converted", 0)
    lift = round(converted / sent - held_converted / held, 4) if sent and held else None
    return {
        "sent": sent,
        "suppressed": count.get("suppressed", 0),
        "failed": count.get("failed", 0),
        "clicked": count.get("clicked", 0),
        "converted": converted,
        "revenue": count.get("revenue", 0),
        "holdout_lift": lift,
        "holdout_sample": {"messaged": sent, "holdout": held},
        "cost": count.get("cost", 0),
        "revenue_per_cost": round(count.get("revenue", 0) / count["cost"], 2) if count.get("cost") else None,
    }


def outcomes(merchant_id: str) -> dict[str, dict[str, int]]:
    """Counters and conversions per message kind and `campaign:<id>`, as of the last metrics run."""
    state, _ = _load(k.merchant_pk(merchant_id))
    conversions = (state or {}).get("agg", {}).get("messages", {})
    stats = counters.read(merchant_id)
    return {key: {**stats.get(key, {}), **conversions.get(key, {})} for key in set(stats) | set(conversions)}


def metrics_report(merchant_id: str, start: date, end: date) -> dict[str, Any]:
    """What `GET /v1/metrics` answers: the aggregates as of the last run, for the range."""
    ensure_configured()
    state, _ = _load(k.merchant_pk(merchant_id))
    state = state or {"agg": aggregate.empty(), "as_of": None}
    as_of = parse_instant(state["as_of"]).date() if state.get("as_of") else end
    body = {
        "as_of": state.get("as_of"),
        "from": start.isoformat(),
        "to": end.isoformat(),
        **aggregate.report(state["agg"], start, end, as_of),
    }
    stats = counters.read(merchant_id)
    conversions = state["agg"].get("messages", {})
    messages: dict[str, Any] = {}
    campaigns: dict[str, Any] = {}
    for key in sorted(set(stats) | set(conversions)):
        row = outcome_row({**stats.get(key, {}), **conversions.get(key, {})})
        if key.startswith("campaign:"):
            campaigns[key.split(":", 1)[1]] = row
        else:
            messages[key] = row
    body["messages"] = messages
    body["campaigns"] = campaigns
    return body
