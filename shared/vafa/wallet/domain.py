"""Pure wallet rules: what a purchase earns and which lots a debit takes from. No I/O, no clock."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

BPS = 10_000


@dataclass(frozen=True)
class Lot:
    """Credit that arrived together and expires together."""

    lot_id: str
    source: str  # earn | gift | adjust
    ref: str
    amount: int
    remaining: int
    earned_at: datetime
    expires_at: datetime

    def open_at(self, now: datetime) -> bool:
        """Spendable at `now`: something left and not yet expired."""
        return self.remaining > 0 and self.expires_at > now


@dataclass(frozen=True)
class Entry:
    """One ledger movement; amount is signed (credits positive, debits negative)."""

    type: str  # earn | redeem | expire | reverse | gift | adjust
    amount: int
    at: datetime
    ref: str


@dataclass
class Change:
    """Everything one wallet operation does, to be written in a single transaction."""

    new_lots: list[Lot] = field(default_factory=list)
    lot_takes: dict[str, int] = field(default_factory=dict)  # lot_id -> amount taken
    entries: list[Entry] = field(default_factory=list)

    @property
    def delta(self) -> int:
        return sum(entry.amount for entry in self.entries)


def cashback_for(
    amount: int, rate_bps: int, *, min_purchase_amount: int = 0, max_cashback: int | None = None
) -> int:
    """Cashback earned on a purchase: floor(amount * rate / 10000), capped, zero under the minimum."""
    if amount < min_purchase_amount or amount <= 0:
        return 0
    earned = amount * rate_bps // BPS
    if max_cashback is not None:
        earned = min(earned, max_cashback)
    return max(earned, 0)


def expiry_for(occurred_at: datetime, days: int) -> datetime:
    return occurred_at + timedelta(days=days)


def spend_order(lots: Iterable[Lot], now: datetime) -> list[Lot]:
    """Open lots in the order they are spent: soonest expiry first, then oldest."""
    return sorted(
        (lot for lot in lots if lot.open_at(now)), key=lambda lot: (lot.expires_at, lot.earned_at, lot.lot_id)
    )


def spendable(lots: Iterable[Lot], now: datetime) -> int:
    return sum(lot.remaining for lot in lots if lot.open_at(now))


def take(lots: Sequence[Lot], amount: int, now: datetime, change: Change) -> int:
    """Take up to `amount` from open lots, soonest-expiring first, honouring earlier takes in `change`."""
    left = amount
    for lot in spend_order(lots, now):
        if left == 0:
            break
        available = lot.remaining - change.lot_takes.get(lot.lot_id, 0)
        portion = min(available, left)
        if portion > 0:
            change.lot_takes[lot.lot_id] = change.lot_takes.get(lot.lot_id, 0) + portion
            left -= portion
    return amount - left


def expire_due(lots: Sequence[Lot], now: datetime, change: Change) -> None:
    """What remains of every lot past its expiry leaves the balance, one `expire` entry per lot."""
    for lot in sorted(lots, key=lambda lot: (lot.expires_at, lot.lot_id)):
        left = lot.remaining - change.lot_takes.get(lot.lot_id, 0)
        if lot.expires_at <= now and left > 0:
            change.lot_takes[lot.lot_id] = change.lot_takes.get(lot.lot_id, 0) + left
            change.entries.append(Entry("expire", -left, lot.expires_at, lot.lot_id))


def apply(lots: Sequence[Lot], change: Change) -> list[Lot]:
    """The lots after a change, fully used lots dropped."""
    result = []
    for lot in [*lots, *change.new_lots]:
        remaining = lot.remaining - change.lot_takes.get(lot.lot_id, 0)
        if remaining < 0:
            raise ValueError(f"lot {lot.lot_id} would go negative")
        if remaining > 0:
            result.append(replace(lot, remaining=remaining))
    return result


def reversal_due(cashback: int, order_amount: int, refunded_total: int) -> int:
    """Cashback owed back once `refunded_total` of the order is refunded (proportional, floored)."""
    if order_amount <= 0:
        return cashback if refunded_total >= order_amount else 0
    return cashback * min(refunded_total, order_amount) // order_amount


def reverse(lots: Sequence[Lot], order_lot_id: str | None, amount: int, now: datetime, change: Change) -> int:
    """Take back up to `amount` of refunded cashback: from the order's own lot first, then soonest-expiring.

    What was already spent or expired is taken from the balance as far as it goes, never below zero.
    """
    left = amount
    if order_lot_id is not None:
        own = [lot for lot in lots if lot.lot_id == order_lot_id]
        left -= take(own, left, now, change)
    left -= take(lots, left, now, change)
    return amount - left
