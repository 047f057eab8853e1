"""Parts 6-8: the reminders run and the metrics run must cost what is due, not what exists; SQS
requests per message; messages one sender invocation delivers per second.

Each size gets its own table and one merchant. The customers who are not due are written straight
into the table with BatchWriteItem (profile, and a win-back marker due a month after the run), as the
purchase path would have left them; the due ones have a win-back marker due before the run.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from vafa.bench.calls import Recording
from vafa.bench.environment import BenchEnvironment
from vafa.bench.motopatch import per_item_rollback
from vafa.bench.scenarios import NOW
from vafa.customers import new_customer
from vafa.merchants import ProgramStore, create_merchant
from vafa.program import Program
from vafa.store import keys as k
from vafa.store.models import DueItem
from vafa.timeutil import iso

SIZES = (1_000, 50_000)
DUE = 100
_BATCH = 25


@dataclass
class RunCost:
    job: str
    customers: int
    due: int
    recording: Recording
    seconds: float
    result: dict[str, Any]


@dataclass
class SenderSpeed:
    messages: int
    seconds: float
    batches: int

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


def _customer_items(merchant: str, customer: str, due_at: Any, active_day: str) -> list[dict[str, Any]]:
    profile = new_customer(merchant, customer, "fa", NOW - timedelta(days=400))
    profile.phone = f"+98912{abs(hash(customer)) % 10_000_000:07d}"
    profile.consent = {"sms": True, "email": False, "push": False}  # type: ignore[assignment]
    profile.purchases_count, profile.total_spent = 1, 1_000_000
    profile.first_purchase_at = profile.last_purchase_at = iso(due_at - timedelta(days=30))
    profile.ActPK, profile.ActSK = k.activity_pk(merchant, active_day), customer
    profile.version = 1
    marker = DueItem(
        k.customer_pk(merchant, customer),
        k.due_sk("win_back"),
        due_kind="win_back",
        ref="",
        due_at=iso(due_at),
        DuePK=k.due_pk(merchant, "win_back"),
        DueSK=f"{iso(due_at)}#{customer}",
    )
    return [_plain(profile), _plain(marker)]


def _plain(item: Any) -> dict[str, Any]:
    serialized: dict[str, Any] = item.serialize()
    return serialized


def _write(env: BenchEnvironment, table: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), _BATCH):
        requests: dict[str, Any] = {
            table: [{"PutRequest": {"Item": i}} for i in items[start : start + _BATCH]]
        }
        while requests:
            requests = env.raw.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}


def _shop(env: BenchEnvironment, customers: int, label: str) -> tuple[str, str]:
    table = env.use_table(f"vafa-bench-{label}-{customers}")
    merchant = create_merchant(f"Bench {label} {customers}", NOW - timedelta(days=2)).merchant_id
    store = ProgramStore(0)
    settings = store.get(merchant).model_dump()
    settings.update(channel_order=["sms"], quiet_hours=None, holdout_percent=0)
    store.put(merchant, Program.model_validate(settings), NOW)
    return table, merchant


def reminders_cost(env: BenchEnvironment, customers: int) -> RunCost:
    from vafa.jobs.reminders import run_reminders

    table, merchant = _shop(env, customers, "reminders")
    old_day = (NOW - timedelta(days=60)).date().isoformat()
    items: list[dict[str, Any]] = []
    for n in range(customers):
        due_at = NOW - timedelta(hours=1) if n < DUE else NOW + timedelta(days=30)
        items.extend(_customer_items(merchant, f"c{n:06d}", due_at, old_day))
    _write(env, table, items)
    env.recorder.hook_pynamodb_clients()
    with env.recorder.record() as recording:
        started = time.perf_counter()
        result = run_reminders(NOW)
        seconds = time.perf_counter() - started
    return RunCost("reminders", customers, DUE, recording, seconds, result)


def metrics_cost(env: BenchEnvironment, customers: int) -> RunCost:
    from vafa.metrics.job import run_for_merchant
    from vafa.wallet import operations as ops

    table, merchant = _shop(env, customers, "metrics")
    program = ProgramStore(0).get(merchant)
    old_day = (NOW - timedelta(days=60)).date().isoformat()
    items: list[dict[str, Any]] = []
    for n in range(customers - DUE):
        items.extend(_customer_items(merchant, f"c{n:06d}", NOW + timedelta(days=30), old_day)[:1])
    _write(env, table, items)
    run_for_merchant(merchant, program, NOW - timedelta(days=1))  # yesterday's run: the watermark
    for n in range(DUE):
        body = {"order_id": f"today-{n}", "customer_id": f"a{n:04d}", "amount": 1_000_000}
        request = ops.PurchaseRequest(
            f"today-{n}", f"a{n:04d}", 1_000_000, NOW - timedelta(hours=2), None, None, body
        )
        ops.record_purchase(merchant, request, program, NOW - timedelta(hours=1))
    env.recorder.hook_pynamodb_clients()
    with env.recorder.record() as recording:
        started = time.perf_counter()
        refreshed = run_for_merchant(merchant, program, NOW)
        seconds = time.perf_counter() - started
    return RunCost("metrics", customers, DUE, recording, seconds, {"customers_refreshed": refreshed})


def sender_speed(env: BenchEnvironment) -> SenderSpeed:
    """Receive what the last reminders run queued for SMS and hand it to the sender in batches of 10."""
    import boto3

    from vafa.jobs.senders import handle_batch
    from vafa.retention.outbox import queue_url

    sqs = boto3.client("sqs", endpoint_url=env.endpoint, region_name="us-east-1")
    records: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url("sms"), MaxNumberOfMessages=10, AttributeNames=["All"])
        messages = got.get("Messages") or []
        if not messages:
            break
        for m in messages:
            records.append(
                {"messageId": m["MessageId"], "body": m["Body"], "attributes": m.get("Attributes", {})}
            )
            sqs.delete_message(QueueUrl=queue_url("sms"), ReceiptHandle=m["ReceiptHandle"])
    started = time.perf_counter()
    batches = 0
    for start in range(0, len(records), 10):
        answer = handle_batch({"Records": records[start : start + 10]})
        assert not answer["batchItemFailures"], json.dumps(answer)
        batches += 1
    return SenderSpeed(len(records), time.perf_counter() - started, batches)


def run(env: BenchEnvironment) -> tuple[list[RunCost], SenderSpeed | None]:
    from vafa.local.resources import Resolver, create_queues

    resolver = Resolver(env.template, "vafa-bench")
    urls = create_queues(env.template, resolver, env.endpoint)
    import os

    for channel, logical in (("sms", "SmsQueue"), ("email", "EmailQueue"), ("push", "PushQueue")):
        if logical in urls:
            os.environ[f"VAFA_QUEUE_{channel.upper()}"] = urls[logical]
    os.environ["AWS_ENDPOINT_URL_SQS"] = env.endpoint
    costs: list[RunCost] = []
    speed: SenderSpeed | None = None
    with per_item_rollback():
        for size in SIZES:
            costs.append(reminders_cost(env, size))
            if size == SIZES[0]:
                speed = sender_speed(env)
        for size in SIZES:
            costs.append(metrics_cost(env, size))
    return costs, speed


def render(costs: list[RunCost], speed: SenderSpeed | None) -> str:
    lines = [
        "## 6. Reminders and metrics runs as customers grow",
        "",
        f"`run_reminders(now)` with {DUE} customers whose win-back is due among 1,000 and among 50,000 customers of one "
        "merchant; `run_for_merchant(now)` of the metrics job with the same number of customers who bought today, "
        "the rest inactive since an earlier run. Non-due customers are written with BatchWriteItem (profile and "
        "marker), as the purchase path leaves them. Run time is the stand-in's.",
        "",
        "| Job | Customers | Due / active | Round trips | DynamoDB API calls | Result | Run time (local) |",
        "|---|---|---|---|---|---|---|",
    ]
    for cost in costs:
        ops: dict[str, int] = {}
        for op in cost.recording.operations():
            ops[op] = ops.get(op, 0) + 1
        calls = ", ".join(f"{name} ×{count}" for name, count in sorted(ops.items()))
        result = (
            f"{cost.result.get('queued', 0)} queued in {cost.result.get('sqs_requests', 0)} SQS requests"
            if cost.job == "reminders"
            else f"{cost.result['customers_refreshed']} customers refreshed"
        )
        lines.append(
            f"| {cost.job} | {cost.customers:,} | {cost.due} | {cost.recording.round_trips} | {calls} | {result} | "
            f"{cost.seconds:.1f} s |"
        )
    for job in ("reminders", "metrics"):
        trips = {c.recording.round_trips for c in costs if c.job == job}
        verdict = "✓ the same at every size" if len(trips) == 1 else "✗ grows with the number of customers"
        lines.append(f"\n{job}: {verdict}.")
    reminder = next((c for c in costs if c.job == "reminders"), None)
    if reminder and reminder.result.get("queued"):
        per = reminder.result["sqs_requests"] / reminder.result["queued"]
        mark = "✓" if per <= 0.15 else "✗"
        lines.append(
            f"\n**SQS requests per message queued: {per:.2f}** ({mark} target ≤ 0.15; SendMessageBatch of 10). "
            "Each sender invocation then receives a batch of up to 10 from its event source mapping."
        )
    if speed:
        lines.append(
            f"\n**SMS sender (local provider): {speed.per_second:.1f} messages/s** — {speed.messages} messages in "
            f"{speed.batches} invocations of 10 ({speed.seconds:.2f} s; each message: read the notification and the "
            "customer, claim, send, record; against the stand-in, not AWS)."
        )
    return "\n".join(lines) + "\n"
