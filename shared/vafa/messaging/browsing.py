"""What visitors do on the shop's pages: events, the per-visitor rate, linking a visitor to a customer,
and the stand-in a visitor is decided and delivered as.

A visitor's or customer's recent events live in one item (`BROWSING`), appended to with one
UpdateItem and kept to MAX_EVENTS, so the write path is one counter ADD and one update whatever the
history. The first product view of a browsing session writes the item's DueIndex key (`browse`),
as a cart does: the `browse_abandoned` reminder finds due sessions through it and nothing else.

An anonymous visitor has no profile. It is decided as a stand-in `CustomerItem` whose key is the
visitor's partition (`M#…#V#<visitor_id>`): consent to push only (the permission the browser gave
when it subscribed; a visitor has nothing else to consent with), no phone or email, its contact
record (the weekly cap, its push subscriptions count) and its delivery log in that partition. The
decision and the push sender tell it from a customer by that key alone.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.condition import size

from vafa.errors import VafaError
from vafa.store import keys as k
from vafa.store.models import BrowsingItem, ContactItem, CustomerItem, Item, PushSubscriptionItem, RateItem
from vafa.store.table import ensure_configured
from vafa.timeutil import iso, parse_instant

BROWSING = "BROWSING"
DUE_KIND = "browse"
MAX_EVENTS = 50  # kept per visitor or customer; at most ~50 × 2.5 KB, far under DynamoDB's 400 KB
KEEP_EVENTS = 30  # what a trim keeps: trimming runs once in every 20 events, not on each one
RATE_PER_MINUTE = 120
EVENT_TYPES = ("page_viewed", "product_viewed", "searched", "added_to_cart", "checkout_started")


class TooManyEvents(VafaError):
    status = 429
    code = "too_many_events"


def visitor_prefix(merchant_id: str) -> str:
    return k.visitor_pk(merchant_id, "")


def is_visitor(merchant_id: str, pk: str) -> bool:
    """Whether a partition key is an anonymous visitor's (merchant ids hold no `#`, so no customer's
    partition `M#<m>#C#…` can start like this)."""
    return pk.startswith(visitor_prefix(merchant_id))


def visitor_stand_in(merchant_id: str, visitor_id: str) -> CustomerItem:
    """The visitor as the decision and the push sender see it (never saved)."""
    return CustomerItem(
        k.visitor_pk(merchant_id, visitor_id),
        k.PROFILE,
        customer_id=visitor_id,
        consent={"push": True},
        created_at="",
        updated_at="",
    )


def _check_rate(merchant_id: str, visitor_id: str, now: datetime) -> None:
    """One atomic ADD on the visitor's item for this minute; the item expires by TTL."""
    minute = now.strftime("%Y-%m-%dT%H:%M")
    counter = RateItem(k.visitor_pk(merchant_id, visitor_id), f"RATE#{minute}")
    counter.update(
        actions=[Item.kind.set(RateItem), RateItem.n.add(1), RateItem.ttl.set(int(now.timestamp()) + 180)]
    )
    if int(counter.n) > RATE_PER_MINUTE:
        raise TooManyEvents(f"more than {RATE_PER_MINUTE} events a minute from one visitor; slow down")


def compact(event: dict[str, Any], at: datetime) -> str:
    """An event as stored: `[epoch, type, url, sku, name, price, query]`, trailing nulls dropped."""
    product = event.get("product") or {}
    row: list[Any] = [
        int(at.timestamp()),
        event["type"],
        event.get("url"),
        product.get("sku"),
        product.get("name"),
        product.get("price"),
        event.get("query"),
    ]
    while row and row[-1] is None:
        row.pop()
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


# An UpdateItem that creates an item writes no discriminator by itself, and PynamoDB's polymorphic
# reads (the DueIndex query included) skip items without one: every update here sets `kind`.


def _append(
    merchant_id: str,
    pk: str,
    owner_id: str,
    rows: list[str],
    view: tuple[datetime, str | None] | None,
    window: int | None,
) -> BrowsingItem:
    """Append `rows` to the item at `pk`; a product view opens a session (and its due key) if none is
    open, and moves the session's latest view. Raises UpdateError when `pk` is a linked visitor's."""
    item = BrowsingItem(pk, BROWSING)
    actions: list[Any] = [
        Item.kind.set(BrowsingItem),
        BrowsingItem.events.set((BrowsingItem.events | []).append(rows)),
    ]
    if view is not None:
        at, url = view
        actions += [
            BrowsingItem.started_at.set(BrowsingItem.started_at | iso(at)),
            BrowsingItem.viewed_at.set(iso(at)),
        ]
        if url:
            actions.append(BrowsingItem.viewed_url.set(url))
        if window is not None:
            due = iso(at + timedelta(minutes=window))
            actions += [
                Item.DuePK.set(Item.DuePK | k.due_pk(merchant_id, DUE_KIND)),
                Item.DueSK.set(Item.DueSK | f"{due}#{owner_id}"),
            ]
    item.update(actions=actions, condition=BrowsingItem.linked_to.does_not_exist())
    count = len(item.events or [])
    if count > MAX_EVENTS:
        keep = (item.events or [])[-KEEP_EVENTS:]
        try:  # only if nobody appended meanwhile; otherwise the next write trims
            item.update(actions=[BrowsingItem.events.set(keep)], condition=size(BrowsingItem.events) == count)
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
    return item


def linked_customer(merchant_id: str, visitor_id: str) -> str | None:
    """The customer a visitor was linked to, if any (one small read)."""
    try:
        item = BrowsingItem.get(
            k.visitor_pk(merchant_id, visitor_id), BROWSING, attributes_to_get=["linked_to", "kind"]
        )
    except BrowsingItem.DoesNotExist:
        return None
    return item.linked_to


