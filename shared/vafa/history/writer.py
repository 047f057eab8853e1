"""Writing past orders: one transaction per customer and chunk, so a crash or a re-run never double counts.

Each transaction holds the customer's new orders (each conditional on not existing yet) and the
profile with its counts (conditional on the version it read), plus the win-back marker the purchases
imply. Orders already in the table are skipped before writing; if one appears meanwhile, the
transaction is cancelled and that customer is read again and retried. Imported orders carry the same
keys as live purchases, so the metrics job folds them in on their own dates at its next run.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from vafa.customers import ProfileIn, apply_profile, new_customer
from vafa.history.rows import PastOrder, Rejected
from vafa.program import Program
from vafa.store import keys as k
from vafa.store.models import CustomerItem, DueItem, Item, OrderItem
from vafa.store.table import connection, ensure_configured
from vafa.store.wallet_store import batch_get
from vafa.timeutil import iso
from vafa.wallet.idempotency import request_hash

CHUNK = 200
PER_TRANSACTION = 90  # orders per transaction, leaving room for the profile and the marker (limit 100)
RETRIES = 5


@dataclass
class Summary:
    imported: int = 0
    skipped: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    customers: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "skipped": self.skipped,
            "rejected": len(self.rejected),
            "rejected_rows": self.rejected[:1000],
            "customers": self.customers,
        }


def _order_item(merchant_id: str, order: PastOrder) -> OrderItem:
    at = iso(order.occurred_at)
    response = {
        "order_id": order.order_id,
        "customer_id": order.customer_id,
        "amount": order.amount,
        "occurred_at": at,
        "cashback_earned": 0,
        "cashback_expires_at": None,
        "imported": True,
    }
    return OrderItem(
        k.order_pk(merchant_id, order.order_id),
        k.ORDER,
        order_id=order.order_id,
        customer_id=order.customer_id,
        amount=order.amount,
        cashback=0,
        occurred_at=at,
        request_hash=request_hash(order.body()),
        response=json.dumps(response, ensure_ascii=False),
        refunded_amount=order.refunded_amount,
        fully_refunded=order.amount > 0 and order.refunded_amount == order.amount,
        GSI1PK=k.customer_orders_key(merchant_id, order.customer_id),
        GSI1SK=f"{at}#{order.order_id}",
    )


def _fold(
    merchant_id: str, program: Program, profile: CustomerItem, orders: list[PastOrder], now: datetime
) -> list[DueItem]:
    """Count the orders into the profile as live purchases would; returns the markers they imply."""
    from vafa.wallet.operations import follow_ups

    latest = sorted(orders, key=lambda o: o.occurred_at, reverse=True)
    missing = {
        name: next(getattr(o, name) for o in latest if getattr(o, name))
        for name in ("phone", "email", "name")
        if any(getattr(o, name) for o in latest) and not getattr(profile, name)
    }
    if missing:
        apply_profile(profile, ProfileIn.model_validate(missing), now)
    markers: dict[str, DueItem] = {}
    for order in sorted(orders, key=lambda o: o.occurred_at):
        at = iso(order.occurred_at)
        if order.refunded_amount < order.amount or order.amount == 0:
            profile.purchases_count = int(profile.purchases_count) + 1
        profile.total_spent = int(profile.total_spent) + order.amount - order.refunded_amount
        if not profile.first_purchase_at or at < profile.first_purchase_at:
            profile.first_purchase_at = at
        if not profile.last_purchase_at or at > profile.last_purchase_at:
            profile.last_purchase_at = at
        for marker in follow_ups(merchant_id, program, profile, order.order_id, None, order.occurred_at, now):
            markers[marker.SK] = marker
    profile.updated_at = iso(now)
    profile.ActPK = k.activity_pk(merchant_id, iso(now)[:10])
    profile.ActSK = profile.customer_id
    return list(markers.values())


def _write_customer(
    merchant_id: str, program: Program, customer_id: str, orders: list[PastOrder], now: datetime
) -> tuple[int, int]:
    """(imported, skipped) for one customer's orders of a chunk."""
    cpk = k.customer_pk(merchant_id, customer_id)
    imported = skipped = 0
    pending = orders
    for _ in range(RETRIES):
        keys = [(k.order_pk(merchant_id, o.order_id), k.ORDER) for o in pending] + [(cpk, k.PROFILE)]
        found = batch_get(keys)
        fresh = [o for o in pending if (k.order_pk(merchant_id, o.order_id), k.ORDER) not in found]
        skipped += len(pending) - len(fresh)
        if not fresh:
            return imported, skipped
        batch, pending = fresh[:PER_TRANSACTION], fresh[PER_TRANSACTION:]
        stored = found.get((cpk, k.PROFILE))
        profile = (
            stored
            if isinstance(stored, CustomerItem)
            else new_customer(merchant_id, customer_id, program.default_locale, now)
        )
        markers = _fold(merchant_id, program, profile, batch, now)
        try:
            with TransactWrite(connection=connection()) as tx:
                tx.save(profile)
                for order in batch:
                    tx.save(_order_item(merchant_id, order), condition=Item.PK.does_not_exist())
                for marker in markers:
                    tx.save(marker)
        except TransactWriteError as exc:
            if exc.cause_response_code != "TransactionCanceledException":
                raise
            pending = batch + pending  # someone wrote this customer or one of these orders: read again
            continue
        imported += len(batch)
        if not pending:
            return imported, skipped
    raise RuntimeError(f"customer {customer_id}: too many concurrent changes; run the import again")


