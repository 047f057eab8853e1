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


# --- Plans: state, request, terms, now → the change to make. The store commits a change as one
# transaction; the property tests drive these same functions over thousands of histories.


@dataclass(frozen=True)
class Wallet:
    """A customer's money as stored on the profile: the balance, the ledger sequence, the open lots."""

    balance: int = 0
    seq: int = 0
    lots: tuple[Lot, ...] = ()


@dataclass(frozen=True)
class Posted:
    """A ledger entry as written: numbered, with the balance after it."""

    seq: int
    type: str
    amount: int
    balance_after: int
    at: datetime
    ref: str


def post(wallet: Wallet, change: Change) -> tuple[Wallet, list[Posted]]:
    """The wallet after `change`, and its entries numbered. Refuses a change that would take the
    balance or any lot below zero: no plan may produce one, so this is a bug, never a customer's."""
    balance, seq = wallet.balance, wallet.seq
    posted: list[Posted] = []
    for entry in change.entries:
        seq += 1
        balance += entry.amount
        posted.append(Posted(seq, entry.type, entry.amount, balance, entry.at, entry.ref))
    if balance < 0:
        raise ValueError("a wallet change may never take the balance below zero")
    return Wallet(balance, seq, tuple(apply(wallet.lots, change))), posted


def lot_id_for(source: str, ref: str) -> str:
    """A lot is named after what created it (`earn:<order id>`, `gift:<gift id>`): the ledger's
    `expire` entries name it, so a merchant reading the ledger sees which credit ran out."""
    return f"{source}:{ref}"


@dataclass(frozen=True)
class Terms:
    """What the program says about earning."""

    rate_bps: int
    expiry_days: int
    min_purchase_amount: int = 0
    max_cashback: int | None = None


@dataclass(frozen=True)
class Earned:
    cashback: int
    expires_at: datetime | None
    lot_id: str | None


def plan_purchase(
    wallet: Wallet, order_id: str, amount: int, occurred: datetime, terms: Terms, now: datetime
) -> tuple[Change, Earned]:
    """Settle what expired, then earn the order's cashback as a lot of its own."""
    change = Change()
    expire_due(wallet.lots, now, change)
    cashback = cashback_for(
        amount, terms.rate_bps, min_purchase_amount=terms.min_purchase_amount, max_cashback=terms.max_cashback
    )
    if cashback <= 0:
        return change, Earned(0, None, None)
    expires_at = expiry_for(occurred, terms.expiry_days)
    lot_id = lot_id_for("earn", order_id)
    change.new_lots.append(Lot(lot_id, "earn", order_id, cashback, cashback, occurred, expires_at))
    change.entries.append(Entry("earn", cashback, occurred, order_id))
    if expires_at <= now:
        # A back-dated order whose credit has already run out: earned and expired at once.
        change.lot_takes[lot_id] = cashback
        change.entries.append(Entry("expire", -cashback, expires_at, lot_id))
    return change, Earned(cashback, expires_at, lot_id)


def plan_redeem(wallet: Wallet, amount: int, ref: str, now: datetime) -> tuple[Change, dict[str, int]] | None:
    """Spend `amount` from the soonest-expiring open lots; None when the balance is short (nothing
    spent). Also returns what was taken from each lot, so the credit can go back where it came from."""
    change = Change()
    expire_due(wallet.lots, now, change)
    expired = dict(change.lot_takes)
    if take(wallet.lots, amount, now, change) < amount:
        return None
    change.entries.append(Entry("redeem", -amount, now, ref))
    takes = {lot: n - expired.get(lot, 0) for lot, n in change.lot_takes.items() if n > expired.get(lot, 0)}
    return change, takes


@dataclass(frozen=True)
class OrderFacts:
    """What a refund needs to know of the order it refunds."""

    amount: int
    cashback: int
    refunded_amount: int
    reversal_due: int
    lot_id: str | None


@dataclass(frozen=True)
class Reversal:
    reversed_now: int
    owed: int  # cashback owed back by this refund (what could not be taken stays unrecovered)
    due_total: int


def plan_refund(
    wallet: Wallet, order: OrderFacts, refunded_total: int, ref: str, now: datetime
) -> tuple[Change, Reversal]:
    """Take back the cashback of the refunded part, proportionally; never below a zero balance."""
    change = Change()
    expire_due(wallet.lots, now, change)
    due_total = reversal_due(order.cashback, order.amount, refunded_total)
    owed = due_total - order.reversal_due
    reversed_now = reverse(wallet.lots, order.lot_id, owed, now, change)
    if reversed_now:
        change.entries.append(Entry("reverse", -reversed_now, now, ref))
    return change, Reversal(reversed_now, owed, due_total)


def plan_expire(wallet: Wallet, now: datetime) -> Change:
    """What is past its expiry leaves the balance."""
    change = Change()
    expire_due(wallet.lots, now, change)
    return change


def plan_grant(
    wallet: Wallet, kind: str, amount: int, ref: str, now: datetime, expires_at: datetime
) -> tuple[Change, str]:
    """Credit granted by the engine or the merchant (a gift): a lot of its own with its expiry."""
    change = Change()
    expire_due(wallet.lots, now, change)
    lot_id = lot_id_for(kind, ref)
    change.new_lots.append(Lot(lot_id, kind, ref, amount, amount, now, expires_at))
    change.entries.append(Entry(kind, amount, now, ref))
    return change, lot_id
