"""Reads a customer's wallet (one GetItem: the lots ride on the profile) and commits one planned
change as a single guarded transaction of two items: the profile and the operation's record."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from vafa.errors import Busy
from vafa.store import keys as k
from vafa.store.models import AdjustmentItem, CustomerItem, Item, RedemptionItem, WalletRecord
from vafa.store.table import connection, ensure_configured
from vafa.timeutil import iso, parse_instant
from vafa.wallet.domain import Change, Hold, Lot, Posted, Take, Wallet, post

T = TypeVar("T")
_IMAGE = "_vafa_image"  # the profile as read, so a commit writes only the attributes it changed
_UNDIFFED = {"PK", "SK", "kind", "version"}


class Contended(Exception):
    """The transaction lost a race (a condition failed); re-read and decide again."""


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _instant(seconds: int) -> datetime:
    from datetime import UTC

    return datetime.fromtimestamp(seconds, UTC)


def dump_lots(lots: Sequence[Lot]) -> str | None:
    """Open lots, compactly: about 40 bytes a lot keeps a profile with a dozen of them under 1 KB."""
    rows = [
        [lot.lot_id, lot.source, lot.amount, lot.remaining, _epoch(lot.earned_at), _epoch(lot.expires_at)]
        for lot in sorted(lots, key=lambda lot: (lot.expires_at, lot.earned_at, lot.lot_id))
        if lot.remaining > 0
    ]
    return json.dumps(rows, separators=(",", ":"), ensure_ascii=False) if rows else None


def lots_of(profile: CustomerItem) -> tuple[Lot, ...]:
    return tuple(
        Lot(
            str(lot_id),
            source,
            str(lot_id).partition(":")[2],
            int(amount),
            int(remaining),
            _instant(earned),
            _instant(expires),
        )
        for lot_id, source, amount, remaining, earned, expires in json.loads(profile.lots or "[]")
    )


def dump_holds(holds: Sequence[Hold]) -> str | None:
    """Open holds, compactly (a hold is short-lived: minutes, and one or two per checkout)."""
    rows = [
        [
            hold.redemption_id,
            hold.amount,
            _epoch(hold.expires_at),
            [[t.lot_id, t.amount, _epoch(t.earned_at), _epoch(t.expires_at), t.source] for t in hold.takes],
        ]
        for hold in sorted(holds, key=lambda h: (h.expires_at, h.redemption_id))
    ]
    return json.dumps(rows, separators=(",", ":"), ensure_ascii=False) if rows else None


def holds_of(profile: CustomerItem) -> tuple[Hold, ...]:
    return tuple(
        Hold(
            str(rid),
            int(amount),
            _instant(expires),
            tuple(
                Take(str(lot), int(n), _instant(earned), _instant(lot_expires), str(source))
                for lot, n, earned, lot_expires, source in takes
            ),
        )
        for rid, amount, expires, takes in json.loads(profile.holds or "[]")
    )


def takes_json(takes: Sequence[Take]) -> str:
    """A redemption's takes as its record keeps them: [[lot, n, earned, expires, source]]."""
    return json.dumps(
        [[t.lot_id, t.amount, iso(t.earned_at), iso(t.expires_at), t.source] for t in takes],
        separators=(",", ":"),
        ensure_ascii=False,
    )


def takes_from_json(text: str | None) -> tuple[Take, ...]:
    return tuple(
        Take(str(lot), int(n), parse_instant(earned), parse_instant(expires), str(source))
        for lot, n, earned, expires, source in json.loads(text or "[]")
    )


def wallet_of(profile: CustomerItem) -> Wallet:
    return Wallet(int(profile.balance), int(profile.seq), lots_of(profile), holds_of(profile))


def remember(profile: CustomerItem) -> CustomerItem:
    """Keep the image of a profile as read: the commit compares against it."""
    setattr(profile, _IMAGE, profile.serialize())
    return profile


def load_profile(merchant_id: str, customer_id: str) -> CustomerItem | None:
    """The profile, wallet included, in one consistent GetItem."""
    ensure_configured()
    try:
        found = CustomerItem.get(k.customer_pk(merchant_id, customer_id), k.PROFILE, consistent_read=True)
    except CustomerItem.DoesNotExist:
        return None
    return remember(found)


