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

from pynamodb.expressions.update import Action

from vafa.customers import ProfileIn, apply_profile, new_customer
from vafa.errors import Busy, InsufficientBalance, NotFound, ValidationFailed
from vafa.program import Program
from vafa.store import keys as k
from vafa.store.models import CustomerItem, OrderItem, RedemptionItem, RefundItem, SettlementItem
from vafa.timeutil import iso
from vafa.wallet import domain
from vafa.wallet.idempotency import replay, request_hash
from vafa.wallet.store import Contended, WalletWrite, batch_get, load_profile, wallet_of

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
        if req.customer is not None:
            apply_profile(profile, req.customer, now, field_prefix="customer.")
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


def redeem(merchant_id: str, req: RedemptionRequest, now: datetime) -> dict[str, Any]:
    """Spend balance from the soonest-expiring open lots; more than the balance spends nothing."""
    fingerprint = request_hash(req.body)
    rpk = k.redemption_pk(merchant_id, req.redemption_id)

    def existing() -> dict[str, Any] | None:
        found = batch_get([(rpk, k.REDEMPTION)]).get((rpk, k.REDEMPTION))
        if isinstance(found, RedemptionItem):
            return replay(
                found.request_hash, found.response, fingerprint, f"redemption_id {req.redemption_id}"
            )
        return None

    def attempt() -> dict[str, Any]:
        profile = load_profile(merchant_id, req.customer_id)
        if profile is None:
            raise NotFound(f"customer {req.customer_id} not found", code="customer_not_found")
        wallet = wallet_of(profile)
        planned = domain.plan_redeem(wallet, req.amount, req.redemption_id, now)
        if planned is None:
            previous = existing()
            if previous is not None:
                return previous
            available = domain.spendable(wallet.lots, now)
            raise InsufficientBalance(
                f"balance {available} is less than the {req.amount} requested", field="amount"
            )
        change, takes = planned
        lots = {lot.lot_id: lot for lot in wallet.lots}
        response = {
            "redemption_id": req.redemption_id,
            "customer_id": req.customer_id,
            "amount": req.amount,
            "order_id": req.order_id,
            "balance": wallet.balance + change.delta,
        }
        record = RedemptionItem(
            rpk,
            k.REDEMPTION,
            redemption_id=req.redemption_id,
            customer_id=req.customer_id,
            amount=req.amount,
            order_id=req.order_id,
            takes=json.dumps(
                [
                    [
                        lot_id,
                        n,
                        iso(lots[lot_id].earned_at),
                        iso(lots[lot_id].expires_at),
                        lots[lot_id].source,
                    ]
                    for lot_id, n in takes.items()
                ],
                separators=(",", ":"),
            ),
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
            record_condition=RedemptionItem.PK.does_not_exist(),
        )
        try:
            write.commit()
        except Contended:
            previous = existing()
            if previous is not None:
                return previous
            raise
        return response

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
            wallet, facts, refunded_total, f"{req.order_id}/{req.refund_id}", now
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
        WalletWrite(
            merchant_id,
            profile,
            int(profile.seq),
            wallet,
            change,
            now,
            record=record,
            record_condition=RefundItem.PK.does_not_exist(),
            updates=[(order, order_actions, OrderItem.refunded_amount == int(order.refunded_amount))],
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
        return -change.delta

    return retrying(attempt)
