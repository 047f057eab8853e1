"""What shops and customers tell the engine: carts, push subscriptions, feedback, clicks, opt-outs."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import PutError
from pynamodb.expressions.condition import Condition

from vafa.errors import NotFound, ValidationFailed
from vafa.merchants import ProgramStore
from vafa.messaging import links, short_links
from vafa.messaging.contacts import set_opt_out, update_contact
from vafa.phones import InvalidPhone, normalize_phone
from vafa.store import keys as k
from vafa.store.models import (
    BrowsingItem,
    CartItem,
    ContactItem,
    CustomerItem,
    FeedbackItem,
    Item,
    MerchantItem,
    NotificationItem,
    PushSubscriptionItem,
)
from vafa.store.table import ensure_configured
from vafa.timeutil import iso

_programs = ProgramStore(30)


def profile_or_404(merchant_id: str, customer_id: str) -> CustomerItem:
    ensure_configured()
    try:
        return CustomerItem.get(k.customer_pk(merchant_id, customer_id), k.PROFILE, consistent_read=True)
    except CustomerItem.DoesNotExist as exc:
        raise NotFound(f"customer {customer_id} not found", code="customer_not_found") from exc


def put_cart(
    merchant_id: str, cart_id: str, body: dict[str, Any], now: datetime
) -> tuple[bool, dict[str, Any]]:
    """Store the cart as it stands; an abandoned-cart reminder is due if no purchase follows in time."""
    customer_id = body["customer_id"]
    profile_or_404(merchant_id, customer_id)
    program = _programs.get(merchant_id)
    cpk = k.customer_pk(merchant_id, customer_id)
    try:
        CartItem.get(cpk, k.cart_sk(cart_id), attributes_to_get=["PK"])
        created = False
    except CartItem.DoesNotExist:
        created = True
    cart = CartItem(
        cpk,
        k.cart_sk(cart_id),
        cart_id=cart_id,
        customer_id=customer_id,
        items=json.dumps(body.get("items") or [], ensure_ascii=False),
        total=int(body["total"]),
        url=body.get("url"),
        updated_at=iso(now),
    )
    minutes = program.reminders.abandoned_cart_after_minutes
    if minutes is not None and cart.total > 0:
        due = now + timedelta(minutes=minutes)
        cart.DuePK = k.due_pk(merchant_id, "cart")
        cart.DueSK = f"{iso(due)}#{customer_id}#{cart_id}"
    cart.save()
    answer = {
        "cart_id": cart_id,
        "customer_id": customer_id,
        "total": cart.total,
        "items": json.loads(cart.items),
        "url": cart.url,
        "updated_at": cart.updated_at,
        "reminder_due_at": cart.DueSK.split("#")[0] if cart.DueSK else None,
    }
    return created, answer


def notification_view(note: NotificationItem) -> dict[str, Any]:
    return {
        "kind": note.message_kind,
        "channel": note.channel,
        # In flight or being settled with the gateway: still on its way, as far as the contract goes.
        "status": "queued" if note.status in ("sending", "unknown") else note.status,
        "reason": note.reason,
        "at": note.at,
        "body": note.body,
        "notification_id": note.notification_id,
        "ref": note.ref,
        "campaign_id": note.campaign_id,
        "sent_at": note.sent_at,
        "clicked_at": note.clicked_at,
        "cost": int(note.cost) if note.cost is not None else None,
    }


def notifications_page(
    merchant_id: str, customer_id: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    profile_or_404(merchant_id, customer_id)
    condition: Condition = Item.SK.startswith(k.NOTE_PREFIX)
    if cursor:
        condition = Item.SK.between(k.NOTE_PREFIX, cursor)
    found = [
        item
        for item in Item.query(
            k.customer_pk(merchant_id, customer_id), condition, scan_index_forward=False, limit=limit + 2
        )
        if isinstance(item, NotificationItem) and item.SK != cursor
    ]
    page = found[:limit]
    more = len(found) > limit
    return [notification_view(n) for n in page], (page[-1].SK if more and page else None)


MAX_SUBSCRIPTIONS = 10  # per customer or visitor: the oldest is dropped beyond this


def save_push_subscription(
    merchant_id: str,
    body: dict[str, Any],
    owner: tuple[str, str],
    extra_hosts: list[str],
    now: datetime,
) -> bool:
    """Keep a browser's subscription for `owner` (`("customer", id)` proven by a customer token, or
    `("visitor", id)`); only real push services (plus the deployment's extras) are accepted."""
    from vafa.messaging.channels.push import is_allowed_endpoint, validate_subscription

    try:
        checked = validate_subscription({"endpoint": body["endpoint"], "keys": body["keys"]})
    except ValueError as exc:
        raise ValidationFailed(str(exc), field=getattr(exc, "field", None) or "endpoint") from exc
    if not is_allowed_endpoint(checked["endpoint"], extra_hosts):
        raise ValidationFailed("endpoint is not a known push service over HTTPS", field="endpoint")
    kind, owner_id = owner
    if kind == "visitor":
        # A visitor already linked at sign-in: its browsers are the customer's from then on (the
        # visitor's browsing item keeps whom it was linked to; vafa.messaging.browsing).
        try:
            mark = BrowsingItem.get(
                k.visitor_pk(merchant_id, owner_id), "BROWSING", attributes_to_get=["linked_to"]
            )
            if mark.linked_to:
                kind, owner_id = "customer", str(mark.linked_to)
        except BrowsingItem.DoesNotExist:
            pass
    customer = profile_or_404(merchant_id, owner_id) if kind == "customer" else None
    pk = customer.PK if customer is not None else k.visitor_pk(merchant_id, owner_id)
    digest = hashlib.sha256(checked["endpoint"].encode()).hexdigest()[:32]
    sub = PushSubscriptionItem(
        pk,
        k.push_sk(digest),
        endpoint=checked["endpoint"],
        p256dh=checked["keys"]["p256dh"],
        auth=checked["keys"]["auth"],
        created_at=iso(now),
    )
    try:
        sub.save(condition=PushSubscriptionItem.PK.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        sub.save()  # the same browser again: refresh its keys
        return False
    dropped = keep_newest(pk)
    if customer is None:
        from vafa.messaging.contacts import update_contact_at

        # The visitor's own contact record counts its browsers, as a customer's does: the decision
        # of an anonymous nudge reads reach from it (vafa.messaging.browsing).
        update_contact_at(pk, [ContactItem.push_count.add(1 - dropped)])
        return True
    push_consented(merchant_id, customer, 1 - dropped)
    return True


def push_consented(merchant_id: str, customer: CustomerItem, added: int) -> None:
    """`added` more browsers for the customer: subscribing is the browser's explicit permission, so it
    counts as push consent (and lifts an earlier push opt-out)."""
    consent = dict(
        customer.consent.as_dict() if hasattr(customer.consent, "as_dict") else customer.consent or {}
    )
    consent["push"] = True
    customer.update(actions=[CustomerItem.consent.set(consent)])
    update_contact(
        merchant_id,
        customer.customer_id,
        [ContactItem.push_count.add(added), ContactItem.opted_out["push"].set(False)],
    )


def keep_newest(pk: str) -> int:
    """Drop the oldest subscriptions beyond MAX_SUBSCRIPTIONS under `pk`; how many were dropped."""
    subs = [
        s
        for s in PushSubscriptionItem.query(pk, PushSubscriptionItem.SK.startswith(k.PUSH_PREFIX))
        if isinstance(s, PushSubscriptionItem)
    ]
    extra = sorted(subs, key=lambda s: (s.created_at, s.SK))[: max(0, len(subs) - MAX_SUBSCRIPTIONS)]
    for old in extra:
        old.delete()
    return len(extra)


def vapid_public_key(merchant_id: str) -> str:
    ensure_configured()
    try:
        merchant = MerchantItem.get(k.merchant_pk(merchant_id), k.MERCHANT)
    except MerchantItem.DoesNotExist as exc:
        raise NotFound("merchant not found") from exc
    if not merchant.vapid_public_key:
        raise NotFound(
            "web push is not set up for this merchant (vafa push setup)", code="push_not_configured"
        )
    return str(merchant.vapid_public_key)


def record_feedback(
    token: str, score: int, comment: str | None, now: datetime
) -> tuple[bool, dict[str, Any]]:
    """A 0–10 score from a signed feedback link; the first answer counts, later ones return it."""
    try:
        payload = short_links.resolve("f", token)
    except links.BadToken as exc:
        raise NotFound("unknown feedback link") from exc
    merchant_id, customer_id, order_id = payload["m"], payload["c"], payload["o"]
    item = FeedbackItem(
        k.feedback_pk(merchant_id, order_id),
        k.FEEDBACK,
        order_id=order_id,
        customer_id=customer_id,
        score=score,
        comment=comment,
        at=iso(now),
    )
    from vafa.insight.feedback import save_first  # with the day's totals, for the metrics' NPS

    if not save_first(merchant_id, item):
        first = FeedbackItem.get(k.feedback_pk(merchant_id, order_id), k.FEEDBACK)
        return False, {
            "order_id": order_id,
            "score": int(first.score),
            "comment": first.comment,
            "at": first.at,
        }
    return True, {"order_id": order_id, "score": score, "comment": comment, "at": iso(now)}


def record_click(token: str, now: datetime) -> str:
    """The click on a tracked link: remembered on the message (first click), then its target."""
    try:
        payload = short_links.resolve("r", token)
    except links.BadToken as exc:
        raise NotFound("unknown link") from exc
    target = str(payload["u"])
    if not target.startswith(("https://", "http://")):
        raise NotFound("unknown link")
    cpk = k.customer_pk(payload["m"], payload["c"])
    for item in Item.query(cpk, Item.SK.startswith(k.NOTE_PREFIX), scan_index_forward=False):
        if isinstance(item, NotificationItem) and item.notification_id == payload["n"]:
            if not item.clicked_at:
                item.update(actions=[NotificationItem.clicked_at.set(iso(now))])
                from vafa.messaging.counters import bump

                bump(payload["m"], item.message_kind, "clicked", item.campaign_id)
            break
    return target


def opt_out(token: str, now: datetime) -> dict[str, str]:
    """One-click opt-out of one channel's marketing."""
    try:
        payload = links.verify("u", token)
    except links.BadToken as exc:
        raise NotFound("unknown link") from exc
    set_opt_out(payload["m"], payload["c"], payload["ch"], True)
    return {"customer_id": payload["c"], "channel": payload["ch"], "opted_out_at": iso(now)}


def inbound_token(merchant_id: str) -> str:
    """The secret path segment of a merchant's SMS inbound callback URL."""
    return links.sign("in", {"m": merchant_id})


def inbound_sms(token: str, fields: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Provider callback for replies: `11`/`لغو` stops marketing SMS, `12` resumes it."""
    from vafa.messaging.channels.sms.inbound import classify_reply

    try:
        merchant_id = links.verify("in", token)["m"]
    except links.BadToken as exc:
        raise NotFound("unknown callback") from exc
    sender = str(fields.get("from") or fields.get("mobile") or fields.get("sender") or "")
    text = str(fields.get("message") or fields.get("messageText") or fields.get("text") or "")
    try:
        phone = normalize_phone(sender)
    except InvalidPhone as exc:
        raise ValidationFailed("the callback's sender is not a phone number", field="from") from exc
    action = classify_reply(text)
    changed = []
    if action in ("opt_out", "opt_in"):
        for item in CustomerItem.phone_index.query(k.phone_key(merchant_id, phone)):
            set_opt_out(merchant_id, str(item.GSI1SK), "sms", action == "opt_out")
            changed.append(str(item.GSI1SK))
    return {"action": action or "none", "customers": changed, "at": iso(now)}