def batch_get(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Item]:
    """Several items of any kind in BatchGetItem round trips (100 keys each), keyed by (PK, SK)."""
    ensure_configured()
    found: dict[tuple[str, str], Item] = {}
    for item in Item.batch_get(list(keys), consistent_read=True):
        if isinstance(item, CustomerItem):
            remember(item)
        found[(item.PK, item.SK)] = item
    return found


def changed_actions(profile: CustomerItem) -> list[Action] | None:
    """SET/REMOVE of the attributes that differ from the image read; None for a profile never read."""
    before: dict[str, Any] | None = getattr(profile, _IMAGE, None)
    if before is None:
        return None
    after = profile.serialize()
    actions: list[Action] = []
    for name, attribute in CustomerItem.get_attributes().items():
        stored = attribute.attr_name
        if stored in _UNDIFFED or before.get(stored) == after.get(stored):
            continue
        value = getattr(profile, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    return actions


def sync_expiry_key(
    merchant_id: str, profile: CustomerItem, lots: Sequence[Lot], holds: Sequence[Hold] = ()
) -> None:
    """The profile sits on the DueIndex under the soonest expiry of an open lot, so the expiry run
    and the expiry reminders find the customer without any item of their own. next_expiry is the
    soonest of that and the open holds' lapse: a read settles when it has passed. (A hold's lapse
    stays off the profile's index key: the expiry reminders read that key as a lot's expiry; the
    held redemption record is on the index instead.)"""
    open_lots = [lot for lot in lots if lot.remaining > 0]
    soonest_lot = iso(min(lot.expires_at for lot in open_lots)) if open_lots else None
    moments = [m for m in (soonest_lot, *(iso(h.expires_at) for h in holds)) if m]
    profile.next_expiry = min(moments) if moments else None
    if soonest_lot:
        profile.DuePK = k.due_pk(merchant_id, "expiry")
        profile.DueSK = f"{soonest_lot}#{profile.customer_id}"
    else:
        profile.DuePK = profile.DueSK = None


def closing_actions(status: str, at: datetime) -> tuple[list[Action], Condition]:
    """A held redemption record once its hold is captured, voided or lapsed: its new status, and off
    the DueIndex; only ever from `held` (the guard makes a lost race fail instead of rewriting)."""
    actions: list[Action] = [
        RedemptionItem.status.set("captured" if status == "captured" else "voided"),
        RedemptionItem.settled_at.set(iso(at)),
        RedemptionItem.DuePK.remove(),
        RedemptionItem.DueSK.remove(),
    ]
    if status != "captured":
        actions.append(RedemptionItem.void_reason.set("lapsed" if status == "lapsed" else "void"))
    return actions, RedemptionItem.status == "held"


def entries_json(posted: Sequence[Posted]) -> str:
    return json.dumps(
        [[p.seq, p.type, p.amount, p.balance_after, iso(p.at), p.ref] for p in posted],
        separators=(",", ":"),
        ensure_ascii=False,
    )


@dataclass
class WalletWrite:
    """One wallet operation: the profile (with its lots) and the operation's record, all or nothing."""

    merchant_id: str
    profile: CustomerItem
    expected_seq: int | None  # None: the customer is new
    wallet: Wallet  # as read
    change: Change
    recorded_at: datetime
    record: WalletRecord | None = None
    record_condition: Condition | None = None
    updates: list[tuple[Item, list[Action], Condition | None]] = field(default_factory=list)
    puts: list[tuple[Item, Condition | None]] = field(default_factory=list)

    def commit(self) -> tuple[Wallet, list[Posted]]:
        """Write everything in one TransactWriteItems; returns the wallet after. Raises Contended."""
        after, posted = post(self.wallet, self.change)
        profile = self.profile
        profile.balance = after.balance
        profile.seq = after.seq
        profile.lots = dump_lots(after.lots)
        profile.holds = dump_holds(after.holds)
        sync_expiry_key(self.merchant_id, profile, after.lots, after.holds)
        # Every hold this change closed (captured, voided, or lapsed while settling) updates its
        # redemption record in the same transaction, whichever operation settled it.
        closing = [
            (
                RedemptionItem(k.redemption_pk(self.merchant_id, rid), k.REDEMPTION),
                *closing_actions(status, self.recorded_at),
            )
            for rid, status in sorted(self.change.closed_holds.items())
        ]
        record = self.record
        if record is not None:
            at = iso(self.recorded_at)
            record.customer_id = profile.customer_id
            record.recorded_at = at
            record.entries = entries_json(posted) if posted else None
            if posted:  # in the customer's ledger only when it moved money
                record.GSI1PK = k.ledger_pk(self.merchant_id, profile.customer_id)
                record.GSI1SK = k.ledger_sk(posted[0].seq)
            kind = str(
                WalletRecord.kind.get_discriminator(type(record))
            )  # order, redemption, refund, settlement
            record.ActPK = k.activity_pk(self.merchant_id, at[:10])
            occurred = getattr(record, "occurred_at", None)
            record.ActSK = k.timeline_sk(at, kind, profile.customer_id, occurred)
        actions = changed_actions(profile)
        try:
            with TransactWrite(connection=connection()) as tx:
                if self.expected_seq is None or actions is None:
                    guard = (
                        CustomerItem.PK.does_not_exist()
                        if self.expected_seq is None
                        else CustomerItem.seq == self.expected_seq
                    )
                    tx.save(profile, condition=guard)
                elif actions:
                    tx.update(profile, actions, condition=CustomerItem.seq == self.expected_seq)
                else:  # nothing changed on the profile: still guard the sequence the plan was made on
                    tx.condition_check(
                        CustomerItem, profile.PK, profile.SK, CustomerItem.seq == self.expected_seq
                    )
                if record is not None:
                    tx.save(record, condition=self.record_condition)
                for item, item_actions, condition in [*self.updates, *closing]:
                    tx.update(item, item_actions, condition=condition)
                for extra, extra_condition in self.puts:
                    tx.save(extra, condition=extra_condition)
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
        remember(profile)
        return after, posted


def commit_once(write: WalletWrite, stored: Callable[[], T | None]) -> T | None:
    """Commit `write`; when it loses to a racing copy of the same request (its record now exists),
    that copy's stored answer instead. None: this commit went through. Any other lost race is
    raised as Contended, to be planned again."""
    try:
        write.commit()
    except Contended:
        previous = stored()
        if previous is not None:
            return previous
        raise
    return None


def _rows(record: WalletRecord) -> list[dict[str, Any]]:
    rows = []
    for seq, type_, amount, balance_after, at, ref in json.loads(record.entries or "[]"):
        row = {
            "seq": int(seq),
            "type": type_,
            "amount": int(amount),
            "balance_after": int(balance_after),
            "at": at,
            "ref": ref,
            "recorded_at": record.recorded_at,
        }
        if type_ == "adjust" and isinstance(record, AdjustmentItem):
            # The merchant's own words and who wrote them ride on the record, not in every entry.
            row["reason"], row["by"] = record.reason, record.actor
        rows.append(row)
    return rows


def ledger_page(
    merchant_id: str, customer_id: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Ledger entries newest first; the cursor is the sequence number of the last entry returned.

    The customer's records are listed newest first from GSI1 and read in one batch; a record
    carries one or more entries, so a page may end inside a record and the next starts there."""
    ensure_configured()
    rest = (cursor or "").removeprefix(k.LEDGER_PREFIX)
    below = int(rest) if rest.isdigit() else None
    condition = WalletRecord.GSI1SK <= k.ledger_sk(below - 1) if below else None
    wanted = limit + 1
    rows: list[dict[str, Any]] = []
    listed = WalletRecord.ledger_index.query(
        k.ledger_pk(merchant_id, customer_id),
        condition,
        scan_index_forward=False,
        page_size=wanted,
    )
    keys: list[tuple[str, str]] = []
    for entry in listed:
        keys.append((entry.PK, entry.SK))
        if len(keys) >= wanted:
            break
    found = batch_get(keys)
    for key in keys:
        record = found.get(key)
        if isinstance(record, WalletRecord):
            rows.extend(row for row in _rows(record) if below is None or row["seq"] < below)
    rows.sort(key=lambda row: row["seq"], reverse=True)
    page = rows[:limit]
    more = len(rows) > limit
    return [{key: value for key, value in row.items() if key != "seq"} for row in page], (
        f"{k.LEDGER_PREFIX}{page[-1]['seq']}" if more and page else None
    )
