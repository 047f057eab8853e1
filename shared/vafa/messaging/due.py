"""Finding due work through the sparse DueIndex: cost grows with the work due, never with customers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from vafa.store import keys as k
from vafa.store.models import CartItem, DueItem, Item, NotificationItem
from vafa.store.table import ensure_configured
from vafa.timeutil import iso

HIGH = "\uffff"


def due_items(merchant_id: str, kind: str, until: datetime, since: datetime | None = None) -> Iterator[Item]:
    """Items of one kind of due work with due time in (since, until], oldest first."""
    ensure_configured()
    upper = f"{iso(until)}#{HIGH}"
    condition = (
        DueItem.DueSK <= upper if since is None else DueItem.DueSK.between(f"{iso(since)}#{HIGH}", upper)
    )
    yield from Item.due_index.query(k.due_pk(merchant_id, kind), condition)


def customer_of(item: Item) -> str:
    return item.PK.split("#C#", 1)[1]


def full(item: Item) -> Item | None:
    """The whole item behind an index entry (the index projects only keys and the type)."""
    ensure_configured()
    try:
        return Item.get(item.PK, item.SK, consistent_read=True)
    except Item.DoesNotExist:
        return None


__all__ = ["CartItem", "DueItem", "NotificationItem", "customer_of", "due_items", "full"]
