"""The reminders schedule: release the outbox, then decide every kind of message that is due."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from vafa.campaigns.dispatch import dispatch_due
from vafa.jobs.isolation import Isolated
from vafa.jobs.schedule import event_time
from vafa.merchants import ProgramStore, list_merchants
from vafa.program import Program
from vafa.reminders import policy
from vafa.retention import kinds
from vafa.retention.decide import Candidate, decide
from vafa.retention.due import due_items, full
from vafa.retention.outbox import Outbox
from vafa.store.models import CustomerItem, NotificationItem
from vafa.store.table import ensure_configured
from vafa.timeutil import iso
from vafa.tracing import capture_handler

logger = Logger(service="vafa-reminders")
metrics = Metrics(namespace="Vafa", service="vafa-reminders")

KINDS = (
    ("expiry_reminder", kinds.expiry_reminders),
    ("win_back", kinds.win_backs),
    ("birthday", kinds.birthdays),
    ("abandoned_cart", kinds.abandoned_carts),
    ("feedback_request", kinds.feedback_requests),
)


def public_url() -> str:
    """Where links in messages point: the deployment's short link domain when it has one (a domain
    that forwards /r/, /f/ and /u/ to the API, so an SMS link stays short), else the API itself."""
    return (os.environ.get("VAFA_LINK_BASE_URL") or os.environ.get("VAFA_PUBLIC_URL", "")).rstrip("/")


def release_outbox(merchant_id: str, now: datetime, outbox: Outbox) -> int:
    """Queue what waited out quiet hours, and re-queue what no sender claimed in time.

    A released message's due time moves RESEND_AFTER ahead first, so the next runs do not queue it
    again while a slow sender still has it; the claim would stop a second send anyway."""
    from pynamodb.exceptions import UpdateError

    from vafa.retention.decide import RESEND_AFTER
    from vafa.store.models import Item

    released = 0
    for entry in due_items(merchant_id, "outbox", now):
        note = full(entry)
        if not (isinstance(note, NotificationItem) and note.status == "queued" and note.channel):
            continue
        later = f"{iso(now + RESEND_AFTER)}#{note.customer_id}#{note.notification_id}"
        try:
            note.update(actions=[Item.DueSK.set(later)], condition=NotificationItem.status == "queued")
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                continue  # claimed meanwhile
            raise
        outbox.add(str(note.channel), merchant_id, note.customer_id, note.SK)
        released += 1
    return released


def run_for_merchant(merchant_id: str, program: Program, now: datetime, outbox: Outbox) -> dict[str, int]:
    counts: dict[str, int] = {"released": release_outbox(merchant_id, now, outbox)}
    decided: dict[str, int] = {}

    def emit(customer: CustomerItem, candidate: Candidate) -> object:
        # The holdout gets nothing the message would have announced, the gift included: otherwise
        # the measured lift of birthday greetings would compare gifted customers with gifted ones.
        held_out = policy.in_holdout(merchant_id, customer.customer_id, program.holdout_percent)
        if candidate.kind == "birthday" and candidate.values.get("gift") and not held_out:
            from vafa.wallet.gifts import grant_birthday_gift

            grant_birthday_gift(merchant_id, customer.customer_id, program, candidate.ref, now)
        decision = decide(merchant_id, program, customer, candidate, now, outbox, public_url())
        if decision is not None:
            key = f"{candidate.kind}:{decision.status}"
            decided[key] = decided.get(key, 0) + 1
        return decision

    for name, find in KINDS:
        counts[name] = find(merchant_id, program, now, emit)
    counts["campaign_customers_read"] = dispatch_due(merchant_id, program, now, emit)
    counts.update(decided)
    return counts


def run_reminders(now: datetime) -> dict[str, Any]:
    """Everything due at or before `now`, across merchants; safe to run late, twice or out of order."""
    outbox = Outbox()
    programs = ProgramStore(0)
    totals: dict[str, int] = {}
    run = Isolated()
    for _, counts in run.each_merchant(
        list_merchants(), lambda m: run_for_merchant(m, programs.get(m), now, outbox), logger
    ):
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    outbox.flush()
    return {
        "time": iso(now),
        "queued": outbox.messages,
        "sqs_requests": outbox.requests,
        **totals,
        **run.report(metrics),
    }


@logger.inject_lambda_context
@capture_handler("vafa-reminders")
@metrics.log_metrics
def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ensure_configured()
    result = run_reminders(event_time(event))
    metrics.add_metric(name="MessagesQueued", unit=MetricUnit.Count, value=result["queued"])
    logger.info("reminders run", extra=result)
    return result
