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

    type: str  # earn | redeem | expire | reverse | gift | adjust | release
    amount: int
    at: datetime
    ref: str


@dataclass(frozen=True)
class Take:
    """What a redemption took from one lot, with what it needs to go back there: the lot may be
    gone from the wallet (used up) by the time the credit returns."""

    lot_id: str
    amount: int
    earned_at: datetime
    expires_at: datetime
    source: str


@dataclass(frozen=True)
class Hold:
    """Credit reserved at checkout: out of the balance already, back to its lots unless captured
    before `expires_at`."""

    redemption_id: str
    amount: int
    expires_at: datetime
    takes: tuple[Take, ...]


@dataclass
class Change:
    """Everything one wallet operation does, to be written in a single transaction."""

    new_lots: list[Lot] = field(default_factory=list)
    # lot_id -> amount taken; negative when credit went back to a lot the wallet still holds
    lot_takes: dict[str, int] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    new_holds: list[Hold] = field(default_factory=list)
    closed_holds: dict[str, str] = field(default_factory=dict)  # redemption_id -> captured|voided|lapsed

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
            # Credit released back to a lot that was spent down to nothing and rebuilt from the
            # takes: the rebuilt lot's amount grows with what returns to it.
            result.append(replace(lot, remaining=remaining, amount=max(lot.amount, remaining)))
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
    holds: tuple[Hold, ...] = ()


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
    holds = tuple(
        hold for hold in (*wallet.holds, *change.new_holds) if hold.redemption_id not in change.closed_holds
    )
    return Wallet(balance, seq, tuple(apply(wallet.lots, change)), holds), posted


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


def current_lots(wallet: Wallet, change: Change) -> list[Lot]:
    """The wallet's lots and the ones this change brings back or adds (takes still to subtract)."""
    return [*wallet.lots, *change.new_lots]


def release(
    wallet: Wallet, takes: Sequence[Take], ref: str, at: datetime, now: datetime, change: Change
) -> int:
    """Credit goes back to the lots it was taken from, with their own expiry: one `release` entry;
    a lot already past its expiry expires again at once (its `expire` entry follows)."""
    held = {lot.lot_id for lot in wallet.lots}
    total = 0
    for t in takes:
        if t.amount <= 0:
            continue
        total += t.amount
        if t.lot_id in held:
            change.lot_takes[t.lot_id] = change.lot_takes.get(t.lot_id, 0) - t.amount
            continue
        for i, lot in enumerate(change.new_lots):
            if lot.lot_id == t.lot_id:
                change.new_lots[i] = replace(
                    lot, amount=lot.amount + t.amount, remaining=lot.remaining + t.amount
                )
                break
        else:
            ref_of = t.lot_id.partition(":")[2]
            change.new_lots.append(
                Lot(t.lot_id, t.source, ref_of, t.amount, t.amount, t.earned_at, t.expires_at)
            )
    if total:
        change.entries.append(Entry("release", total, at, ref))
        expire_due(current_lots(wallet, change), now, change)
    return total


def settle(wallet: Wallet, now: datetime, change: Change) -> None:
    """What every plan does first: holds whose time ran out are released (voided by themselves),
    then whatever is past its expiry leaves the balance."""
    for hold in sorted(wallet.holds, key=lambda h: (h.expires_at, h.redemption_id)):
        if hold.expires_at <= now and hold.redemption_id not in change.closed_holds:
            release(wallet, hold.takes, hold.redemption_id, hold.expires_at, now, change)
            change.closed_holds[hold.redemption_id] = "lapsed"
    expire_due(current_lots(wallet, change), now, change)


def plan_purchase(
    wallet: Wallet, order_id: str, amount: int, occurred: datetime, terms: Terms, now: datetime
) -> tuple[Change, Earned]:
    """Settle what expired, then earn the order's cashback as a lot of its own."""
    change = Change()
    settle(wallet, now, change)
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


