"""Writing past orders in batches, so that a crash, a re-run or a live purchase never double counts.

The rows are taken in chunks of `CHUNK`. For each chunk:

1. One consistent BatchGetItem per 100 keys reads the chunk's order ids and its customers' profiles.
   Orders already in the table are skipped (reported as skipped; as rejected when the stored order
   names another customer or amount), so a re-run of the same file reads and writes nothing new.
2. Each customer's new orders are folded into the profile exactly as the live purchase path
   (`vafa.wallet.operations.record_purchase`) would count them: purchases, total spent, first and
   last purchase and the purchase times personal win-back reads. Each order goes on the merchant's
   timeline under today (ActivityIndex, with the day it happened), as a live purchase recorded today
   would, so the next metrics run folds it in on its own date. A customer whose history makes them
   due a win-back gets one marker at that time (the live path needs none: the check reads the
   timeline win-back-days behind `now`, which an imported order, recorded today, would reach only a
   month from now). Contact fields (phone, email, name,
   birthday) fill only what the profile does not already have: the shop's live data is newer.
3. The writes go out as TransactWriteItems of up to 100 items, several customers to a transaction:
   each customer's profile (guarded by the version it read) with its orders (each guarded by
   `attribute_not_exists`). Transactions of one chunk touch disjoint customers, so they run on a
   few threads at once; chunks run one after the other.

Why transactions rather than BatchWriteItem: BatchWriteItem carries no conditions and is not atomic
(any item may come back unprocessed). An order written without its profile's counts would be
skipped by the re-run and never counted; a profile written without its orders would be counted
again. With every customer's orders and counts in one guarded transaction, whatever committed is
complete and whatever did not is invisible, and an order a live purchase wrote meanwhile is never
overwritten. A transaction of 100 items replaces four BatchWriteItem calls of 25, so it is fewer
round trips; it costs twice the write units, once, for an import.

A cancelled transaction (a live purchase changed one of its customers meanwhile) is retried one
customer at a time from a fresh read; throttling is retried with exponential backoff and jitter.
"""

from __future__ import annotations

import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite
from vafa.customers import ProfileIn, apply_profile, new_customer
from vafa.errors import Busy, VafaError
from vafa.program import Program
from vafa.search import name_items
from vafa.store import keys as k
from vafa.store.models import CustomerItem, DueItem, Item, NameKeyItem, OrderItem
from vafa.store.table import connection, ensure_configured
from vafa.timeutil import iso
from vafa.wallet.idempotency import request_hash
from vafa.wallet.store import batch_get

from vafa_dev.history.reader import PastOrder, Rejected

CHUNK = 500  # orders read (5 BatchGetItem pages) and folded together
PER_CUSTOMER = 45  # orders of one customer per transaction: with its profile, well under 100 items
MAX_TRANSACTION_ITEMS = 100  # DynamoDB's limit for one TransactWriteItems
WORKERS = 4
RETRIES = 8
MAX_REPORTED = 1000  # rejected rows listed in the summary (all are counted)
THROTTLED = frozenset(
    {
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TransactionConflictException",
        "InternalServerError",
    }
)
RETRYABLE_REASONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})

Progress = Callable[[int], None]


@dataclass
class Summary:
    rows: int = 0
    imported: int = 0
    skipped: int = 0
    rejected: int = 0
    rejected_rows: list[dict[str, Any]] = field(default_factory=list)
    customers_created: int = 0
    cashback_earned: int = 0

    def reject(self, row: int, field_name: str | None, reason: str) -> None:
        self.rejected += 1
        if len(self.rejected_rows) < MAX_REPORTED:
            self.rejected_rows.append({"row": row, "field": field_name, "reason": reason})

    def add(self, other: _Outcome) -> None:
        self.imported += other.imported
        self.skipped += other.skipped
        self.customers_created += other.created
        self.cashback_earned += other.cashback
        for row, field_name, reason in other.rejected:
            self.reject(row, field_name, reason)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "rejected_rows": sorted(self.rejected_rows, key=lambda r: r["row"]),
            "rejected_rows_truncated": self.rejected > len(self.rejected_rows),
            "customers_created": self.customers_created,
            "cashback_earned": self.cashback_earned,
        }


@dataclass
class _Outcome:
    imported: int = 0
    skipped: int = 0
    created: int = 0
    cashback: int = 0
    rejected: list[tuple[int, str | None, str]] = field(default_factory=list)

    def add(self, other: _Outcome) -> None:
        self.imported += other.imported
        self.skipped += other.skipped
        self.created += other.created
        self.cashback += other.cashback
        self.rejected.extend(other.rejected)


