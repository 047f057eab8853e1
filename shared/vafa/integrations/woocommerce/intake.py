"""A signed WooCommerce delivery applied to the wallet through its idempotent operations.

Each step is keyed by WooCommerce's own ids (the order id, each refund id, the status that reversed
the order), and is looked up before it is attempted, so a repeated or overtaken delivery finds its
work done and changes nothing; two copies racing end in the wallet's replay (or, when their bodies
differ because the order was edited between them, in its idempotency conflict, which here only
means "already counted").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vafa.customers import ProfileIn
from vafa.errors import IdempotencyConflict, ValidationFailed
from vafa.integrations.woocommerce import orders
from vafa.integrations.woocommerce.settings import Connection
from vafa.program import Program
from vafa.records import ValidationError
from vafa.store import keys as k
from vafa.store.models import CustomerItem, OrderItem, RefundItem
from vafa.timeutil import iso
from vafa.wallet import operations
from vafa.wallet.store import batch_get

# Refusals of the wallet that mean "this was already accounted for" when a delivery repeats.
_ALREADY = frozenset({"already_refunded", "refund_exceeds_order"})
_MAX_PHONE_MATCHES = 20


def answer(
    topic: str | None,
    order_id: str | None = None,
    customer_id: str | None = None,
    counted: bool = False,
    changes: list[str] | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    return {
        "topic": topic,
        "order_id": order_id,
        "customer_id": customer_id,
        "counted": counted,
        "changes": changes or [],
        "reason": reason,
    }


def take(
    connection: Connection, raw: bytes, topic: str | None, program: Program, now: datetime
) -> dict[str, Any]:
    """Apply one verified delivery; the answer says what changed and, when nothing did, why."""
    if topic not in orders.ORDER_TOPICS:
        # order.deleted carries only {"id"}: trashing an order moves no money (refunds do).
        return answer(topic, reason="not_an_order_update")
    order = orders.read_order(orders.load_json(raw), connection.currency, program.currency)
    plan = orders.decide(order)
    if plan.reason:
        return answer(topic, order.order_id, reason=plan.reason)
    merchant = connection.merchant_id
    opk = k.order_pk(merchant, order.order_id)
    existing = _order(opk)
    changes: list[str] = []
    customer_id = str(existing.customer_id) if existing is not None else None
    if plan.count and existing is None:
        customer_id = resolve_customer(merchant, order)
        if customer_id is None:
            # A guest is known by the phone they typed; without one there is no wallet to credit,
            # and a later delivery of the same order (with a phone added) can still count it.
            return answer(topic, order.order_id, reason="guest_without_phone")
        if _count(merchant, order, customer_id, program, now):
            changes.append("purchase")
        existing = _order(opk)
    if existing is None:
        return answer(topic, order.order_id, reason="not_paid")
    for refund in plan.refunds:
        if _partial_refund(merchant, order.order_id, refund, now):
            changes.append(f"refund:{refund.refund_id}")
    if plan.reverse_whole:
        refund_id = f"status:{order.status}"
        if _whole_refund(merchant, order.order_id, refund_id, now):
            changes.append(f"refund:{refund_id}")
    return answer(topic, order.order_id, customer_id, counted=True, changes=changes)


def _order(opk: str) -> OrderItem | None:
    found = batch_get([(opk, k.ORDER)]).get((opk, k.ORDER))
    return found if isinstance(found, OrderItem) else None


def resolve_customer(merchant_id: str, order: orders.Order) -> str | None:
    """The WooCommerce customer id as text; a guest is the shop's customer with that billing phone
    (one the shop registered before one Vafa made for a guest), else `guest:<E.164>`."""
    if order.wc_customer_id:
        return str(order.wc_customer_id)
    phone = order.billing.phone
    if phone is None:
        return None
    ids = sorted(
        str(item.GSI1SK)
        for item in CustomerItem.phone_index.query(k.phone_key(merchant_id, phone), limit=_MAX_PHONE_MATCHES)
    )
    registered = [i for i in ids if not i.startswith("guest:")]
    return registered[0] if registered else orders.guest_customer_id(phone)


def profile_of(billing: orders.Billing) -> ProfileIn:
    """Billing fills the profile as `customer` does in POST /v1/purchases; a field that fails the
    API's checks is left off rather than refusing the purchase."""
    fields: dict[str, Any] = {}
    for name, value in (("phone", billing.phone), ("email", billing.email), ("name", billing.name)):
        if value is None:
            continue
        try:
            ProfileIn.model_validate({name: value})
        except ValidationError:
            continue
        fields[name] = value
    return ProfileIn.model_validate(fields)


def _count(merchant_id: str, order: orders.Order, customer_id: str, program: Program, now: datetime) -> bool:
    # A shop clock ahead of ours would make the purchase "in the future": it happened by now.
    occurred = min(order.occurred_at or now, now)
    body = {
        "order_id": order.order_id,
        "customer_id": customer_id,
        "amount": order.amount,
        "occurred_at": iso(occurred),
    }
    request = operations.PurchaseRequest(
        order_id=order.order_id,
        customer_id=customer_id,
        amount=order.amount,
        occurred_at=occurred,
        customer=profile_of(order.billing),
        cart_id=None,
        body=body,
    )
    try:
        operations.record_purchase(merchant_id, request, program, now)
    except IdempotencyConflict:
        return False  # counted by another copy of the delivery, from an earlier version of the order
    return True


def _refund(merchant_id: str, request: operations.RefundRequest, now: datetime) -> bool:
    try:
        operations.refund(merchant_id, request, now)
    except IdempotencyConflict:
        return False
    except ValidationFailed as exc:
        if exc.code in _ALREADY:
            return False
        raise
    return True


def _partial_refund(merchant_id: str, order_id: str, refund: orders.Refund, now: datetime) -> bool:
    """One WooCommerce refund, once; capped at what is left (a status reversal that overtook it may
    already have taken the rest)."""
    opk = k.order_pk(merchant_id, order_id)
    rsk = k.refund_sk(refund.refund_id)
    found = batch_get([(opk, k.ORDER), (opk, rsk)])
    order = found.get((opk, k.ORDER))
    if isinstance(found.get((opk, rsk)), RefundItem) or not isinstance(order, OrderItem):
        return False
    amount = min(refund.amount, int(order.amount) - int(order.refunded_amount))
    if amount <= 0:
        return False
    body = {"refund_id": refund.refund_id, "amount": amount}
    return _refund(merchant_id, operations.RefundRequest(order_id, refund.refund_id, amount, body), now)


def _whole_refund(merchant_id: str, order_id: str, refund_id: str, now: datetime) -> bool:
    """What is left of the order, as POST …/refunds without an amount does."""
    opk = k.order_pk(merchant_id, order_id)
    rsk = k.refund_sk(refund_id)
    found = batch_get([(opk, k.ORDER), (opk, rsk)])
    order = found.get((opk, k.ORDER))
    if isinstance(found.get((opk, rsk)), RefundItem) or not isinstance(order, OrderItem):
        return False
    if order.fully_refunded:
        return False
    body = {"refund_id": refund_id}
    return _refund(merchant_id, operations.RefundRequest(order_id, refund_id, None, body), now)
