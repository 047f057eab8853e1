"""Purchases, refunds, redemptions and expiry: read, plan with the pure rules, write once.

Every operation follows the same loop: read the customer's profile (its lots ride on it), plan the
change with a `vafa.wallet.domain.plan_*` function, and commit the profile and the operation's
record in one transaction guarded by the customer's sequence number. Losing a race means re-reading
and planning again; the client id makes the whole thing idempotent.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from vafa.customers import ProfileIn, apply_profile, new_customer
from vafa.errors import Busy, Conflict, InsufficientBalance, NotFound, ValidationFailed
from vafa.program import Program
from vafa.search import name_items
from vafa.store import keys as k
from vafa.store.models import (
    AdjustmentItem,
    CustomerItem,
    Item,
    OrderItem,
    RedemptionItem,
    RefundItem,
    SettlementItem,
    SpentItem,
)
from vafa.timeutil import iso
from vafa.wallet import domain
from vafa.wallet.idempotency import replay, request_hash
from vafa.wallet.store import (
    Contended,
    WalletWrite,
    batch_get,
    commit_once,
    load_profile,
    takes_from_json,
    takes_json,
    wallet_of,
)

MAX_ATTEMPTS = 60
T = TypeVar("T")


def _attempts() -> Iterator[int]:
    for attempt in range(MAX_ATTEMPTS):
        if attempt:
            # Jittered backoff so racing writers spread out instead of colliding again in lockstep.
            time.sleep(random.uniform(0.002, min(0.05, 0.004 * attempt)))
        yield attempt
    raise Busy("too many concurrent changes to this wallet; retry the same request")


def retrying(step: Callable[[], T]) -> T:
    for _ in _attempts():
        try:
            return step()
        except Contended:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class PurchaseRequest:
    order_id: str
    customer_id: str
    amount: int
    occurred_at: datetime | None
    customer: ProfileIn | None
    cart_id: str | None
    body: dict[str, Any]


@dataclass(frozen=True)
class RefundRequest:
    order_id: str
    refund_id: str
    amount: int | None
    body: dict[str, Any]


@dataclass(frozen=True)
class RedemptionRequest:
    redemption_id: str
    customer_id: str
    amount: int
    order_id: str | None
    body: dict[str, Any]
    hold: bool = False
    order_total: int | None = None


PURCHASE_TIMES_KEPT = 12  # enough for a customer's own rhythm (personal win-back)
CLOSED_CARTS_KEPT = 3


def terms_of(program: Program) -> domain.Terms:
    return domain.Terms(
        rate_bps=program.cashback_rate_bps,
        expiry_days=program.cashback_expiry_days,
        min_purchase_amount=program.min_purchase_amount,
        max_cashback=program.max_cashback_per_purchase,
    )


def record_purchase(
    merchant_id: str, req: PurchaseRequest, program: Program, now: datetime
) -> dict[str, Any]:
    """Record a purchase and earn its cashback as a credit lot; a retried order replays its answer."""
    fingerprint = request_hash(req.body)
    occurred = req.occurred_at or now
    if occurred > now + timedelta(minutes=5):
        raise ValidationFailed("occurred_at is in the future", field="occurred_at")
    cpk = k.customer_pk(merchant_id, req.customer_id)
    opk = k.order_pk(merchant_id, req.order_id)

    def attempt() -> dict[str, Any]:
        found = batch_get([(opk, k.ORDER), (cpk, k.PROFILE)])
        order = found.get((opk, k.ORDER))
        if isinstance(order, OrderItem):
            return replay(order.request_hash, order.response, fingerprint, f"order_id {req.order_id}")
        profile = found.get((cpk, k.PROFILE))
        expected_seq: int | None = None
        if isinstance(profile, CustomerItem):
            expected_seq = int(profile.seq)
        else:
            profile = new_customer(merchant_id, req.customer_id, program.default_locale, now)
        old_name = profile.name
        if req.customer is not None:
            apply_profile(profile, req.customer, now, field_prefix="customer.")
        # Only a purchase that changes the name writes its search keys (vafa.search).
        name_puts: list[tuple[Any, Any]] = [
            (item, None) for item in name_items(merchant_id, req.customer_id, old_name, profile.name)
        ]
        wallet = wallet_of(profile)
        change, earned = domain.plan_purchase(
            wallet, req.order_id, req.amount, occurred, terms_of(program), now
        )
        profile.purchases_count = int(profile.purchases_count) + 1
        profile.total_spent = int(profile.total_spent) + req.amount
        at = iso(occurred)
        if not profile.first_purchase_at or at < profile.first_purchase_at:
            profile.first_purchase_at = at
        if not profile.last_purchase_at or at > profile.last_purchase_at:
            profile.last_purchase_at = at
        profile.updated_at = iso(now)
        remember_purchase(profile, occurred, req.cart_id)
        response = {
            "order_id": req.order_id,
            "customer_id": req.customer_id,
            "amount": req.amount,
            "occurred_at": at,
            "cashback_earned": earned.cashback,
            "cashback_expires_at": iso(earned.expires_at) if earned.expires_at else None,
            "balance": wallet.balance + change.delta,
        }
        order_item = OrderItem(
            opk,
            k.ORDER,
            order_id=req.order_id,
            customer_id=req.customer_id,
            amount=req.amount,
            cashback=earned.cashback,
            lot_id=earned.lot_id,
            occurred_at=at,
            cart_id=req.cart_id,
            request_hash=fingerprint,
            response=json.dumps(response, ensure_ascii=False, separators=(",", ":")),
        )
        WalletWrite(
            merchant_id,
            profile,
            expected_seq,
            wallet,
            change,
            now,
            record=order_item,
            record_condition=OrderItem.PK.does_not_exist(),
            puts=name_puts,
        ).commit()
        return response

    return retrying(attempt)


def remember_purchase(profile: CustomerItem, occurred: datetime, cart_id: str | None) -> None:
    """The last purchases' times (a customer's own rhythm, for personal win-back) and the carts a
    purchase closed, kept small on the profile: nothing else needs writing to schedule follow-ups."""
    times = sorted({*json.loads(profile.purchase_times or "[]"), int(occurred.timestamp())})
    profile.purchase_times = json.dumps(times[-PURCHASE_TIMES_KEPT:], separators=(",", ":"))
    if cart_id:
        closed = [c for c in json.loads(profile.closed_carts or "[]") if c != cart_id]
        profile.closed_carts = json.dumps(
            [*closed, cart_id][-CLOSED_CARTS_KEPT:], separators=(",", ":"), ensure_ascii=False
        )


def _spent_on_order(
    merchant_id: str, order_id: str, redemption_id: str, customer_id: str, amount: int, takes: str
) -> SpentItem:
    return SpentItem(
        k.order_pk(merchant_id, order_id),
        k.spent_sk(redemption_id),
        redemption_id=redemption_id,
        customer_id=customer_id,
        amount=amount,
        takes=takes,
    )


def redeem(
    merchant_id: str, req: RedemptionRequest, now: datetime, program: Program | None = None
) -> dict[str, Any]:
    """Spend balance from the soonest-expiring open lots; more than the balance spends nothing.

    With `hold`, the amount is reserved (it leaves the balance at once) until captured, voided, or
    `hold_minutes` pass. A redemption naming an order that is captured (at once, or later by
    capture) leaves a `SPENT#` item in the order's partition so a refund of the order returns its
    share: one consistent Query there finds them all, and the refund commits guarded by the
    customer's sequence, which every capture also bumps, so a capture racing a refund is either seen
    by it or makes it re-read (an index on the redemption record would cost one unit less but is
    only eventually consistent: a refund right after a capture could miss it)."""
    program = program or Program()
    fingerprint = request_hash(req.body)
    rpk = k.redemption_pk(merchant_id, req.redemption_id)

    def existing() -> dict[str, Any] | None:
        found = batch_get([(rpk, k.REDEMPTION)]).get((rpk, k.REDEMPTION))
        if isinstance(found, RedemptionItem):
            return replay(
                found.request_hash, found.response, fingerprint, f"redemption_id {req.redemption_id}"
            )
        return None

    if req.order_total is not None and req.amount * 100 > req.order_total * program.max_redeem_percent:
        previous = existing()  # a retry after the program changed still gets its first answer
        if previous is not None:
            return previous
        raise ValidationFailed(
            f"credit may cover at most {program.max_redeem_percent}% of the order "
            f"({req.order_total * program.max_redeem_percent // 100} of {req.order_total})",
            field="amount",
            code="above_max_redeem_percent",
        )

    def attempt() -> dict[str, Any]:
        profile = load_profile(merchant_id, req.customer_id)
        if profile is None:
            raise NotFound(f"customer {req.customer_id} not found", code="customer_not_found")
        wallet = wallet_of(profile)
        until = now + timedelta(minutes=program.hold_minutes)
        planned = (
            domain.plan_hold(wallet, req.amount, req.redemption_id, now, until)
            if req.hold
            else domain.plan_spend(wallet, req.amount, req.redemption_id, now)
        )
        if planned is None:
            previous = existing()
            if previous is not None:
                return previous
            available = domain.spendable(wallet.lots, now)
            raise InsufficientBalance(
                f"balance {available} is less than the {req.amount} requested", field="amount"
            )
        change, made = planned
        takes = made.takes if isinstance(made, domain.Hold) else made
        response: dict[str, Any] = {
            "redemption_id": req.redemption_id,
            "customer_id": req.customer_id,
            "amount": req.amount,
            "order_id": req.order_id,
            "balance": wallet.balance + change.delta,
            "status": "held" if req.hold else "captured",
        }
        if req.hold:
            response["expires_at"] = iso(until)
        record = RedemptionItem(
            rpk,
            k.REDEMPTION,
            redemption_id=req.redemption_id,
            customer_id=req.customer_id,
            amount=req.amount,
            order_id=req.order_id,
            takes=takes_json(takes),
            request_hash=fingerprint,
            response=json.dumps(response, ensure_ascii=False, separators=(",", ":")),
            created_at=iso(now),
            status=response["status"],
        )
        puts: list[tuple[Any, Any]] = []
        if req.hold:
            record.hold_expires_at = iso(until)
            record.DuePK = k.due_pk(merchant_id, "hold")
            record.DueSK = f"{iso(until)}#{req.customer_id}"
        elif req.order_id is not None:
            spent = _spent_on_order(
                merchant_id, req.order_id, req.redemption_id, req.customer_id, req.amount, record.takes
            )
            puts.append((spent, SpentItem.PK.does_not_exist()))
        profile.updated_at = iso(now)
        write = WalletWrite(
            merchant_id,
            profile,
            int(profile.seq),
            wallet,
            change,
            now,
            record=record,
            record_condition=RedemptionItem.PK.does_not_exist(),
            puts=puts,
        )
        return commit_once(write, existing) or response

    return retrying(attempt)


def _redemption(merchant_id: str, redemption_id: str) -> RedemptionItem:
    rpk = k.redemption_pk(merchant_id, redemption_id)
    found = batch_get([(rpk, k.REDEMPTION)]).get((rpk, k.REDEMPTION))
    if not isinstance(found, RedemptionItem):
        raise NotFound(f"redemption {redemption_id} not found", code="redemption_not_found")
    return found


def _settled_answer(record: RedemptionItem, balance: int) -> dict[str, Any]:
    return {
        "redemption_id": record.redemption_id,
        "customer_id": record.customer_id,
        "amount": int(record.amount),
        "order_id": record.order_id,
        "status": record.status or "captured",
        "balance": balance,
    }


def _balance_now(merchant_id: str, customer_id: str, now: datetime) -> int:
    """The balance as of `now` (what settling would leave), for the answer of a repeated call."""
    profile = load_profile(merchant_id, customer_id)
    if profile is None:
        return 0
    wallet = wallet_of(profile)
    return wallet.balance + domain.plan_expire(wallet, now).delta


def _hold_record(
    merchant_id: str, customer_id: str, change: domain.Change, wallet: domain.Wallet, note: str
) -> SettlementItem | None:
    """The ledger record of a capture or void: only when the change moves money (a void's
    `release`, or what settling found due on the way)."""
    if not change.entries:
        return None
    return SettlementItem(
        k.customer_pk(merchant_id, customer_id),
        k.settlement_sk(wallet.seq + 1),
        customer_id=customer_id,
        note=note,
    )


def capture(merchant_id: str, redemption_id: str, now: datetime) -> dict[str, Any]:
    """Keep a held redemption for good; again is the same answer; voided or lapsed is 409."""

    def attempt() -> dict[str, Any]:
        record = _redemption(merchant_id, redemption_id)
        status = record.status or "captured"
        if status == "captured":
            return _settled_answer(record, _balance_now(merchant_id, record.customer_id, now))
        if status == "voided":
            raise Conflict(f"hold {redemption_id} was voided", code="hold_expired")
        profile = load_profile(merchant_id, record.customer_id)
        if profile is None:
            raise NotFound(f"customer {record.customer_id} not found", code="customer_not_found")
        wallet = wallet_of(profile)
        change, outcome = domain.plan_capture(wallet, redemption_id, now)
        if outcome == "absent":
            raise Contended("the hold was closed since its record was read")
        puts: list[tuple[Any, Any]] = []
        if outcome == "captured" and record.order_id is not None:
            spent = _spent_on_order(
                merchant_id,
                record.order_id,
                redemption_id,
                record.customer_id,
                int(record.amount),
                record.takes or "[]",
            )
            puts.append((spent, SpentItem.PK.does_not_exist()))
        profile.updated_at = iso(now)
        WalletWrite(
            merchant_id,
            profile,
            int(profile.seq),
            wallet,
            change,
            now,
            record=_hold_record(merchant_id, record.customer_id, change, wallet, f"capture:{redemption_id}"),
            record_condition=SettlementItem.PK.does_not_exist(),
            puts=puts,
        ).commit()
        if outcome == "lapsed":  # its time ran out: voided now, in this write, and refused
            raise Conflict(f"hold {redemption_id} lapsed before it was captured", code="hold_expired")
        record.status = "captured"
        return _settled_answer(record, wallet.balance + change.delta)

    return retrying(attempt)


def void(merchant_id: str, redemption_id: str, now: datetime) -> dict[str, Any]:
    """Let a held redemption go: its credit returns to the lots it came from; again is the same
    answer (with the balance as it is now); a captured redemption is 409 `already_captured`."""

    def attempt() -> dict[str, Any]:
        record = _redemption(merchant_id, redemption_id)
        status = record.status or "captured"
        if status == "captured":
            raise Conflict(
                f"redemption {redemption_id} is captured; refund its order to return the credit",
                code="already_captured",
            )
        if status == "voided":
            return _settled_answer(record, _balance_now(merchant_id, record.customer_id, now))
        profile = load_profile(merchant_id, record.customer_id)
        if profile is None:
            raise NotFound(f"customer {record.customer_id} not found", code="customer_not_found")
        wallet = wallet_of(profile)
        change, outcome = domain.plan_void(wallet, redemption_id, now)
        if outcome == "absent":
            raise Contended("the hold was closed since its record was read")
        profile.updated_at = iso(now)
        WalletWrite(
            merchant_id,
            profile,
            int(profile.seq),
            wallet,
            change,
            now,
            record=_hold_record(merchant_id, record.customer_id, change, wallet, f"void:{redemption_id}"),
            record_condition=SettlementItem.PK.does_not_exist(),
        ).commit()
        record.status = "voided"
        return _settled_answer(record, wallet.balance + change.delta)

    return retrying(attempt)


def refund(merchant_id: str, req: RefundRequest, now: datetime) -> dict[str, Any]:
    """Take back the cashback of the refunded part, proportionally; never below a zero balance."""
    fingerprint = request_hash(req.body)
    opk = k.order_pk(merchant_id, req.order_id)
    rsk = k.refund_sk(req.refund_id)

    def attempt() -> dict[str, Any]:
        found = batch_get([(opk, k.ORDER), (opk, rsk)])
        previous = found.get((opk, rsk))
        if isinstance(previous, RefundItem):
            return replay(previous.request_hash, previous.response, fingerprint, f"refund_id {req.refund_id}")
        order = found.get((opk, k.ORDER))
        if not isinstance(order, OrderItem):
            raise NotFound(f"order {req.order_id} not found", code="order_not_found")
        refundable = int(order.amount) - int(order.refunded_amount)
        amount = refundable if req.amount is None else req.amount
        # A 0-amount order is fully refunded by its first whole refund: fully_refunded says so.
        if req.amount is None and (order.fully_refunded or (refundable <= 0 and int(order.amount) > 0)):
            raise ValidationFailed(
                "the order is already fully refunded", field="amount", code="already_refunded"
            )
        if amount > refundable:
            raise ValidationFailed(
                f"refund exceeds what is left of the order ({refundable})",
                field="amount",
                code="refund_exceeds_order",
            )
        profile = load_profile(merchant_id, order.customer_id)
        if profile is None:
            raise NotFound(f"customer {order.customer_id} not found", code="customer_not_found")
        # Read after the profile: a capture committed before that read is in this Query; one
        # committed after it bumps the sequence, and this refund's commit fails and re-reads.
        spent_items = [
            item
            for item in SpentItem.query(opk, SpentItem.SK.startswith(k.SPENT_PREFIX), consistent_read=True)
            if item.customer_id == order.customer_id
        ]
        spent = [
            domain.Spent(
                item.redemption_id, int(item.amount), takes_from_json(item.takes), int(item.restored)
            )
            for item in spent_items
        ]
        wallet = wallet_of(profile)
        refunded_total = int(order.refunded_amount) + amount
        facts = domain.OrderFacts(
            int(order.amount),
            int(order.cashback),
            int(order.refunded_amount),
            int(order.reversal_due),
            order.lot_id,
        )
        change, reversal = domain.plan_refund(
            wallet, facts, refunded_total, f"{req.order_id}/{req.refund_id}", now, spent
        )
        fully = refunded_total >= int(order.amount)
        profile.total_spent = max(0, int(profile.total_spent) - amount)
        if fully and not order.fully_refunded:
            profile.purchases_count = max(0, int(profile.purchases_count) - 1)
        profile.updated_at = iso(now)
        response = {
            "refund_id": req.refund_id,
            "order_id": req.order_id,
            "amount": amount,
            "cashback_reversed": reversal.reversed_now,
            "cashback_unrecovered": reversal.owed - reversal.reversed_now,
            "credit_restored": reversal.credit_restored,
            "balance": wallet.balance + change.delta,
        }
        record = RefundItem(
            opk,
            rsk,
            refund_id=req.refund_id,
            order_id=req.order_id,
            customer_id=order.customer_id,
            amount=amount,
            request_hash=fingerprint,
            response=json.dumps(response, ensure_ascii=False, separators=(",", ":")),
            created_at=iso(now),
        )
        order_actions: list[Action] = [
            OrderItem.refunded_amount.set(refunded_total),
            OrderItem.reversal_due.set(reversal.due_total),
            OrderItem.reversed_amount.set(int(order.reversed_amount) + reversal.reversed_now),
            OrderItem.fully_refunded.set(fully),
        ]
        # Each restored redemption remembers how much has come back (guarded: one refund at a time).
        restored_updates: list[tuple[Item, list[Action], Condition | None]] = [
            (
                item,
                [SpentItem.restored.set(int(item.restored) + reversal.restored[item.redemption_id])],
                SpentItem.restored == int(item.restored),
            )
            for item in spent_items
            if reversal.restored.get(item.redemption_id)
        ]
        WalletWrite(
            merchant_id,
            profile,
            int(profile.seq),
            wallet,
            change,
            now,
            record=record,
            record_condition=RefundItem.PK.does_not_exist(),
            updates=[
                (order, order_actions, OrderItem.refunded_amount == int(order.refunded_amount)),
                *restored_updates,
            ],
        ).commit()
        return response

    return retrying(attempt)


def recorded_stamp(now: datetime) -> datetime:
    """When a scheduled job's write is recorded: its event's time, or the clock when the event is
    older (a late or retried run). The metrics job reads the timeline up to a cursor that only
    moves forward, so a record must never be stamped behind a run that has already passed."""
    return max(now, datetime.now(UTC))


def settle_expired(
    merchant_id: str, customer_id: str, now: datetime, loaded: CustomerItem | None = None
) -> int:
    """Expire what is past due for one customer; returns the amount expired (0 when nothing was due).

    `loaded` is the profile the caller has just read, saving a round trip on the first attempt.
    """
    first = [loaded] if loaded is not None else []

    def attempt() -> int:
        profile = first.pop() if first else load_profile(merchant_id, customer_id)
        first.clear()
        if profile is None:
            return 0
        wallet = wallet_of(profile)
        change = domain.plan_expire(wallet, now)
        if not change.entries:
            return 0
        profile.updated_at = iso(now)
        record = SettlementItem(
            profile.PK, k.settlement_sk(wallet.seq + 1), customer_id=customer_id, note="expire"
        )
        WalletWrite(
            merchant_id,
            profile,
            int(profile.seq),
            wallet,
            change,
            recorded_stamp(now),
            record=record,
            record_condition=SettlementItem.PK.does_not_exist(),
        ).commit()
        return -sum(entry.amount for entry in change.entries if entry.type == "expire")

    return retrying(attempt)


@dataclass(frozen=True)
class AdjustmentRequest:
    adjustment_id: str
    customer_id: str
    amount: int  # signed, never 0
    reason: str
    expires_at: datetime | None  # a credit's expiry; default: the program's cashback_expiry_days
    actor: str  # who made it: "key …abcd" or the dashboard user
    body: dict[str, Any]


def adjust(merchant_id: str, req: AdjustmentRequest, program: Program, now: datetime) -> dict[str, Any]:
    """A merchant's correction of a customer's balance: one `adjust` entry naming the reason and who
    made it. A debit larger than the balance is 409 and changes nothing; a retry replays the answer.

    The fingerprint covers the body and the customer in the path (the same id for another customer
    is a conflict), not who sent it: a retry from the panel after the key's attempt is the same."""
    fingerprint = request_hash({**req.body, "customer_id": req.customer_id})
    apk = k.adjustment_pk(merchant_id, req.adjustment_id)
    what = f"adjustment_id {req.adjustment_id}"

    def existing() -> dict[str, Any] | None:
        found = batch_get([(apk, k.ADJUSTMENT)]).get((apk, k.ADJUSTMENT))
        if isinstance(found, AdjustmentItem):
            return replay(found.request_hash, found.response, fingerprint, what)
        return None

    def attempt() -> dict[str, Any]:
        previous = existing()
        if previous is not None:
            return previous
        profile = load_profile(merchant_id, req.customer_id)
        if profile is None:
            raise NotFound(f"customer {req.customer_id} not found", code="customer_not_found")
        wallet = wallet_of(profile)
        expires = req.expires_at or now + timedelta(days=program.cashback_expiry_days)
        planned = domain.plan_adjust(wallet, req.amount, req.adjustment_id, now, expires)
        if planned is None:
            available = domain.spendable(wallet.lots, now)
            raise InsufficientBalance(
                f"balance {available} is less than the {-req.amount} to take", field="amount"
            )
        change, lot_id = planned
        response: dict[str, Any] = {
            "adjustment_id": req.adjustment_id,
            "customer_id": req.customer_id,
            "amount": req.amount,
            "reason": req.reason,
            "by": req.actor,
            "expires_at": iso(expires) if lot_id else None,
            "balance": wallet.balance + change.delta,
            "created_at": iso(now),
        }
        record = AdjustmentItem(
            apk,
            k.ADJUSTMENT,
            adjustment_id=req.adjustment_id,
            customer_id=req.customer_id,
            amount=req.amount,
            reason=req.reason,
            actor=req.actor,
            expires_at=response["expires_at"],
            request_hash=fingerprint,
            response=json.dumps(response, ensure_ascii=False, separators=(",", ":")),
            created_at=iso(now),
        )
        profile.updated_at = iso(now)
        write = WalletWrite(
            merchant_id,
            profile,
            int(profile.seq),
            wallet,
            change,
            now,
            record=record,
            record_condition=AdjustmentItem.PK.does_not_exist(),
        )
        return commit_once(write, existing) or response  # a racing copy that won: its answer

    return retrying(attempt)