@dataclass
class _Plan:
    """One customer's share of a transaction: the profile as it will be, its new orders, its marker."""

    profile: CustomerItem
    created: bool
    orders: list[PastOrder]
    markers: list[DueItem]
    names: list[NameKeyItem] = field(default_factory=list)  # a name filled in: its search keys

    @property
    def size(self) -> int:
        return 1 + len(self.orders) + len(self.markers) + len(self.names)


def order_item(merchant_id: str, order: PastOrder, now: datetime) -> OrderItem:
    """The order as the live path stores it (same keys, on the timeline under `now`), earning nothing:
    it moved no money, so it has no ledger entries and is not in the customer's ledger."""
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
        request_hash=request_hash(order.fingerprint()),
        response=json.dumps(response, ensure_ascii=False),
        refunded_amount=order.refunded_amount,
        fully_refunded=not order.counts,
        recorded_at=iso(now),
        ActPK=k.activity_pk(merchant_id, iso(now)[:10]),
        ActSK=k.timeline_sk(iso(now), "order", order.customer_id, at),
    )


def _missing_fields(profile: CustomerItem, orders: list[PastOrder]) -> ProfileIn | None:
    """Contact fields the profile lacks, from the customer's latest order that has each."""
    latest = sorted(orders, key=lambda o: o.occurred_at, reverse=True)
    fill: dict[str, Any] = {}
    for name in ("phone", "email", "name", "birthday"):
        if getattr(profile, name):
            continue
        value = next((getattr(o, name) for o in latest if getattr(o, name)), None)
        if value is not None:
            fill[name] = value
    consent = next((o.consent for o in latest if o.consent), None)
    if consent:
        fill["consent"] = consent
    return ProfileIn.model_validate(fill) if fill else None


def fold(
    merchant_id: str, program: Program, profile: CustomerItem, orders: list[PastOrder], now: datetime
) -> list[DueItem]:
    """Count the orders into the profile as live purchases (and refunds) would; returns the
    customer's win-back marker when their history makes one due."""
    from vafa.messaging.winback import win_back_due_at
    from vafa.wallet.operations import remember_purchase

    fill = _missing_fields(profile, orders)
    if fill is not None:
        apply_profile(profile, fill, now)
    for order in sorted(orders, key=lambda o: (o.occurred_at, o.order_id)):
        at = iso(order.occurred_at)
        if order.counts:
            profile.purchases_count = int(profile.purchases_count) + 1
        profile.total_spent = int(profile.total_spent) + order.kept
        if not profile.first_purchase_at or at < profile.first_purchase_at:
            profile.first_purchase_at = at
        if not profile.last_purchase_at or at > profile.last_purchase_at:
            profile.last_purchase_at = at
        remember_purchase(profile, order.occurred_at, None)
    profile.updated_at = iso(now)
    due_at = win_back_due_at(program, profile)
    if due_at is None:
        return []
    return [
        DueItem(
            profile.PK,
            k.due_sk("win_back"),
            due_kind="win_back",
            ref="",
            due_at=iso(due_at),
            DuePK=k.due_pk(merchant_id, "win_back"),
            DueSK=f"{iso(due_at)}#{profile.customer_id}",
        )
    ]


ORDER_FIELDS = ["PK", "SK", "kind", "customer_id", "amount"]  # all the existence check needs


def _read(merchant_id: str, orders: list[PastOrder], customers: Iterable[str]) -> dict[tuple[str, str], Item]:
    """Which orders exist (keys and the fields a conflict check needs) and the customers' profiles.

    One consistent BatchGetItem per 100 keys; PynamoDB asks again for any unprocessed keys.
    """
    ensure_configured()
    found: dict[tuple[str, str], Item] = {}
    order_keys = [(k.order_pk(merchant_id, o.order_id), k.ORDER) for o in orders]
    if order_keys:
        for item in Item.batch_get(order_keys, consistent_read=True, attributes_to_get=ORDER_FIELDS):
            found[(item.PK, item.SK)] = item
    profile_keys = [(k.customer_pk(merchant_id, c), k.PROFILE) for c in customers]
    if profile_keys:
        found.update(batch_get(profile_keys))
    return found


def _conflict(stored: OrderItem, order: PastOrder) -> bool:
    """The stored order is another order under the same id (not this row recorded before)."""
    return stored.customer_id != order.customer_id or int(stored.amount) not in (order.amount, order.kept)


def _sort_existing(
    merchant_id: str, orders: list[PastOrder], found: dict[tuple[str, str], Item], outcome: _Outcome
) -> list[PastOrder]:
    """The orders not yet in the table; the others are counted as skipped (or rejected on conflict)."""
    fresh = []
    for order in orders:
        stored = found.get((k.order_pk(merchant_id, order.order_id), k.ORDER))
        if isinstance(stored, OrderItem):
            if _conflict(stored, order):
                outcome.rejected.append(
                    (order.row, "order_id", "order_id is already recorded with another customer or amount")
                )
            else:
                outcome.skipped += 1
        else:
            fresh.append(order)
    return fresh


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, min(2.0, 0.05 * 2**attempt)))


