"""The reminders schedule: release the outbox, then decide every kind of message that is due."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from vafa.insight.campaigns.dispatch import dispatch_due
from vafa.jobs.budget import Budget, BudgetSpent, Unlimited
from vafa.jobs.isolation import Isolated
from vafa.jobs.schedule import event_time
from vafa.merchants import ProgramStore, list_merchants
from vafa.messaging import kinds, policy
from vafa.messaging.candidate import Candidate
from vafa.messaging.decide import decide_batch
from vafa.messaging.due import due_items, full
from vafa.messaging.outbox import Outbox
from vafa.messaging.render import public_url
from vafa.program import Program
from vafa.store.models import CustomerItem, NotificationItem
from vafa.store.table import ensure_configured
from vafa.timeutil import iso
from vafa.tracing import capture_handler

logger = Logger(service="vafa-reminders")
metrics = Metrics(namespace="Vafa", service="vafa-reminders")

BUDGET_SPENT = "budget_spent"  # a merchant's counts say the run's time ran out during it
# Messages decided together: their contact records are read in one BatchGetItem and their counters
# written once. Small enough that a batch's transactions fit well inside the budget's reserve.
BATCH = 25
KINDS = (
    ("expiry_reminder", kinds.expiry_reminders),
    ("win_back", kinds.win_backs),
    ("birthday", kinds.birthdays),
    ("abandoned_cart", kinds.abandoned_carts),
    ("feedback_request", kinds.feedback_requests),
    ("browse_abandoned", kinds.browse_abandoned),
)


def release_outbox(merchant_id: str, now: datetime, outbox: Outbox) -> int:
    """Queue what waited out quiet hours, and re-queue what no sender claimed in time.

    A released message's due time moves RESEND_AFTER ahead first, so the next runs do not queue it
    again while a slow sender still has it; the claim would stop a second send anyway."""
    from pynamodb.exceptions import UpdateError

    from vafa.messaging.decide import RESEND_AFTER
    from vafa.store import keys as k
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
        visitor = note.PK != k.customer_pk(merchant_id, note.customer_id)  # an anonymous visitor's nudge
        outbox.add(str(note.channel), merchant_id, note.customer_id, note.SK, visitor=visitor)
        released += 1
    return released


class Emitter:
    """What the kinds call once per candidate: `emit(customer, candidate)` collects the message, and
    the batch is decided when it is full; `flush()` decides what was collected. A kind that moves a
    cursor or deletes a marker past what it emitted calls `flush()` first, so a run that dies
    between the two leaves nothing it collected undecided."""

    def __init__(
        self, merchant_id: str, program: Program, now: datetime, outbox: Outbox, budget: Budget
    ) -> None:
        self.merchant_id = merchant_id
        self.program = program
        self.now = now
        self.outbox = outbox
        self.budget = budget
        self.link_base = public_url()
        self.pending: list[tuple[CustomerItem, Candidate]] = []
        self.decided: dict[str, int] = {}  # "<kind>:<status>" -> messages

    def __call__(self, customer: CustomerItem, candidate: Candidate) -> None:
        if self.budget.spent():  # out of time: what is left stays due for the next run
            self.flush()
            raise BudgetSpent()
        # The holdout gets nothing the message would have announced, the gift included: otherwise
        # the measured lift of birthday greetings would compare gifted customers with gifted ones.
        program = self.program
        held_out = policy.in_holdout(self.merchant_id, customer.customer_id, program.holdout_percent)
        if candidate.kind == "birthday" and candidate.values.get("gift") and not held_out:
            from vafa.wallet.gifts import grant_birthday_gift

            grant_birthday_gift(self.merchant_id, customer.customer_id, program, candidate.ref, self.now)
        self.pending.append((customer, candidate))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        pairs = list(self.pending)
        self.pending.clear()  # handed over: a failure below must not decide them twice in this run
        decisions = decide_batch(self.merchant_id, self.program, pairs, self.now, self.outbox, self.link_base)
        for (_, candidate), decision in zip(pairs, decisions, strict=True):
            if decision is not None:
                key = f"{candidate.kind}:{decision.status}"
                self.decided[key] = self.decided.get(key, 0) + 1


def run_for_merchant(
    merchant_id: str, program: Program, now: datetime, outbox: Outbox, budget: Budget | None = None
) -> dict[str, int]:
    counts: dict[str, int] = {"released": release_outbox(merchant_id, now, outbox)}
    emit = Emitter(merchant_id, program, now, outbox, budget or Unlimited())
    # Kinds take turns at going first, so a run short of time does not always starve the same one.
    turn = int(now.timestamp() // 900) % len(KINDS)
    try:
        for name, find in (*KINDS[turn:], *KINDS[:turn]):
            counts[name] = find(merchant_id, program, now, emit)
            emit.flush()
        counts["campaign_customers_read"] = dispatch_due(merchant_id, program, now, emit, emit.flush)
    except BudgetSpent:
        counts[BUDGET_SPENT] = 1
    finally:
        # A kind that failed midway may already have cleared the due markers of what it collected.
        emit.flush()
    counts.update(emit.decided)
    return counts


def run_reminders(now: datetime, budget: Budget | None = None) -> dict[str, Any]:
    """Everything due at or before `now`, across merchants; safe to run late, twice or out of order.

    With a `budget`, the run stops between two decisions when its time is up and says so
    (`cut_short`); the next run finds the rest still due. Merchants take turns at going first."""
    budget = budget or Unlimited()
    outbox = Outbox()
    programs = ProgramStore(0)
    totals: dict[str, int] = {}
    run = Isolated()
    merchants = list_merchants()
    turn = int(now.timestamp() // 900) % len(merchants) if merchants else 0
    cut_short = False
    for _, counts in run.each_merchant(
        [*merchants[turn:], *merchants[:turn]],
        lambda m: run_for_merchant(m, programs.get(m), now, outbox, budget),
        logger,
    ):
        cut_short = bool(counts.pop(BUDGET_SPENT, 0))
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
        if cut_short:
            logger.warning("reminders run cut short by its time budget; the rest stays due")
            break
    outbox.flush()
    return {
        "time": iso(now),
        "queued": outbox.messages,
        "sqs_requests": outbox.requests,
        "cut_short": cut_short,
        **totals,
        **run.report(metrics),
    }


@logger.inject_lambda_context
@capture_handler("vafa-reminders")
@metrics.log_metrics
def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ensure_configured()
    result = run_reminders(event_time(event), Budget.from_context(context))
    metrics.add_metric(name="MessagesQueued", unit=MetricUnit.Count, value=result["queued"])
    logger.info("reminders run", extra=result)
    return result