def record_event(
    merchant_id: str,
    visitor_id: str,
    customer_id: str | None,
    event: dict[str, Any],
    at: datetime,
    now: datetime,
    window: int | None,
) -> str:
    """Store one event under the customer (token) or the visitor (and, once linked, its customer);
    returns whose it became: `customer` or `visitor`."""
    ensure_configured()
    _check_rate(merchant_id, visitor_id, now)
    rows = [compact(event, at)]
    view = (at, event.get("url")) if event["type"] == "product_viewed" else None
    if customer_id is not None:
        if linked_customer(merchant_id, visitor_id) != customer_id:
            link(merchant_id, visitor_id, customer_id, now)
        _append(merchant_id, k.customer_pk(merchant_id, customer_id), customer_id, rows, view, window)
        return "customer"
    try:
        _append(merchant_id, k.visitor_pk(merchant_id, visitor_id), visitor_id, rows, view, window)
        return "visitor"
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
    linked = linked_customer(merchant_id, visitor_id)
    if linked is None:  # unlinked again in between: cannot happen today; keep the event anyway
        raise VafaError("the visitor changed while recording; retry", code="busy")
    _append(merchant_id, k.customer_pk(merchant_id, linked), linked, rows, view, window)
    return "customer"


def link(merchant_id: str, visitor_id: str, customer_id: str, now: datetime) -> dict[str, int]:
    """Move an anonymous visitor's history to the customer: its events (and an open browsing session
    with its due key) and its push subscriptions; later events and subscriptions of the visitor go
    to the customer. Idempotent; a visitor linked to another customer (a shared browser) is relinked,
    from then on. Returns what moved."""
    from vafa.messaging.signals import keep_newest, profile_or_404, push_consented

    ensure_configured()
    customer = profile_or_404(merchant_id, customer_id)
    vpk = k.visitor_pk(merchant_id, visitor_id)
    try:
        visitor = BrowsingItem.get(vpk, BROWSING, consistent_read=True)
    except BrowsingItem.DoesNotExist:
        visitor = None
    moved_events = 0
    if visitor is not None and visitor.linked_to is None and visitor.events:
        rows = sorted(visitor.events, key=lambda row: int(json.loads(row)[0]))
        open_session = (
            (parse_instant(visitor.viewed_at), visitor.viewed_url)
            if visitor.started_at and visitor.viewed_at and visitor.DueSK
            else None
        )
        due_at = visitor.DueSK.split("#", 1)[0] if visitor.DueSK else None
        _merge(merchant_id, customer_id, rows, visitor, open_session, due_at)
        moved_events = len(rows)
    # The customer's copy is written first: a crash in between leaves the events twice, never lost.
    marker = BrowsingItem(vpk, BROWSING, linked_to=customer_id)
    marker.save()
    subs = [
        s
        for s in PushSubscriptionItem.query(vpk, PushSubscriptionItem.SK.startswith(k.PUSH_PREFIX))
        if isinstance(s, PushSubscriptionItem)
    ]
    added = 0
    for sub in subs:
        copy = PushSubscriptionItem(
            customer.PK,
            sub.SK,
            endpoint=sub.endpoint,
            p256dh=sub.p256dh,
            auth=sub.auth,
            created_at=sub.created_at,
        )
        try:
            copy.save(condition=PushSubscriptionItem.PK.does_not_exist())
            added += 1
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
        sub.delete()
    if subs:
        from vafa.messaging.contacts import update_contact_at

        update_contact_at(vpk, [ContactItem.push_count.set(0)])
        push_consented(merchant_id, customer, added - keep_newest(customer.PK))
    return {"events": moved_events, "push_subscriptions": len(subs)}


def _merge(
    merchant_id: str,
    customer_id: str,
    rows: list[str],
    visitor: BrowsingItem,
    session: tuple[datetime, str | None] | None,
    due_at: str | None,
) -> None:
    """The visitor's events appended to the customer's; its open session becomes the customer's
    unless the customer has one open already (then the earlier one stands: one nudge)."""
    pk = k.customer_pk(merchant_id, customer_id)
    item = BrowsingItem(pk, BROWSING)
    actions: list[Any] = [
        Item.kind.set(BrowsingItem),
        BrowsingItem.events.set((BrowsingItem.events | []).append(rows[-MAX_EVENTS:])),
    ]
    if session is not None and due_at is not None:
        actions += [
            BrowsingItem.started_at.set(BrowsingItem.started_at | str(visitor.started_at)),
            BrowsingItem.viewed_at.set(BrowsingItem.viewed_at | iso(session[0])),
            Item.DuePK.set(Item.DuePK | k.due_pk(merchant_id, DUE_KIND)),
            Item.DueSK.set(Item.DueSK | f"{due_at}#{customer_id}"),
        ]
        if session[1]:
            actions.append(BrowsingItem.viewed_url.set(BrowsingItem.viewed_url | session[1]))
    item.update(actions=actions)
    events = item.events or []
    if len(events) > MAX_EVENTS:
        item.update(actions=[BrowsingItem.events.set(events[-KEEP_EVENTS:])])


def close_session(item: BrowsingItem) -> None:
    """The session was decided (or is not due any more): off the due index, ready for the next."""
    item.update(
        actions=[
            Item.DuePK.remove(),
            Item.DueSK.remove(),
            BrowsingItem.started_at.remove(),
            BrowsingItem.viewed_at.remove(),
            BrowsingItem.viewed_url.remove(),
        ]
    )


def push_back(item: BrowsingItem, merchant_id: str, owner_id: str, due: datetime) -> None:
    """Still browsing when the session came due: look again `window` after the latest view."""
    item.update(actions=[Item.DueSK.set(f"{iso(due)}#{owner_id}")])
