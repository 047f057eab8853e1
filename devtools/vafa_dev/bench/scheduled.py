"""The work each purchase causes later: the scheduled functions and the senders, run over the days after
a batch of purchases, counted with the bench's hooks and divided by the purchases.

Nothing here knows the data layout. A merchant with the default program (plus the local SMS gateway,
as `make run` gives it, so messages are sent) gets PURCHASES first purchases by customers with a phone
and SMS consent, spread over the shop's day. Then the template's scheduled functions (those with a
Schedule event: expiry, reminders, metrics) are invoked through their handlers as EventBridge would,
every STEP_HOURS over the days the program can still cause work, and after each instant the local
queue runner drains the queues into the sender functions (their SQS `SentTimestamp`, the senders'
"now", set to the simulated instant). Every invocation is recorded: DynamoDB calls and units (the
hooks and sizing rules of parts 1-2, before-images from a table snapshot) and SQS requests.

Most runs find nothing due. The cheapest run of each function is its idle cost, paid whatever the
number of customers (the per-merchant price of the schedule); what a run costs above that is work
the purchases caused. The sum of those excesses divided by the purchases is the figure per purchase.
Empty ReceiveMessage calls are left out: on AWS the event source mapping polls whatever the traffic.

The schedules run every STEP_HOURS here, not every 15 minutes or hour as deployed: the due work is
the same (each item is decided by the first run after it is due, and the metrics refresh a customer
once per run they were active in, days apart here), and the idle runs in between cost nothing extra
by the definition above.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from vafa_dev.bench import engine
from vafa_dev.bench.calls import Recording
from vafa_dev.bench.capacity import Capacity, capacity, snapshot
from vafa_dev.bench.engine import SqsCalls, SqsCount
from vafa_dev.bench.environment import ROOT, BenchEnvironment
from vafa_dev.local.functions import FunctionRunner
from vafa_dev.local.rollback import per_item_rollback
from vafa_dev.local.speedups import fast_stand_in

PURCHASES = 30
STEP_HOURS = 8  # 00:00, 08:00 and 16:00 UTC: two of the three outside Tehran's default quiet hours
START = datetime(2026, 3, 2, tzinfo=UTC)  # day 0 of the simulation, a Monday
DRAIN = "senders (queue drain)"
_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


class ClockedRunner(FunctionRunner):
    """The local stack's runner; queue records carry the simulated time as SQS's SentTimestamp."""

    clock: datetime = START

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        for record in event.get("Records") or []:
            record.setdefault("attributes", {})["SentTimestamp"] = str(int(self.clock.timestamp() * 1000))
        return super().invoke(logical_id, event)


@dataclass
class Run:
    function: str
    at: datetime
    recording: Recording
    capacity: Capacity
    sqs: SqsCount
    result: Any = None

    def sqs_requests(self) -> int:
        """Requests that moved messages or queued them (empty receives are the poller's, not the work's)."""
        return self.sqs.total - self.sqs.empty_receives


@dataclass
class FunctionWork:
    """One function's runs: the idle run's cost and what its runs cost above it, summed."""

    function: str
    runs: int
    busy: int
    idle_calls: int
    idle_wcu: float
    idle_rcu: float
    calls: int = 0
    wcu: float = 0.0
    rcu: float = 0.0
    sqs: int = 0
    operations: Counter[str] = field(default_factory=Counter)


@dataclass
class Scheduled:
    purchases: int
    days: int
    step_hours: int
    instants: int
    seconds: float
    functions: list[FunctionWork]
    delivered: int
    decisions: Counter[str]
    purchase_calls: int

    def total(self, name: str) -> float:
        return float(sum(getattr(f, name) for f in self.functions))

    def per_purchase(self, name: str) -> float:
        return self.total(name) / self.purchases


@contextmanager
def quiet_loggers() -> Iterator[None]:
    """The functions' INFO lines (one per run) kept out of the bench's output while a part runs."""
    loggers = [
        logging.getLogger(name) for name in list(logging.root.manager.loggerDict) if name.startswith("vafa")
    ]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _scheduled_event(at: datetime, rule: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [f"arn:aws:events:us-east-1:123456789012:rule/{rule}"],
        "detail": {},
    }


def setup(
    env: BenchEnvironment, runner_class: type[FunctionRunner] = ClockedRunner
) -> tuple[Any, Any, list[str]]:
    """Queues and secrets from the template, every function's VAFA_* settings (not the table, chosen per
    part), a runner and the queue runner; returns (runner, consumers, scheduled function ids)."""
    from vafa_dev.local.queues import consumers
    from vafa_dev.local.resources import Resolver, create_queues, create_secrets

    resolver = Resolver(env.template, "vafa-bench")
    create_queues(env.template, resolver, env.endpoint)
    create_secrets(env.template, resolver, env.endpoint)
    for fn in env.template.functions.values():
        for name, value in resolver.resolve(fn.environment).items():
            if name.startswith("VAFA_") and name != "VAFA_TABLE":
                os.environ[name] = str(value)
    os.environ["AWS_ENDPOINT_URL_SQS"] = env.endpoint
    runner = runner_class(ROOT, env.template.functions)
    scheduled = [fn.logical_id for fn in env.template.functions.values() if fn.schedules()]
    return runner, consumers(env.template, resolver), scheduled


def _merchant(env: BenchEnvironment, table: str, at: datetime) -> tuple[str, Any]:
    from vafa.merchants import ProgramStore, create_merchant
    from vafa.program import Program, SmsSettings

    # The default program; SMS through the local gateway, as `make run` creates its merchants.
    program = Program(sms=SmsSettings(provider="local"))
    merchant = create_merchant("Bench scheduled work", at, program).merchant_id
    return merchant, ProgramStore(0).get(merchant)


def horizon_days(program: Any) -> int:
    """The days after a purchase the program can still cause work (its longest delay, plus two)."""
    reminders = program.reminders
    delays = [
        program.cashback_expiry_days,
        reminders.win_back_after_days or 0,
        reminders.feedback_after_days or 0,
    ]
    return max(delays) + 2


def run(env: BenchEnvironment, purchases: int = PURCHASES, step_hours: int = STEP_HOURS) -> Scheduled:
    from vafa_dev.local.queues import QueueDrainer

    sqs = SqsCalls()
    started = time.perf_counter()
    with sqs.installed(), per_item_rollback(), fast_stand_in():
        table = env.use_table("vafa-bench-scheduled")
        runner, found, scheduled = setup(env)
        assert isinstance(runner, ClockedRunner)
        merchant, program = _merchant(env, table, START - timedelta(days=1))
        env.recorder.hook_pynamodb_clients()
        drainer = QueueDrainer(runner, found, env.endpoint)  # its SQS client is hooked: created here
        for function in scheduled:
            runner.handler(function)  # imported before the first run, as a warm environment has it
        for consumer in found:
            runner.handler(consumer.function)
        with quiet_loggers():
            return _simulate(
                env, runner, drainer, sqs, table, merchant, program, scheduled, purchases, step_hours, started
            )


def _simulate(
    env: BenchEnvironment,
    runner: ClockedRunner,
    drainer: Any,
    sqs: SqsCalls,
    table: str,
    merchant: str,
    program: Any,
    scheduled: list[str],
    purchases: int,
    step_hours: int,
    started: float,
) -> Scheduled:
    from vafa.customers import ConsentIn, ProfileIn

    # The purchases: first purchases through the wallet code, over the shop's opening hours.
    opening = START + timedelta(hours=5, minutes=30)  # 09:00 in Tehran
    with env.recorder.record() as bought:
        for n in range(purchases):
            at = opening + timedelta(minutes=n * 12 * 60 // purchases)
            profile = ProfileIn(phone=engine._phone(n), name="سارا رضایی", consent=ConsentIn(sms=True))
            engine._purchase(merchant, program, n, f"sched-order-{n}", at, profile)
    days = horizon_days(program)
    state = snapshot(env.raw, table, env.shape)
    delivered_before = engine._delivered()
    runs: list[Run] = []
    instants = 0
    at = START + timedelta(hours=step_hours)
    end = START + timedelta(days=days)
    while at <= end:
        instants += 1
        runner.clock = at
        steps: list[tuple[str, Any]] = [
            (function, lambda f=function, t=at: runner.invoke(f, _scheduled_event(t, f.lower())))
            for function in scheduled
        ]
        steps.append((DRAIN, drainer.drain))
        for name, step in steps:
            with env.recorder.record() as recording, sqs.record() as queued:
                result = step()
            after = state
            if any(call.operation in _WRITES for call in recording.calls):
                after = snapshot(env.raw, table, env.shape)
            runs.append(
                Run(name, at, recording, capacity(env.shape, recording.calls, state, after), queued, result)
            )
            state = after
        at += timedelta(hours=step_hours)

    decisions: Counter[str] = Counter()
    for r in runs:
        if isinstance(r.result, dict):
            for key, value in r.result.items():
                if ":" in key and isinstance(value, int):  # the reminders run's `kind:outcome` counts
                    decisions[key] += value
    return Scheduled(
        purchases=purchases,
        days=days,
        step_hours=step_hours,
        instants=instants,
        seconds=time.perf_counter() - started,
        functions=summarize(runs, [*scheduled, DRAIN]),
        delivered=engine._delivered() - delivered_before,
        decisions=decisions,
        purchase_calls=bought.round_trips,
    )


def summarize(runs: list[Run], order: list[str]) -> list[FunctionWork]:
    found = []
    for name in order:
        mine = [r for r in runs if r.function == name]
        if not mine:
            continue
        idle_calls = min(r.recording.round_trips for r in mine)
        idle_wcu = min(r.capacity.total_wcu for r in mine)
        idle_rcu = min(r.capacity.rcu for r in mine)
        idle_sqs = min(r.sqs_requests() for r in mine)
        idle_ops = min(mine, key=lambda r: r.recording.round_trips).recording.operations()
        work = FunctionWork(name, len(mine), 0, idle_calls, idle_wcu, idle_rcu)
        for r in mine:
            extra = r.recording.round_trips - idle_calls
            if extra or r.capacity.total_wcu > idle_wcu or r.sqs_requests() > idle_sqs:
                work.busy += 1
            work.calls += extra
            work.wcu += r.capacity.total_wcu - idle_wcu
            work.rcu += r.capacity.rcu - idle_rcu
            work.sqs += r.sqs_requests() - idle_sqs
            work.operations.update(r.recording.operations())
            work.operations.subtract(idle_ops)
        work.operations = +work.operations  # only what the busy runs added
        found.append(work)
    return found
