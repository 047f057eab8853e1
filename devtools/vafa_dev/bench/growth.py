"""Part 5: the expiry job's DynamoDB calls must not grow with the number of customers.

Each size gets its own table and one merchant. The customers with credit due are made by real
purchases back-dated 40 days (their lots expired 10 days before the run). The other customers are
copies of one real purchase whose lot expires 30 days after the run: the purchase's transaction is
captured by the hooks and its items are written again with another customer id through
BatchWriteItem, which is much faster in moto than one transaction per customer.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from vafa.jobs.expiry import run_expiry
from vafa.merchants import create_merchant
from vafa.store import keys as k
from vafa.wallet import operations as ops

from vafa_dev.bench.calls import Recording
from vafa_dev.bench.capacity import Capacity, capacity, count_items, snapshot
from vafa_dev.bench.environment import BenchEnvironment
from vafa_dev.bench.scenarios import NOW, PROFILE, PROGRAM
from vafa_dev.local.rollback import per_item_rollback

SIZES = (100, 2_000)
DUE = 10
TOKEN = "zseedcustz"  # the template customer's id; replaced in every attribute of its copies
_BATCH = 25


@dataclass
class Growth:
    customers: int
    due: int
    items: int
    recording: Recording
    capacity: Capacity
    seconds: float
    result: dict[str, int]


def _purchase(merchant: str, order: str, customer: str, amount: int, at: Any) -> None:
    body = {"order_id": order, "customer_id": customer, "amount": amount}
    ops.record_purchase(
        merchant, ops.PurchaseRequest(order, customer, amount, None, PROFILE, None, body), PROGRAM, at
    )


def _replace(value: Any, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(TOKEN, new)
    if isinstance(value, dict):
        return {key: _replace(item, new) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace(item, new) for item in value]
    return value


def _seed(env: BenchEnvironment, table: str, merchant: str, copies: int) -> None:
    """One real purchase of the template customer, then `copies` customers like it."""
    with env.recorder.record() as recording:
        _purchase(merchant, f"{TOKEN}-order", TOKEN, 400_000, NOW)
    items: list[dict[str, Any]] = []
    for call in recording.calls:
        if call.operation == "TransactWriteItems" and call.error is None:
            items.extend(entry["Put"]["Item"] for entry in call.params["TransactItems"] if "Put" in entry)
    assert items, "the template purchase wrote nothing"
    pending: list[dict[str, Any]] = []
    for number in range(copies):
        new = f"n{number:06d}"
        pending.extend({"PutRequest": {"Item": _replace(item, new)}} for item in items)
        while len(pending) >= _BATCH or (number == copies - 1 and pending):
            batch, pending = pending[:_BATCH], pending[_BATCH:]
            requests: dict[str, Any] = {table: batch}
            while requests:
                requests = env.raw.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}


def run_size(env: BenchEnvironment, customers: int, due: int = DUE) -> Growth:
    table = env.use_table(f"vafa-bench-growth-{customers}")
    merchant = create_merchant(f"Bench growth {customers}", NOW).merchant_id
    earlier = NOW - timedelta(days=40)
    due_customers = [f"due-{number:03d}" for number in range(due)]
    for number, customer in enumerate(due_customers):
        _purchase(merchant, f"due-order-{number}", customer, 400_000, earlier)
    _seed(env, table, merchant, customers - due - 1)
    items = count_items(env.raw, table)
    # Only the due customers' partitions can change; a full Scan of moto's table would be slow.
    partitions = [k.customer_pk(merchant, customer) for customer in due_customers]
    env.recorder.hook_pynamodb_clients()
    before = snapshot(env.raw, table, env.shape, partitions)
    with env.recorder.record() as recording:
        start = time.perf_counter()
        result = run_expiry(NOW)
        seconds = time.perf_counter() - start
    after = snapshot(env.raw, table, env.shape, partitions)
    assert result["customers"] == due, json.dumps(result)
    return Growth(
        customers=customers,
        due=due,
        items=items,
        recording=recording,
        capacity=capacity(env.shape, recording.calls, before, after),
        seconds=seconds,
        result=result,
    )


def run(env: BenchEnvironment) -> list[Growth]:
    """Each size on its own table; moto's transactions use the per-item rollback (see vafa_dev.local.rollback)."""
    with per_item_rollback():
        return [run_size(env, size) for size in SIZES]
