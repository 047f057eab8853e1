"""Purchases, refunds, redemptions and expiry: read, decide with the pure rules, write once.

Every operation follows the same loop: read the customer's state, plan the change with
`vafa.wallet.domain`, and commit it in one transaction guarded by the customer's sequence number.
Losing a race means re-reading and deciding again; the client id makes the whole thing idempotent.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pynamodb.expressions.update import Action

from vafa.customers import ProfileIn, apply_profile, new_customer
from vafa.errors import Busy, InsufficientBalance, NotFound, ValidationFailed
from vafa.program import Program
from vafa.store import keys as k
from vafa.store.models import CustomerItem, DueItem, LotItem, OrderItem, RedemptionItem, RefundItem
from vafa.timeutil import iso
from vafa.wallet import domain
from vafa.wallet.idempotency import replay, request_hash
from vafa.wallet.store import Contended, WalletWrite, batch_get, load_wallet, to_lot

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


def _lots_by_id(items: list[LotItem]) -> dict[str, LotItem]:
    return {item.lot_id: item for item in items}


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
        change = domain.Change()
        lots: list[LotItem] = []
        lots_complete = False
        if profile.next_expiry and profile.next_expiry <= iso(now):
            # Lazily settle credit that expired since the last expiry run, in this same transaction.
            _, lots = load_wallet(merchant_id, req.customer_id)
            lots_complete = True
            domain.expire_due([to_lot(item) for item in lots], now, change)
        cashback = domain.cashback_for(
            req.amount,
            program.cashback_rate_bps,
            min_purchase_amount=program.min_purchase_amount,
            max_cashback=program.max_cashback_per_purchase,
        )
        expires_at: datetime | None = None
        lot_sk: str | None = None
        if cashback > 0:
            expires_at = domain.expiry_for(occurred, program.cashback_expiry_days)
            lot = domain.Lot(
                f"earn:{req.order_id}", "earn", req.order_id, cashback, cashback, occurred, expires_at
            )
            lot_sk = k.lot_sk(iso(expires_at), lot.lot_id)
            change.new_lots.append(lot)
            change.entries.append(domain.Entry("earn", cashback, occurred, req.order_id))
            if expires_at <= now:
                # A back-dated order whose credit has already run out: earned and expired at once.
                change.lot_takes[lot.lot_id] = cashback
                change.entries.append(domain.Entry("expire", -cashback, expires_at, lot.lot_id))
        profile.purchases_count = int(profile.purchases_count) + 1
        profile.total_spent = int(profile.total_spent) + req.amount
        at = iso(occurred)
        if not profile.first_purchase_at or at < profile.first_purchase_at:
            profile.first_purchase_at = at
        if not profile.last_purchase_at or at > profile.last_purchase_at:
            profile.last_purchase_at = at
        profile.updated_at = iso(now)
        markers = follow_ups(merchant_id, program, profile, req.order_id, req.cart_id, occurred, now)
        balance_after = int(profile.balance) + change.delta
        response = {
            "order_id": req.order_id,
            "customer_id": req.customer_id,
            "amount": req.amount,
            "occurred_at": at,
            "cashback_earned": cashback,
            "cashback_expires_at": iso(expires_at) if expires_at else None,
            "balance": balance_after,
        }
        order_item = OrderItem(
            opk,
            k.ORDER,
            order_id=req.order_id,
            customer_id=req.customer_id,
            amount=req.amount,
            cashback=cashback,
            lot_sk=lot_sk,
            occurred_at=at,
            cart_id=req.cart_id,
            request_hash=fingerprint,
            response=json.dumps(response, ensure_ascii=False),
            GSI1PK=k.customer_orders_key(merchant_id, req.customer_id),
            GSI1SK=k.customer_order_sk(at, req.order_id),
        )
        write = WalletWrite(
            merchant_id,
            profile,
            expected_seq,
            _lots_by_id(lots),
            lots_complete,
            change,
            now,
            puts=[(order_item, OrderItem.PK.does_not_exist()), *((m, None) for m in markers)],
        )
        write.commit()
        return response

    return retrying(attempt)


def follow_ups(
    merchant_id: str,
    program: Program,
    profile: CustomerItem,
    order_id: str,
    cart_id: str | None,
    occurred: datetime,
    now: datetime,
) -> list[DueItem]:
    """What a purchase schedules: the win-back check and the feedback ask; it also closes its cart."""
    from vafa.messaging.winback import win_back_due_at

    times = sorted({*json.loads(profile.purchase_times or "[]"), iso(occurred)})[-12:]
    profile.purchase_times = json.dumps(times)
    if cart_id:
        closed = [c for c in json.loads(profile.closed_carts or "[]") if c != cart_id][-19:]
        profile.closed_carts = json.dumps([*closed, cart_id])
    cpk = profile.PK
    markers: list[DueItem] = []
    win_back_at = win_back_due_at(program, profile)
    if win_back_at is not None:
        markers.append(_marker(merchant_id, cpk, "win_back", "", win_back_at, profile.customer_id))
    days = program.reminders.feedback_after_days
    if days is not None:
        ask_at = occurred + timedelta(days=days)
        if ask_at > now - timedelta(days=1):  # imported history does not ask about year-old orders
            markers.append(_marker(merchant_id, cpk, "feedback", order_id, ask_at, profile.customer_id))
    return markers


def _marker(merchant_id: str, cpk: str, kind: str, ref: str, due_at: datetime, customer_id: str) -> DueItem:
    return DueItem(
        cpk,
        k.due_sk(kind, ref),
        due_kind=kind,
        ref=ref,
        due_at=iso(due_at),
        DuePK=k.due_pk(merchant_id, kind),
        DueSK=f"{iso(due_at)}#{customer_id}",
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
        profile, lots = load_wallet(merchant_id, req.customer_id)
        if profile is None:
            raise NotFound(f"customer {req.customer_id} not found", code="customer_not_found")
        change = domain.Change()
        wallet_lots = [to_lot(item) for item in lots]
        domain.expire_due(wallet_lots, now, change)
        taken = domain.take(wallet_lots, req.amount, now, change)
        if taken < req.amount:
            previous = existing()
            if previous is not None:
                return previous
            available = domain.spendable(wallet_lots, now)
            raise InsufficientBalance(
                f"balance {available} is less than the {req.amount} requested", field="amount"
            )
        change.entries.append(domain.Entry("redeem", -req.amount, now, req.redemption_id))
        balance_after = int(profile.balance) + change.delta
        response = {
            "redemption_id": req.redemption_id,
            "customer_id": req.customer_id,
            "amount": req.amount,
            "order_id": req.order_id,
            "balance": balance_after,
        }
        record = RedemptionItem(
            rpk,
            k.REDEMPTION,
            redemption_id=req.redemption_id,
            customer_id=req.customer_id,
            amount=req.amount,
            order_id=req.order_id,
            request_hash=fingerprint,
            response=json.dumps(response, ensure_ascii=False),
            created_at=iso(now),
        )
        profile.updated_at = iso(now)
        write = WalletWrite(
            merchant_id,
            profile,
            int(profile.seq),
            _lots_by_id(lots),
            True,
            change,
            now,
            puts=[(record, RedemptionItem.PK.does_not_exist())],
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
        profile, lots = load_wallet(merchant_id, order.customer_id)
        if profile is None:
            raise NotFound(f"customer {order.customer_id} not found", code="customer_not_found")
        change = domain.Change()
        wallet_lots = [to_lot(item) for item in lots]
        domain.expire_due(wallet_lots, now, change)
        refunded_total = int(order.refunded_amount) + amount
        due_total = domain.reversal_due(int(order.cashback), int(order.amount), refunded_total)
        owed = due_total - int(order.reversal_due)
        reversed_now = domain.reverse(wallet_lots, f"earn:{order.order_id}", owed, now, change)
        if reversed_now:
            change.entries.append(
                domain.Entry("reverse", -reversed_now, now, f"{req.order_id}/{req.refund_id}")
            )
        fully = refunded_total >= int(order.amount)
        profile.total_spent = max(0, int(profile.total_spent) - amount)
        if fully and not order.fully_refunded:
            profile.purchases_count = max(0, int(profile.purchases_count) - 1)
        profile.updated_at = iso(now)
        balance_after = int(profile.balance) + change.delta
        response = {
            "refund_id": req.refund_id,
            "order_id": req.order_id,
            "amount": amount,
            "cashback_reversed": reversed_now,
            "cashback_unrecovered": owed - reversed_now,
            "balance": balance_after,
        }
        record = RefundItem(
            opk,
            rsk,
            refund_id=req.refund_id,
            order_id=req.order_id,
            request_hash=fingerprint,
            response=json.dumps(response, ensure_ascii=False),
            created_at=iso(now),
        )
        order_actions: list[Action] = [
            OrderItem.refunded_amount.set(refunded_total),
            OrderItem.reversal_due.set(due_total),
            OrderItem.reversed_amount.set(int(order.reversed_amount) + reversed_now),
            OrderItem.fully_refunded.set(fully),
        ]
        write = WalletWrite(
            merchant_id,
            profile,
            int(profile.seq),
            _lots_by_id(lots),
            True,
            change,
            now,
            puts=[(record, RefundItem.PK.does_not_exist())],
            updates=[(order, order_actions, OrderItem.refunded_amount == int(order.refunded_amount))],
        )
        write.commit()
        return response

    return retrying(attempt)


def settle_expired(
    merchant_id: str,
    customer_id: str,
    now: datetime,
    loaded: tuple[CustomerItem | None, list[LotItem]] | None = None,
) -> int:
    """Expire what is past due for one customer; returns the amount expired (0 when nothing was due).

    `loaded` is the wallet the caller has just read, saving a round trip on the first attempt.
    """
    first = [loaded] if loaded is not None else []

    def attempt() -> int:
        profile, lots = first.pop() if first else load_wallet(merchant_id, customer_id)
        first.clear()
        if profile is None:
            return 0
        change = domain.Change()
        domain.expire_due([to_lot(item) for item in lots], now, change)
        if not change.entries:
            return 0
        profile.updated_at = iso(now)
        WalletWrite(merchant_id, profile, int(profile.seq), _lots_by_id(lots), True, change, now).commit()
        return -change.delta

    return retrying(attempt)