def _transact(plans: list[_Plan], merchant_id: str, now: datetime) -> bool:
    """Write the plans in one transaction; False when a condition failed (someone wrote meanwhile)."""
    for attempt in range(RETRIES):
        try:
            with TransactWrite(connection=connection()) as tx:
                for plan in plans:
                    tx.save(plan.profile)  # conditional on the version read (None: must not exist)
                    for order in plan.orders:
                        tx.save(order_item(merchant_id, order, now), condition=Item.PK.does_not_exist())
                    for marker in [*plan.markers, *plan.names]:
                        tx.save(marker)
            return True
        except TransactWriteError as exc:
            code = exc.cause_response_code
            if code == "TransactionCanceledException":
                reasons = {reason.code for reason in exc.cancellation_reasons or [] if reason is not None}
                reasons.discard("None")
                if reasons and reasons <= RETRYABLE_REASONS:
                    _backoff(attempt)
                    continue
                refused = reasons - RETRYABLE_REASONS - {"ConditionalCheckFailed"}
                if refused:  # not a race: the same write would be refused again
                    raise RuntimeError(
                        f"the table refused the import's write: {', '.join(sorted(refused))}"
                    ) from exc
                return False
            if code in THROTTLED:
                _backoff(attempt)
                continue
            raise
    raise Busy("the table kept throttling the import; run it again to continue")


def _plan(
    merchant_id: str,
    program: Program,
    customer_id: str,
    orders: list[PastOrder],
    stored: Item | None,
    now: datetime,
) -> _Plan:
    if isinstance(stored, CustomerItem):
        profile, created = stored, False
    else:
        profile, created = new_customer(merchant_id, customer_id, program.default_locale, now), True
    old_name = profile.name
    markers = fold(merchant_id, program, profile, orders, now)
    # An imported name is searchable in the panel as one the API set (vafa.search).
    names = name_items(merchant_id, customer_id, old_name, profile.name)
    return _Plan(profile, created, orders, markers, names)


def write_customer(
    merchant_id: str, program: Program, customer_id: str, orders: list[PastOrder], now: datetime
) -> _Outcome:
    """One customer's orders on their own, from a fresh read, `PER_CUSTOMER` orders per transaction."""
    outcome = _Outcome()
    cpk = k.customer_pk(merchant_id, customer_id)
    pending = sorted(orders, key=lambda o: (o.occurred_at, o.order_id))
    attempt = 0
    while pending:
        found = _read(merchant_id, pending, [customer_id])
        pending = _sort_existing(merchant_id, pending, found, outcome)
        if not pending:
            break
        batch = pending[:PER_CUSTOMER]
        plan = _plan(merchant_id, program, customer_id, batch, found.get((cpk, k.PROFILE)), now)
        if _transact([plan], merchant_id, now):
            outcome.imported += len(batch)
            outcome.created += plan.created
            pending = pending[PER_CUSTOMER:]
            attempt = 0
            continue
        attempt += 1
        if attempt >= RETRIES:
            raise Busy(f"customer {customer_id} kept changing during the import; run it again to continue")
        _backoff(attempt)
    return outcome


def _write_packed(merchant_id: str, program: Program, plans: list[_Plan], now: datetime) -> _Outcome:
    """Several customers in one transaction; if it is cancelled, each customer again on its own."""
    outcome = _Outcome()
    if _transact(plans, merchant_id, now):
        for plan in plans:
            outcome.imported += len(plan.orders)
            outcome.created += plan.created
        return outcome
    for plan in plans:
        outcome.add(write_customer(merchant_id, program, plan.profile.customer_id, plan.orders, now))
    return outcome


def _pack(plans: list[_Plan]) -> Iterator[list[_Plan]]:
    batch: list[_Plan] = []
    size = 0
    for plan in plans:
        if batch and size + plan.size > MAX_TRANSACTION_ITEMS:
            yield batch
            batch, size = [], 0
        batch.append(plan)
        size += plan.size
    if batch:
        yield batch


