"""Reads a customer's wallet and writes one wallet change as a single guarded transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from vafa.errors import Busy, ValidationFailed
from vafa.store import keys as k
from vafa.store.models import CustomerItem, Item, LedgerItem, LotItem
from vafa.store.table import connection, ensure_configured
from vafa.timeutil import iso, parse_instant
from vafa.wallet.domain import Change, Lot

MAX_TRANSACTION_ITEMS = 100


class Contended(Exception):
    """The transaction lost a race (a condition failed); re-read and decide again."""


def to_lot(item: LotItem) -> Lot:
    return Lot(
        lot_id=item.lot_id,
        source=item.source,
        ref=item.ref,
        amount=int(item.amount),
        remaining=int(item.remaining),
        earned_at=parse_instant(item.earned_at),
        expires_at=parse_instant(item.expires_at),
    )


def load_wallet(merchant_id: str, customer_id: str) -> tuple[CustomerItem | None, list[LotItem]]:
    """Profile and open lots in one Query: lot keys sort just before the profile key."""
    ensure_configured()
    profile: CustomerItem | None = None
    lots: list[LotItem] = []
    for item in Item.query(
        k.customer_pk(merchant_id, customer_id),
        Item.SK.between(k.LOT_PREFIX, k.PROFILE),
        consistent_read=True,
    ):
        if isinstance(item, CustomerItem):
            profile = item
        elif isinstance(item, LotItem):
            lots.append(item)
    return profile, lots


def batch_get(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Item]:
    """Several items of any kind in one BatchGetItem round trip, keyed by (PK, SK)."""
    ensure_configured()
    found: dict[tuple[str, str], Item] = {}
    for item in Item.batch_get(list(keys), consistent_read=True):
        found[(item.PK, item.SK)] = item
    return found


@dataclass
class WalletWrite:
    """Collects the items of one wallet operation; `commit` writes them all or nothing."""

    merchant_id: str
    profile: CustomerItem
    expected_seq: int | None  # None: the customer is new
    lots: dict[str, LotItem]  # lot_id -> stored lot, for the lots this change may touch
    lots_complete: bool  # all open lots were loaded, so next_expiry can be recomputed exactly
    change: Change
    recorded_at: datetime
    puts: list[tuple[Item, Condition | None]] = field(default_factory=list)
    updates: list[tuple[Item, list[Action], Condition | None]] = field(default_factory=list)

    def commit(self) -> int:
        """Write everything in one TransactWriteItems; returns the balance after. Raises Contended."""
        profile = self.profile
        balance, seq = int(profile.balance), int(profile.seq)
        cpk = k.customer_pk(self.merchant_id, profile.customer_id)
        ledger: list[LedgerItem] = []
        for entry in self.change.entries:
            seq += 1
            balance += entry.amount
            ledger.append(
                LedgerItem(
                    cpk,
                    k.ledger_sk(seq),
                    type=entry.type,
                    amount=entry.amount,
                    balance_after=balance,
                    at=iso(entry.at),
                    ref=entry.ref,
                    recorded_at=iso(self.recorded_at),
                )
            )
        if balance < 0:
            raise AssertionError("a wallet change may never take the balance below zero")
        deletes: list[tuple[LotItem, Condition]] = []
        lot_updates: list[tuple[LotItem, list[Action], Condition]] = []
        remaining_expiries: list[str] = []
        for lot_id, item in self.lots.items():
            taken = self.change.lot_takes.get(lot_id, 0)
            left = int(item.remaining) - taken
            if taken and left == 0:
                deletes.append((item, LotItem.remaining == int(item.remaining)))
            elif taken:
                lot_updates.append(
                    (item, [LotItem.remaining.set(left)], LotItem.remaining == int(item.remaining))
                )
            if left > 0:
                remaining_expiries.append(item.expires_at)
        new_lots: list[LotItem] = []
        for lot in self.change.new_lots:
            left = lot.remaining - self.change.lot_takes.get(lot.lot_id, 0)
            if left <= 0:
                continue
            expires = iso(lot.expires_at)
            remaining_expiries.append(expires)
            new_lots.append(
                LotItem(
                    cpk,
                    k.lot_sk(expires, lot.lot_id),
                    lot_id=lot.lot_id,
                    source=lot.source,
                    ref=lot.ref,
                    amount=lot.amount,
                    remaining=left,
                    earned_at=iso(lot.earned_at),
                    expires_at=expires,
                    DuePK=k.due_pk(self.merchant_id, "expiry"),
                    DueSK=f"{expires}#{profile.customer_id}#{lot.lot_id}",
                )
            )
        if self.lots_complete:
            profile.next_expiry = min(remaining_expiries) if remaining_expiries else None
        elif remaining_expiries:
            candidates = [*remaining_expiries, *([profile.next_expiry] if profile.next_expiry else [])]
            profile.next_expiry = min(candidates)
        profile.balance = balance
        profile.seq = seq
        # Listed under the day it changed, so the metrics job visits only customers with new activity.
        profile.ActPK = k.activity_pk(self.merchant_id, iso(self.recorded_at)[:10])
        profile.ActSK = profile.customer_id
        count = 1 + len(ledger) + len(deletes) + len(lot_updates) + len(new_lots) + len(self.puts)
        count += len(self.updates)
        if count > MAX_TRANSACTION_ITEMS:
            raise ValidationFailed(
                "this operation spans too many credit lots for one transaction; split the amount",
                field="amount",
                code="too_many_lots",
            )
        guard = (
            CustomerItem.PK.does_not_exist()
            if self.expected_seq is None
            else CustomerItem.seq == self.expected_seq
        )
        try:
            with TransactWrite(connection=connection()) as tx:
                tx.save(profile, condition=guard)
                for entry_item in ledger:
                    tx.save(entry_item, condition=LedgerItem.PK.does_not_exist())
                for lot_item, condition in deletes:
                    tx.delete(lot_item, condition=condition)
                for lot_item, actions, condition in lot_updates:
                    tx.update(lot_item, actions, condition=condition)
                for lot_item in new_lots:
                    tx.save(lot_item, condition=LotItem.PK.does_not_exist())
                for put_item, put_condition in self.puts:
                    tx.save(put_item, condition=put_condition)
                for update_item, update_actions, update_condition in self.updates:
                    tx.update(update_item, update_actions, condition=update_condition)
        except TransactWriteError as exc:
            code = exc.cause_response_code
            if code in ("TransactionCanceledException", "TransactionConflictException"):
                raise Contended(code) from exc
            if code in (
                "ThrottlingException",
                "ProvisionedThroughputExceededException",
                "RequestLimitExceeded",
            ):
                raise Busy("the wallet is busy; retry shortly") from exc
            raise
        return balance


def ledger_page(
    merchant_id: str, customer_id: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Ledger entries newest first; the cursor is the last sequence key returned."""
    ensure_configured()
    condition: Condition = LedgerItem.SK.startswith(k.LEDGER_PREFIX)
    if cursor:
        # Keys below a ledger key in a customer's partition are older ledger entries (filtered below).
        condition = Item.SK < cursor
    items = list(
        Item.query(
            k.customer_pk(merchant_id, customer_id),
            condition,
            scan_index_forward=False,
            limit=limit + 1,
        )
    )
    entries = [item for item in items if isinstance(item, LedgerItem)][: limit + 1]
    more = len(entries) > limit
    page = entries[:limit]
    rows = [
        {
            "type": e.type,
            "amount": int(e.amount),
            "balance_after": int(e.balance_after),
            "at": e.at,
            "ref": e.ref,
            "recorded_at": e.recorded_at,
        }
        for e in page
    ]
    return rows, (page[-1].SK if more and page else None)
