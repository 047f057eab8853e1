"""Fault drill: many messages through the real sender against a misbehaving gateway, every queue
message delivered twice, senders that die between claiming a message and recording it.

The sender code is the one Lambda runs (`vafa.messaging.delivery.deliver`, as `handle_batch` calls
it); the gateway is the Kavenegar stand-in over HTTP, told to fail a share of sends at random:
`http500`, `http429`, `timeout` (no answer, nothing sent) and `accept_slow` (sent, answered after the
client gave up). A share of deliveries crashes the way a Lambda timeout does — before the gateway
call, or after the gateway accepted but before the outcome was written — and SQS redelivers them.
Between rounds the clock moves past the claim lease, as the queue's visibility timeout would.

Every message must end `sent` exactly once at the gateway, or `failed` with a reason; the tally
counts how many ended each way and how many were sent twice or lost (the target is 0 and 0).
"""

from __future__ import annotations

import argparse
import json
import os
import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from vafa.messaging import delivery as sender
from vafa.messaging.decide import Candidate, decide
from vafa.messaging.outbox import Outbox

MODES = ("http500", "http429", "timeout", "accept_slow")


class Crash(BaseException):
    """The sender process dying mid-delivery (a Lambda timeout): nothing in Vafa catches it."""


class _Recorder:
    """Stands in for SQS's SendMessageBatch: keeps the bodies the decisions queued."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.bodies.extend(json.loads(e["MessageBody"]) for e in Entries)
        return {"Successful": Entries}


@contextmanager
def _crashing_sends(rate: float, rng: random.Random) -> Iterator[Counter[str]]:
    """Make a share of SMS deliveries die before the gateway call or after it returned."""
    real = sender._send_sms
    crashes: Counter[str] = Counter()

    def flaky(*args: Any) -> Any:
        roll = rng.random()
        if roll < rate / 2:
            crashes["before_gateway"] += 1
            raise Crash()
        outcome = real(*args)
        if roll < rate:
            crashes["after_gateway"] += 1
            raise Crash()
        return outcome

    sender._send_sms = flaky  # type: ignore[assignment]
    try:
        yield crashes
    finally:
        sender._send_sms = real


@contextmanager
def drill_environment() -> Iterator[None]:
    """Short gateway timeouts, and loopback allowed (the gateway stand-in listens there)."""
    from vafa.config import settings

    saved = {name: os.environ.get(name) for name in ("VAFA_SMS_TIMEOUT_SECONDS", "VAFA_LOCAL_STACK")}
    os.environ["VAFA_SMS_TIMEOUT_SECONDS"] = "0.2"
    os.environ["VAFA_LOCAL_STACK"] = "1"
    os.environ.setdefault("VAFA_QUEUE_SMS", "drill://sms")
    settings.cache_clear()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        settings.cache_clear()


def queued_sms(count: int, gateway: Any, now: datetime) -> tuple[str, list[dict[str, Any]]]:
    """A merchant on `gateway` (the Kavenegar stand-in) with `count` customers, one win-back SMS
    decided for each: the merchant id and the queue messages the decisions produced."""
    from vafa.customers import ProfileIn
    from vafa.merchants import ProgramStore, create_merchant
    from vafa.profiles import upsert_customer
    from vafa.program import Program
    from vafa.secrets import merchant_secret_name, put_parameter
    from vafa.store import keys as k
    from vafa.store.models import CustomerItem

    settings = {
        "quiet_hours": None,
        "max_marketing_messages_per_week": 100,
        "channel_order": ["sms"],
        "shop_name": "فروشگاه آزمون",
        "sms": {"provider": "kavenegar", "sender": "10004346", "base_url": gateway.kavenegar_url},
    }
    merchant = create_merchant("fault drill", now, Program.model_validate(settings)).merchant_id
    put_parameter(merchant_secret_name(merchant, "sms-api-key"), str(gateway.api_key))
    program = ProgramStore(0).get(merchant)
    recorder = _Recorder()
    outbox = Outbox(sqs=recorder)
    for i in range(count):
        profile = ProfileIn.model_validate(
            {"phone": f"0912{i:07d}", "name": "سارا", "consent": {"sms": True}}
        )
        upsert_customer(merchant, f"c{i}", profile, program, now)
        customer = CustomerItem.get(k.customer_pk(merchant, f"c{i}"), k.PROFILE)
        decide(merchant, program, customer, Candidate("win_back", "win_back#drill", "drill"), now, outbox, "")
    outbox.flush()
    return merchant, recorder.bodies


def run_drill(
    messages: int = 1000, failure_rate: float = 0.2, crash_rate: float = 0.05, seed: int = 7
) -> dict[str, Any]:
    """Decide `messages` SMS, deliver each queue message twice per round until all settle; tally."""
    from vafa.store import keys as k
    from vafa.store.models import NotificationItem

    from vafa_dev.local.fake_sms import FakeSmsServer

    rng = random.Random(seed)
    gateway = FakeSmsServer(api_key="drill-key", slow_seconds=0.4)
    gateway.start()
    try:
        with drill_environment():
            now = datetime.now(UTC).replace(microsecond=0)
            merchant, bodies = queued_sms(messages, gateway, now)
            outbox = Outbox(sqs=_Recorder())
            gateway.chaos(failure_rate, MODES, seed)
            pending = list(bodies)
            rounds, clock = 0, now
            with _crashing_sends(crash_rate, rng) as crashes:
                while pending and rounds < 20:
                    rounds += 1
                    batch = [body for body in pending for _ in range(2)]  # every queue message twice
                    rng.shuffle(batch)
                    pending = []
                    moment = clock

                    def lease_clock(at: datetime = moment) -> datetime:
                        return at

                    for body in batch:
                        try:
                            sender.deliver(body, moment, "https://vafa.example", outbox, clock=lease_clock)
                        except (sender.Retry, Crash):
                            pending.append(body)
                    # Redelivery comes after the visibility timeout: past the claim lease.
                    clock += sender.RECLAIM_AFTER + timedelta(minutes=1)
                    pending = list({json.dumps(b, sort_keys=True): b for b in pending}.values())
        at_gateway = Counter(m["localid"] for m in gateway.sent)
        tally: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        for body in bodies:
            note = NotificationItem.get(k.customer_pk(merchant, body["customer_id"]), body["note_sk"])
            times = at_gateway.get(note.notification_id, 0)
            if times > 1:
                tally["sent_twice"] += 1
            elif note.status == "sent" and times == 1:
                tally["sent_once"] += 1
            elif note.status == "failed":
                tally["failed_visibly"] += 1
                reasons[str(note.reason).split(":")[0]] += 1
                if times == 1:
                    tally["failed_visibly_but_delivered"] += 1
            else:
                tally["lost"] += 1
        return {
            "messages": messages,
            "failure_rate": failure_rate,
            "crash_rate": crash_rate,
            "rounds": rounds,
            "gateway_fault_modes": list(MODES),
            "crashes": dict(crashes),
            "sent_once": tally["sent_once"],
            "sent_twice": tally["sent_twice"],
            "failed_visibly": tally["failed_visibly"],
            "failed_visibly_but_delivered": tally["failed_visibly_but_delivered"],
            "lost": tally["lost"],
            "failure_reasons": dict(reasons),
        }
    finally:
        gateway.stop()


def main(argv: list[str] | None = None, start_stand_in: Callable[[], Any] | None = None) -> None:
    """`python -m vafa_dev.bench.faults --messages 1000`: the drill on a fresh AWS stand-in."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--failure-rate", type=float, default=0.2)
    parser.add_argument("--crash-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    from pathlib import Path

    from vafa_dev.local.aws import AwsStandIn, use_endpoint
    from vafa_dev.local.stack import provision

    stand_in = AwsStandIn()
    endpoint = stand_in.start()
    use_endpoint(endpoint)
    try:
        provision(Path(__file__).resolve().parents[3], endpoint)
        result = run_drill(args.messages, args.failure_rate, args.crash_rate, args.seed)
    finally:
        stand_in.stop()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