def _chunks(rows: Iterable[PastOrder | Rejected], size: int) -> Iterator[list[PastOrder | Rejected]]:
    chunk: list[PastOrder | Rejected] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def import_history(
    merchant_id: str,
    program: Program,
    rows: Iterable[PastOrder | Rejected],
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Import checked rows as history (no cashback); idempotent on order id."""
    ensure_configured()
    summary = Summary()
    seen_customers: set[str] = set()
    seen_orders: dict[str, str] = {}
    for chunk in _chunks(rows, CHUNK):
        by_customer: dict[str, list[PastOrder]] = defaultdict(list)
        for row in chunk:
            if isinstance(row, Rejected):
                summary.rejected.append({"row": row.row, "field": row.field, "reason": row.reason})
                continue
            fingerprint = request_hash(row.body())
            if row.order_id in seen_orders:
                if seen_orders[row.order_id] != fingerprint:
                    summary.rejected.append(
                        {"row": row.row, "field": "order_id", "reason": "order_id repeated with other values"}
                    )
                else:
                    summary.skipped += 1
                continue
            seen_orders[row.order_id] = fingerprint
            by_customer[row.customer_id].append(row)
        for customer_id, orders in by_customer.items():
            imported, skipped = _write_customer(merchant_id, program, customer_id, orders, now)
            summary.imported += imported
            summary.skipped += skipped
            seen_customers.add(customer_id)
        summary.customers = len(seen_customers)
        if progress:
            progress(len(chunk))
    return summary


def import_with_cashback(
    merchant_id: str,
    program: Program,
    rows: Iterable[PastOrder | Rejected],
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Each row through the live purchase path: cashback earned (and expired, if already past due)."""
    from vafa.errors import VafaError
    from vafa.wallet.operations import PurchaseRequest, record_purchase

    summary = Summary()
    customers: set[str] = set()
    for row in rows:
        if isinstance(row, Rejected):
            summary.rejected.append({"row": row.row, "field": row.field, "reason": row.reason})
        else:
            profile = {n: getattr(row, n) for n in ("phone", "email", "name") if getattr(row, n)}
            request = PurchaseRequest(
                order_id=row.order_id,
                customer_id=row.customer_id,
                amount=row.amount - row.refunded_amount,  # cashback on what the customer kept
                occurred_at=row.occurred_at,
                customer=ProfileIn.model_validate(profile) if profile else None,
                cart_id=None,
                body=row.body(),
            )
            if (k.order_pk(merchant_id, row.order_id), k.ORDER) in batch_get(
                [(k.order_pk(merchant_id, row.order_id), k.ORDER)]
            ):
                summary.skipped += 1
            elif row.amount and row.refunded_amount == row.amount:
                # Refunded in full: not a purchase and nothing to earn; kept as history.
                done = import_history(merchant_id, program, [row], now)
                summary.imported += done.imported
                summary.skipped += done.skipped
                customers.add(row.customer_id)
            else:
                try:
                    record_purchase(merchant_id, request, program, now)
                except VafaError as exc:
                    summary.rejected.append({"row": row.row, "field": exc.field, "reason": exc.message})
                else:
                    summary.imported += 1
                    customers.add(row.customer_id)
        if progress:
            progress(1)
    summary.customers = len(customers)
    return summary