def _spend(wallet: Wallet, amount: int, ref: str, now: datetime) -> tuple[Change, tuple[Take, ...]] | None:
    """Settle, then take `amount` from the soonest-expiring open lots (a `redeem` entry); None when
    the balance is short. Also what was taken from each lot, so it can go back where it came from."""
    change = Change()
    settle(wallet, now, change)
    lots = current_lots(wallet, change)
    before = dict(change.lot_takes)
    if take(lots, amount, now, change) < amount:
        return None
    change.entries.append(Entry("redeem", -amount, now, ref))
    by_id = {lot.lot_id: lot for lot in lots}
    takes = tuple(
        Take(
            lot_id,
            n - before.get(lot_id, 0),
            by_id[lot_id].earned_at,
            by_id[lot_id].expires_at,
            by_id[lot_id].source,
        )
        for lot_id, n in change.lot_takes.items()
        if n > before.get(lot_id, 0)
    )
    return change, takes


def plan_redeem(wallet: Wallet, amount: int, ref: str, now: datetime) -> tuple[Change, dict[str, int]] | None:
    """Spend `amount` from the soonest-expiring open lots; None when the balance is short (nothing
    spent). Also returns what was taken from each lot (lot_id -> amount)."""
    planned = plan_spend(wallet, amount, ref, now)
    if planned is None:
        return None
    change, takes = planned
    return change, {t.lot_id: t.amount for t in takes}


def plan_spend(
    wallet: Wallet, amount: int, ref: str, now: datetime
) -> tuple[Change, tuple[Take, ...]] | None:
    """A redemption captured at once: `plan_redeem` with the takes in full (for refunds to return)."""
    return _spend(wallet, amount, ref, now)


def plan_hold(
    wallet: Wallet, amount: int, ref: str, now: datetime, until: datetime
) -> tuple[Change, Hold] | None:
    """Reserve `amount` at checkout: it leaves the balance at once (a `redeem` entry) exactly as a
    redemption does, and the wallet remembers where it came from until `until`."""
    planned = _spend(wallet, amount, ref, now)
    if planned is None:
        return None
    change, takes = planned
    hold = Hold(ref, amount, until, takes)
    change.new_holds.append(hold)
    return change, hold


def plan_capture(wallet: Wallet, redemption_id: str, now: datetime) -> tuple[Change, str]:
    """Keep a held amount for good: `captured`; `lapsed` when its time ran out (this change then
    releases it, as every plan does with lapsed holds); `absent` when the wallet holds no such hold."""
    change = Change()
    settle(wallet, now, change)
    if change.closed_holds.get(redemption_id) == "lapsed":
        return change, "lapsed"
    if not any(hold.redemption_id == redemption_id for hold in wallet.holds):
        return change, "absent"
    change.closed_holds[redemption_id] = "captured"
    return change, "captured"


def plan_void(wallet: Wallet, redemption_id: str, now: datetime) -> tuple[Change, str]:
    """Let a hold go: its credit returns to the lots it came from (`voided`); `lapsed` when its time
    had already run out (released by the settling all the same); `absent` when there is no such hold."""
    change = Change()
    settle(wallet, now, change)
    if change.closed_holds.get(redemption_id) == "lapsed":
        return change, "lapsed"
    hold = next((h for h in wallet.holds if h.redemption_id == redemption_id), None)
    if hold is None:
        return change, "absent"
    release(wallet, hold.takes, redemption_id, now, now, change)
    change.closed_holds[redemption_id] = "voided"
    return change, "voided"


@dataclass(frozen=True)
class OrderFacts:
    """What a refund needs to know of the order it refunds."""

    amount: int
    cashback: int
    refunded_amount: int
    reversal_due: int
    lot_id: str | None


@dataclass(frozen=True)
class Spent:
    """Credit a captured redemption spent on the order being refunded, and how much of it has
    already come back through earlier refunds."""

    redemption_id: str
    amount: int
    takes: tuple[Take, ...]
    restored: int = 0


@dataclass(frozen=True)
class Reversal:
    reversed_now: int
    owed: int  # cashback owed back by this refund (what could not be taken stays unrecovered)
    due_total: int
    restored: dict[str, int] = field(default_factory=dict)  # redemption_id -> credit returned now

    @property
    def credit_restored(self) -> int:
        return sum(self.restored.values())


