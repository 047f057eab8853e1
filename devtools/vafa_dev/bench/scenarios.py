"""Parts 1 and 2: round trips and capacity units of each wallet operation, called in-process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from vafa.customers import ProfileIn
from vafa.merchants import create_merchant
from vafa.profiles import read_customer
from vafa.program import Program
from vafa.wallet import operations as ops

from vafa_dev.bench.calls import Recording
from vafa_dev.bench.capacity import Capacity, capacity, snapshot
from vafa_dev.bench.environment import BenchEnvironment

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
# The labels other parts (cost, the table) look the measured operations up by.
NEW_CUSTOMER = "(a) purchase, new customer (first purchase)"
RETURNING_LATER = "(a) purchase, returning customer on a later day (previous purchase 5 days earlier)"
REDEMPTION = "(c) redemption"
PROGRAM = Program()
PROFILE = ProfileIn(phone="09121234567", name="سارا رضایی", email="sara@example.com")


@dataclass(frozen=True)
class Target:
    """The issue's budget for an operation: at most `max_trips`, with exactly `transactions` writes."""

    max_trips: int
    transactions: int | None = None

    def describe(self) -> str:
        text = f"≤ {self.max_trips}" if self.max_trips > 1 else "= 1"
        if self.transactions:
            text += f", {self.transactions} write transaction"
        return text

    def met(self, recording: Recording) -> bool:
        writes = recording.operations().count("TransactWriteItems")
        return recording.round_trips <= self.max_trips and (
            self.transactions is None or writes == self.transactions
        )


@dataclass
class Measured:
    label: str
    recording: Recording
    capacity: Capacity
    target: Target | None
    error: str | None = None  # the operation raised: its exception, for the report

    @property
    def verdict(self) -> str:
        if self.error:
            return f"raised `{self.error}`"
        if self.target is None:
            return "—"
        return (
            "✓ " + self.target.describe()
            if self.target.met(self.recording)
            else "✗ " + self.target.describe()
        )

    @property
    def items_written(self) -> int:
        count = 0
        for call in self.recording.calls:
            if call.operation == "TransactWriteItems":
                count += len(call.params.get("TransactItems", []))
            elif call.operation in ("PutItem", "UpdateItem", "DeleteItem"):
                count += 1
        return count


def _purchase(merchant: str, order: str, customer: str, amount: int, at: datetime) -> dict[str, Any]:
    body = {"order_id": order, "customer_id": customer, "amount": amount, "customer": PROFILE.model_dump()}
    request = ops.PurchaseRequest(order, customer, amount, None, PROFILE, None, body)
    return ops.record_purchase(merchant, request, PROGRAM, at)


def _redeem(merchant: str, rid: str, customer: str, amount: int, at: datetime) -> dict[str, Any]:
    body = {"redemption_id": rid, "customer_id": customer, "amount": amount}
    return ops.redeem(merchant, ops.RedemptionRequest(rid, customer, amount, None, body), at)


def _refund(merchant: str, order: str, rid: str, amount: int, at: datetime) -> dict[str, Any]:
    body = {"refund_id": rid, "amount": amount}
    return ops.refund(merchant, ops.RefundRequest(order, rid, amount, body), at)


class Runner:
    """Measures one operation at a time: snapshot, record, snapshot, compute the units."""

    def __init__(self, env: BenchEnvironment, table: str) -> None:
        self.env = env
        self.table = table
        self.results: list[Measured] = []

    def measure(self, label: str, action: Callable[[], object], target: Target | None = None) -> Measured:
        self.env.recorder.hook_pynamodb_clients()
        before = snapshot(self.env.raw, self.table, self.env.shape)
        with self.env.recorder.record() as recording:
            action()
        after = snapshot(self.env.raw, self.table, self.env.shape)
        measured = Measured(
            label, recording, capacity(self.env.shape, recording.calls, before, after), target
        )
        self.results.append(measured)
        return measured


def run(env: BenchEnvironment) -> list[Measured]:
    """Every operation of the issue once, on a fresh merchant in its own table."""
    table = env.use_table("vafa-bench-ops")
    merchant = create_merchant("Bench shop", NOW).merchant_id
    earlier = NOW - timedelta(days=40)  # lots earned then expired 10 days before NOW
    two_trips = Target(2, transactions=1)
    runner = Runner(env, table)
    m = runner.measure
    m(NEW_CUSTOMER, lambda: _purchase(merchant, "o-1", "c-1", 1_250_000, NOW), two_trips)
    m(
        "(a) purchase, known customer (same day)",
        lambda: _purchase(merchant, "o-2", "c-1", 800_000, NOW),
        two_trips,
    )
    # As a real customer comes back: the previous purchase days earlier (its day's items are not
    # the ones this purchase touches), not minutes earlier.
    _purchase(merchant, "o-5a", "c-5", 900_000, NOW - timedelta(days=5))
    m(RETURNING_LATER, lambda: _purchase(merchant, "o-5b", "c-5", 800_000, NOW), two_trips)
    m(
        "(b) purchase replayed (same order_id and body)",
        lambda: _purchase(merchant, "o-2", "c-1", 800_000, NOW),
        Target(1),
    )
    m(REDEMPTION, lambda: _redeem(merchant, "r-1", "c-1", 20_000, NOW), two_trips)
    m("(d) redemption replayed", lambda: _redeem(merchant, "r-1", "c-1", 20_000, NOW))
    m("(e) refund (partial)", lambda: _refund(merchant, "o-1", "f-1", 500_000, NOW))
    m("(e) refund replayed", lambda: _refund(merchant, "o-1", "f-1", 500_000, NOW))
    m("(f) GET customer (read_customer)", lambda: read_customer(merchant, "c-1", NOW))
    # Customers whose only lot expired 10 days ago and was not settled yet.
    for customer in ("c-2", "c-3", "c-4"):
        _purchase(merchant, f"old-{customer}", customer, 400_000, earlier)
    m("(g) expiry settle of one customer (settle_expired)", lambda: ops.settle_expired(merchant, "c-2", NOW))
    m(
        "purchase, known customer with unsettled expired credit",
        lambda: _purchase(merchant, "o-3", "c-3", 300_000, NOW),
        two_trips,
    )
    m("GET customer with unsettled expired credit", lambda: read_customer(merchant, "c-4", NOW))
    return runner.results
