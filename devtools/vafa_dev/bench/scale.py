"""Part 9: a reminders run with many customers due, and the run after it with nothing new.

One merchant (default program, local SMS gateway, no quiet hours so every decision queues at once).
One customer is made real: a first purchase through the wallet code, dated so that at the run its
credit expires within the program's first expiry-reminder window, then the reminders function run
daily (and the queues drained) up to two days before, so what was due earlier (the feedback ask) is
decided as a live customer's would be. Every item of the table that names that customer (found by
its id or phone in any attribute, whatever the layout) is then copied under other ids and phones,
written straight into the stand-in (moto's `put_item`, as part 6 does). At the run each copy is due
its expiry reminder. The reminders function is invoked through its handler as EventBridge does; then
again 15 minutes later, when nothing new is due but every customer is still inside the window.

A small pilot gives moto's time per message; the measured size is the largest (up to TARGET_DUE) that
takes about RUN_BUDGET_SECONDS on the stand-in, and its calls are extrapolated linearly to TARGET_DUE
(calls per message are flat in the number due: each decision's calls are its own).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from vafa_dev.bench import engine, prices
from vafa_dev.bench.calls import Recording
from vafa_dev.bench.engine import SqsCalls, SqsCount
from vafa_dev.bench.environment import BenchEnvironment
from vafa_dev.bench.scheduled import ClockedRunner, _scheduled_event, quiet_loggers, setup
from vafa_dev.local.rollback import per_item_rollback
from vafa_dev.local.speedups import fast_stand_in

TARGET_DUE = 10_000
PILOT = 200
RUN_BUDGET_SECONDS = 30.0
RUN_AT = datetime(2026, 6, 10, 6, 0, tzinfo=UTC)  # 09:30 in Tehran
REMINDERS = "RemindersFunction"


@dataclass
class Run:
    recording: Recording
    sqs: SqsCount
    seconds: float
    result: dict[str, Any]


@dataclass
class Scale:
    due: int
    items: int
    seed_seconds: float
    idle: Run  # before any customer: the run's fixed calls
    first: Run
    repeat: Run
    pilot_due: int
    pilot: Run
    timeout_s: int

    def per_message(self, run: Run | None = None) -> float:
        run = run or self.first
        decided = run.result.get("queued", 0) or 1
        return (run.recording.round_trips - self.idle.recording.round_trips) / decided

    def per_decided_customer(self) -> float:
        return (self.repeat.recording.round_trips - self.idle.recording.round_trips) / self.due

    def calls_at_target(self) -> float:
        return self.idle.recording.round_trips + self.per_message() * TARGET_DUE

    def seconds_at_target(self) -> float:
        return self.first.seconds * TARGET_DUE / self.due

    def aws_seconds(self) -> tuple[float, float]:
        low, high = prices.RUN_LATENCY_RANGE_MS
        calls = self.calls_at_target()
        return calls * low / 1000, calls * high / 1000


def _replace(value: Any, pairs: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for old, new in pairs:
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {key: _replace(inner, pairs) for key, inner in value.items()}
    if isinstance(value, list):
        return [_replace(inner, pairs) for inner in value]
    return value


def _names(item: Any, tokens: tuple[str, ...]) -> bool:
    if isinstance(item, str):
        return any(token in item for token in tokens)
    if isinstance(item, dict):
        return any(_names(inner, tokens) for inner in item.values())
    if isinstance(item, list):
        return any(_names(inner, tokens) for inner in item)
    return False


def _invoke(env: BenchEnvironment, sqs: SqsCalls, runner: ClockedRunner, at: datetime) -> Run:
    runner.clock = at
    with env.recorder.record() as recording, sqs.record() as queued:
        started = time.perf_counter()
        result = runner.invoke(REMINDERS, _scheduled_event(at, "reminders"))
        seconds = time.perf_counter() - started
    return Run(recording, queued, seconds, result if isinstance(result, dict) else {})


def _population(
    env: BenchEnvironment, sqs: SqsCalls, runner: ClockedRunner, drainer: Any, due: int
) -> tuple[str, int, float, Run]:
    """A table with `due` customers whose expiry reminder is due at RUN_AT; returns (table, items,
    seconds seeding, the idle run made before any customer existed)."""
    from vafa.merchants import ProgramStore, create_merchant
    from vafa.program import Program, SmsSettings

    table = env.use_table(f"vafa-bench-scale-{due}")
    program = Program(sms=SmsSettings(provider="local"), quiet_hours=None)
    merchant = create_merchant("Bench scale", RUN_AT - timedelta(days=90), program).merchant_id
    program = ProgramStore(0).get(merchant)
    env.recorder.hook_pynamodb_clients()
    idle = _invoke(env, sqs, runner, RUN_AT - timedelta(days=60))
    started = time.perf_counter()
    window = max(program.reminders.expiry_days_before or [3])
    bought = RUN_AT - timedelta(days=program.cashback_expiry_days - window + 1)
    token, phone = engine._customer(0), engine._phone(0)
    from vafa.customers import ConsentIn, ProfileIn

    profile = ProfileIn(phone=phone, name="سارا رضایی", consent=ConsentIn(sms=True))
    engine._purchase(merchant, program, 0, f"order-{token}", bought, profile)  # the copies' ids differ
    day = bought + timedelta(days=1)
    while day <= RUN_AT - timedelta(days=2):  # what came due before the window: decided and sent
        runner.clock = day
        runner.invoke(REMINDERS, _scheduled_event(day, "reminders"))
        drainer.drain()
        day += timedelta(days=1)
    found = env.raw.scan(TableName=table)
    items = found["Items"]
    while "LastEvaluatedKey" in found:
        found = env.raw.scan(TableName=table, ExclusiveStartKey=found["LastEvaluatedKey"])
        items += found["Items"]
    template = [item for item in items if _names(item, (token, phone, phone.removeprefix("+98")))]
    written = len(items)
    batch: list[Any] = []
    for n in range(1, due):
        pairs = [
            (token, engine._customer(n)),
            (phone.removeprefix("+98"), engine._phone(n).removeprefix("+98")),
        ]
        batch.extend(_replace(item, pairs) for item in template)
        if len(batch) >= 5_000 or n == due - 1:
            engine._put_direct(table, batch)
            written += len(batch)
            batch = []
    return table, written, time.perf_counter() - started, idle


def run(env: BenchEnvironment) -> Scale:
    from vafa_dev.local.queues import QueueDrainer

    sqs = SqsCalls()
    # The copies are written straight into moto, past the request hooks that keep fast_stand_in()'s
    # index maps current: the runs get their own fast_stand_in(), entered after the seeding.
    with sqs.installed(), per_item_rollback(), quiet_loggers():
        runner, found, _ = setup(env)
        assert isinstance(runner, ClockedRunner)
        drainer = QueueDrainer(runner, found, env.endpoint)
        runner.handler(REMINDERS)
        for consumer in found:
            runner.handler(consumer.function)
        _population(env, sqs, runner, drainer, PILOT)
        with fast_stand_in():
            pilot = _invoke(env, sqs, runner, RUN_AT)
        drainer.drain()  # the queues are shared by the tables: leave none of the pilot's messages
        per_message = pilot.seconds / max(PILOT, 1)
        due = int(min(TARGET_DUE, max(PILOT, RUN_BUDGET_SECONDS / max(per_message, 1e-6))) // 100 * 100)
        _, items, seed_seconds, idle = _population(env, sqs, runner, drainer, due)
        with fast_stand_in():
            first = _invoke(env, sqs, runner, RUN_AT)
            repeat = _invoke(env, sqs, runner, RUN_AT + timedelta(minutes=15))
    timeout = env.template.functions[REMINDERS].timeout
    return Scale(due, items, seed_seconds, idle, first, repeat, PILOT, pilot, timeout)


def render(scale: Scale | None) -> list[str]:
    from vafa_dev.bench.report import _counts, _table

    if scale is None:
        return ["## 9. Reminders at scale", "", "Not measured (failed).", ""]
    low, high = scale.aws_seconds()
    extrapolated = scale.due < TARGET_DUE
    rows = [
        [
            "idle run (merchant without customers)",
            "0",
            str(scale.idle.recording.round_trips),
            _counts(scale.idle.recording),
            "—",
            f"{scale.idle.seconds:.1f} s",
        ],
        [
            f"pilot: {scale.pilot_due:,} due",
            str(scale.pilot.result.get("queued", 0)),
            str(scale.pilot.recording.round_trips),
            _counts(scale.pilot.recording),
            f"{scale.per_message(scale.pilot):.2f}",
            f"{scale.pilot.seconds:.1f} s",
        ],
        [
            f"**{scale.due:,} due**",
            str(scale.first.result.get("queued", 0)),
            str(scale.first.recording.round_trips),
            _counts(scale.first.recording),
            f"**{scale.per_message():.2f}**",
            f"{scale.first.seconds:.1f} s",
        ],
        [
            "same, 15 minutes later (nothing new)",
            str(scale.repeat.result.get("queued", 0)),
            str(scale.repeat.recording.round_trips),
            _counts(scale.repeat.recording),
            f"{scale.per_decided_customer():.3f} per customer",
            f"{scale.repeat.seconds:.1f} s",
        ],
    ]
    basis = (
        f"measured at {scale.due:,} (the largest size that runs in about {RUN_BUDGET_SECONDS:.0f} s on the "
        f"stand-in) and extrapolated linearly to {TARGET_DUE:,}"
        if extrapolated
        else f"measured at {TARGET_DUE:,}"
    )
    return [
        "## 9. Reminders at scale",
        "",
        f"{scale.due:,} customers inside their first expiry-reminder window at the run, each a copy of one real "
        "customer (a purchase through the wallet code, then daily reminders runs that decided and sent what was "
        "due earlier; every item naming that customer copied under another id and phone, "
        f"{scale.items:,} items, seeded in {scale.seed_seconds:.0f} s). `RemindersFunction` invoked through its "
        "handler as EventBridge does (default program, local SMS gateway, no quiet hours). Calls per message = "
        "(calls of the run − calls of an idle run) / messages queued; for the repeat run, per customer still "
        "in the window. Times are the stand-in's.",
        "",
        *_table(
            ["Run", "Queued", "Round trips", "DynamoDB API calls", "Calls per message", "Time (local)"], rows
        ),
        "",
        f"- **{TARGET_DUE:,} due**, {basis}: {scale.calls_at_target():,.0f} DynamoDB calls; "
        f"**≈ {low:.0f}–{high:.0f} s on DynamoDB** at {prices.RUN_LATENCY_RANGE_MS[0]:g}–"
        f"{prices.RUN_LATENCY_RANGE_MS[1]:g} ms per call (the function's timeout: {scale.timeout_s} s); "
        f"≈ {scale.seconds_at_target():.0f} s on the stand-in.",
        f"- The run answers `cut_short`: {'yes' if 'cut_short' in scale.first.result else 'no'} "
        f"(this run: {scale.first.result.get('cut_short', '—')}); a run cut short leaves the rest due for "
        "the next one.",
        "",
    ]