def restore_due(spent: int, order_amount: int, refunded_total: int) -> int:
    """Spent credit owed back once `refunded_total` of the order is refunded (proportional, floored)."""
    return reversal_due(spent, order_amount, refunded_total)


def slice_takes(takes: Sequence[Take], start: int, amount: int) -> list[Take]:
    """Units [start, start + amount) of a redemption's takes, latest expiry first: partial refunds
    return the longest-lived credit first, and successive refunds continue where the last stopped,
    so no lot gets back more than was taken from it."""
    ordered = sorted(takes, key=lambda t: (t.expires_at, t.earned_at, t.lot_id), reverse=True)
    out: list[Take] = []
    position = 0
    for t in ordered:
        low, high = max(start, position), min(start + amount, position + t.amount)
        if high > low:
            out.append(replace(t, amount=high - low))
        position += t.amount
    return out


def plan_refund(
    wallet: Wallet,
    order: OrderFacts,
    refunded_total: int,
    ref: str,
    now: datetime,
    spent: Sequence[Spent] = (),
) -> tuple[Change, Reversal]:
    """Return the refunded part's share of the credit spent on the order to the lots it came from
    (a `release` entry per redemption), then take back the cashback of the refunded part,
    proportionally; never below a zero balance. Restoring first lets the reversal recover the
    cashback from credit the refund itself gives back."""
    change = Change()
    settle(wallet, now, change)
    restored: dict[str, int] = {}
    for redemption in sorted(spent, key=lambda r: r.redemption_id):
        give = restore_due(redemption.amount, order.amount, refunded_total) - redemption.restored
        if give > 0:
            release(
                wallet,
                slice_takes(redemption.takes, redemption.restored, give),
                redemption.redemption_id,
                now,
                now,
                change,
            )
            restored[redemption.redemption_id] = give
    due_total = reversal_due(order.cashback, order.amount, refunded_total)
    owed = due_total - order.reversal_due
    reversed_now = reverse(current_lots(wallet, change), order.lot_id, owed, now, change)
    if reversed_now:
        change.entries.append(Entry("reverse", -reversed_now, now, ref))
    return change, Reversal(reversed_now, owed, due_total, restored)


def plan_expire(wallet: Wallet, now: datetime) -> Change:
    """What is past its expiry leaves the balance."""
    change = Change()
    settle(wallet, now, change)
    return change


def plan_grant(
    wallet: Wallet, kind: str, amount: int, ref: str, now: datetime, expires_at: datetime
) -> tuple[Change, str]:
    """Credit granted by the engine or the merchant (a gift): a lot of its own with its expiry."""
    change = Change()
    settle(wallet, now, change)
    lot_id = lot_id_for(kind, ref)
    change.new_lots.append(Lot(lot_id, kind, ref, amount, amount, now, expires_at))
    change.entries.append(Entry(kind, amount, now, ref))
    return change, lot_id


def plan_adjust(
    wallet: Wallet, amount: int, ref: str, now: datetime, expires_at: datetime
) -> tuple[Change, str | None] | None:
    """A merchant's correction of a balance (one signed `adjust` entry), after settling what is due.

    Positive: a lot of its own (`adjust:<ref>`) expiring at `expires_at`, like a gift. Negative:
    taken from the soonest-expiring open lots as a redemption is; None when the balance is short
    (nothing changes), so an adjustment never takes the balance below zero. Held credit is out of
    the balance already and is never taken. Returns the lot created (None for a debit)."""
    change = Change()
    settle(wallet, now, change)
    if amount > 0:
        lot_id = lot_id_for("adjust", ref)
        change.new_lots.append(Lot(lot_id, "adjust", ref, amount, amount, now, expires_at))
        change.entries.append(Entry("adjust", amount, now, ref))
        if expires_at <= now:  # the caller refuses this; kept exact should one slip through
            change.lot_takes[lot_id] = amount
            change.entries.append(Entry("expire", -amount, expires_at, lot_id))
        return change, lot_id
    if take(current_lots(wallet, change), -amount, now, change) < -amount:
        return None
    if amount:
        change.entries.append(Entry("adjust", amount, now, ref))
    return change, None