def _chunks(rows: Iterable[PastOrder | Rejected], summary: Summary) -> Iterator[list[PastOrder]]:
    """Valid orders in chunks of CHUNK; rejected rows go straight to the summary."""
    chunk: list[PastOrder] = []
    for row in rows:
        summary.rows += 1
        if isinstance(row, Rejected):
            summary.reject(row.row, row.field, row.reason)
            continue
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _unique(chunk: list[PastOrder], summary: Summary) -> list[PastOrder]:
    """The chunk without repeated order ids: an exact repeat is skipped, a different one rejected."""
    first: dict[str, PastOrder] = {}
    for order in chunk:
        seen = first.get(order.order_id)
        if seen is None:
            first[order.order_id] = order
        elif seen.fingerprint() == order.fingerprint():
            summary.skipped += 1
        else:
            summary.reject(order.row, "order_id", f"order_id repeats row {seen.row} with other values")
    return list(first.values())


def _by_customer(orders: list[PastOrder]) -> dict[str, list[PastOrder]]:
    grouped: dict[str, list[PastOrder]] = defaultdict(list)
    for order in orders:
        grouped[order.customer_id].append(order)
    return grouped


def import_history(
    merchant_id: str,
    program: Program,
    rows: Iterable[PastOrder | Rejected],
    now: datetime,
    progress: Progress | None = None,
    workers: int = WORKERS,
    summary: Summary | None = None,
) -> Summary:
    """Past orders as history: orders and profiles, no cashback. Idempotent on order id."""
    ensure_configured()
    summary = summary if summary is not None else Summary()  # the caller's, to report a stop part-way
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="import") as pool:
        done = 0
        for chunk in _chunks(rows, summary):
            orders = _unique(chunk, summary)
            customers = _by_customer(orders)
            found = _read(merchant_id, orders, customers)
            early = _Outcome()
            fresh = _by_customer(_sort_existing(merchant_id, orders, found, early))
            summary.add(early)
            small: list[_Plan] = []
            jobs = []
            for customer_id, mine in fresh.items():
                if len(mine) > PER_CUSTOMER:
                    jobs.append(pool.submit(write_customer, merchant_id, program, customer_id, mine, now))
                    continue
                stored = found.get((k.customer_pk(merchant_id, customer_id), k.PROFILE))
                small.append(_plan(merchant_id, program, customer_id, mine, stored, now))
            for batch in _pack(small):
                jobs.append(pool.submit(_write_packed, merchant_id, program, batch, now))
            for job in jobs:
                summary.add(job.result())
            if progress is not None:
                progress(summary.rows - done)
                done = summary.rows
        if progress is not None and summary.rows > done:
            progress(summary.rows - done)
    return summary


def _earn_customer(
    merchant_id: str, program: Program, customer_id: str, orders: list[PastOrder], now: datetime
) -> _Outcome:
    """One customer's orders through the live purchase path, oldest first."""
    from vafa.wallet.operations import PurchaseRequest, record_purchase

    outcome = _Outcome()
    for order in sorted(orders, key=lambda o: (o.occurred_at, o.order_id)):
        if not order.counts:
            # Refunded in full: nothing was kept, nothing is earned; it stays in the history.
            outcome.add(write_customer(merchant_id, program, customer_id, [order], now))
            continue
        request = PurchaseRequest(
            order_id=order.order_id,
            customer_id=customer_id,
            amount=order.kept,  # cashback on what the customer kept, as a refund would leave it
            occurred_at=order.occurred_at,
            customer=order.profile(),
            cart_id=None,
            body=order.fingerprint(),
        )
        try:
            answer = record_purchase(merchant_id, request, program, now)
        except VafaError as exc:
            outcome.rejected.append((order.row, exc.field, exc.message))
            continue
        outcome.imported += 1
        outcome.cashback += int(answer["cashback_earned"])
    return outcome


def import_with_cashback(
    merchant_id: str,
    program: Program,
    rows: Iterable[PastOrder | Rejected],
    now: datetime,
    progress: Progress | None = None,
    workers: int = WORKERS,
    summary: Summary | None = None,
) -> Summary:
    """Each new order through `record_purchase`: it earns cashback, and credit whose expiry date has
    passed is earned and expired at once, so every wallet invariant holds. Idempotent on order id."""
    ensure_configured()
    summary = summary if summary is not None else Summary()  # the caller's, to report a stop part-way
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="import") as pool:
        done = 0
        for chunk in _chunks(rows, summary):
            orders = _unique(chunk, summary)
            found = _read(merchant_id, orders, [])
            early = _Outcome()
            fresh = _by_customer(_sort_existing(merchant_id, orders, found, early))
            summary.add(early)
            jobs = [
                pool.submit(_earn_customer, merchant_id, program, customer_id, mine, now)
                for customer_id, mine in fresh.items()
            ]
            for job in jobs:
                summary.add(job.result())
            if progress is not None:
                progress(summary.rows - done)
                done = summary.rows
        if progress is not None and summary.rows > done:
            progress(summary.rows - done)
    return summary
