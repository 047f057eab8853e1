"""The metrics schedule: fold the merchant's timeline, from where the last run stopped, into its aggregates.

Every wallet operation writes one record, listed on the merchant's timeline (ActivityIndex, one
partition a day, sorted by `recorded_at#kind#customer`). A run reads that timeline forward from the
cursor kept in the merchant's metrics item, fetches the records it lists in BatchGetItem pages, and
folds them in:

- wallet figures straight from the ledger entries each record carries;
- for orders and refunds, the customer's contribution (cohort, return windows, gaps; see
  `contribution.py`), re-derived from their snapshot: the item beside their profile that holds their
  orders compactly and the part they last added to the aggregates. The old part is taken out and the
  new one put in, so late and out-of-order activity stays exact.

A run's work is bounded by what is new: it never reads a customer's whole history, and a repeat run
with nothing new reads the cursor and one empty timeline page per day partition, and writes nothing.
It stops between pages when its time budget is spent; what it folded is committed with the cursor,
and the next run continues from there.

Exactly once: the merchant's state (aggregates, cursor) and the snapshots of the customers it folded
are written in one transaction, conditional on the state as read. A run that fails or loses a race
leaves both as they were, and the records it read are read again by the next run.
"""

from __future__ import annotations

import base64
import json
import math
import secrets
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from vafa.insight.metrics import aggregate
from vafa.insight.metrics.contribution import Order, contribution
from vafa.jobs.budget import Budget, Unlimited
from vafa.merchants import ProgramStore, list_merchants
from vafa.messaging import counters
from vafa.program import Program
from vafa.store import keys as k
from vafa.store.models import (
    Item,
    MerchantItem,
    MetricsItem,
    NotificationItem,
    OrderItem,
    RefundItem,
    WalletRecord,
)
from vafa.store.table import connection, ensure_configured
from vafa.timeutil import iso, parse_instant
from vafa.wallet.store import batch_get

METRICS_SK = "METRICS"
PACKED = "z:"
VERSION = 2  # of the merchant's state; a state of another shape is rebuilt from the timeline
PAGE = 100  # timeline keys per Query page = records per BatchGetItem
# Snapshots committed with the state in one TransactWriteItems (100 items, 4 MB at most).
CHUNK = 99
CHUNK_BYTES = 3_000_000
# The timeline is a GSI, eventually consistent: a record may show up a moment after its recorded_at
# (and its request's own duration). The cursor never passes this far behind the run's time; what a
# run folds from the last seconds is remembered by key, so the next run skips it.
SETTLE = timedelta(seconds=5)
# Boundaries are compared with `recorded_at` as strings: `2026-01-02T` sorts before every instant of
# that day, `2026-01-02T~` after them all, and `<boundary>$` before every `<recorded_at>#…` key that
# is later than the boundary ('$' follows '#').
_AFTER = "$"


def pack(value: dict[str, Any]) -> str:
    """JSON, deflated and base64'd: years of daily figures stay far below DynamoDB's 400 KB item limit."""
    raw = json.dumps(value, separators=(",", ":")).encode()
    return PACKED + base64.b64encode(zlib.compress(raw, 6)).decode()


def unpack(data: str) -> dict[str, Any]:
    if data.startswith(PACKED):
        data = zlib.decompress(base64.b64decode(data[len(PACKED) :])).decode()
    loaded: dict[str, Any] = json.loads(data)
    return loaded


def _load(pk: str) -> tuple[dict[str, Any] | None, str | None]:
    try:
        item = MetricsItem.get(pk, METRICS_SK, consistent_read=True)
    except MetricsItem.DoesNotExist:
        return None, None
    return unpack(item.data), item.updated_at


# -- one customer's snapshot ------------------------------------------------------------------------
@dataclass
class Snapshot:
    """A customer's orders as the metrics know them, and the part they add to the aggregates."""

    part: dict[str, Any] = field(default_factory=dict)
    orders: dict[str, list[int]] = field(default_factory=dict)  # id -> [occurred (epoch s), amount, refunded]
    pending: dict[str, int] = field(default_factory=dict)  # refunds seen before their order
    fresh: list[str] = field(default_factory=list)  # orders folded since the last commit (attribution)

    @classmethod
    def read(cls, item: Item | None, generation: str) -> Snapshot:
        """A snapshot of another generation (a rebuild started since) counts as none: its part is
        not in the aggregates being built."""
        if not isinstance(item, MetricsItem):
            return cls()
        data = unpack(item.data)
        if data.get("gen") != generation:
            return cls()
        return cls(
            data["part"],
            {str(row[0]): [int(v) for v in row[1:]] for row in data["orders"]},
            {str(key): int(v) for key, v in data.get("pending", {}).items()},
        )

    def dump(self, generation: str) -> str:
        body: dict[str, Any] = {
            "gen": generation,
            "part": self.part,
            "orders": [[order_id, *row] for order_id, row in sorted(self.orders.items())],
        }
        if self.pending:
            body["pending"] = self.pending
        return pack(body)

    def add_order(self, record: OrderItem) -> None:
        if record.order_id in self.orders:
            return  # one record per order; a snapshot never holds it twice
        occurred = int(parse_instant(record.occurred_at).timestamp())
        # Refunds count from their own records (the order's `refunded_amount` is today's total,
        # which may include refunds further along the timeline).
        refunded = self.pending.pop(record.order_id, 0)
        self.orders[record.order_id] = [occurred, int(record.amount), refunded]
        self.fresh.append(record.order_id)

    def add_refund(self, record: RefundItem) -> None:
        row = self.orders.get(record.order_id)
        if row is None:  # only when clocks disagree: the order's record comes later on the timeline
            self.pending[record.order_id] = self.pending.get(record.order_id, 0) + int(record.amount)
        else:
            row[2] += int(record.amount)

    def as_orders(self) -> list[Order]:
        return [
            Order(order_id, datetime.fromtimestamp(occurred, UTC), amount, refunded)
            for order_id, (occurred, amount, refunded) in self.orders.items()
        ]


def _attribute(
    merchant_id: str, customer_id: str, program: Program, new_orders: list[Order], agg: dict[str, Any]
) -> None:
    """Credit each new order to the message that brought the customer back (click first, else send)."""
    if not new_orders:
        return
    window = timedelta(days=program.attribution_window_days)
    notes = [
        n
        for n in Item.query(k.customer_pk(merchant_id, customer_id), Item.SK.startswith(k.NOTE_PREFIX))
        if isinstance(n, NotificationItem)
    ]
    for order in new_orders:
        start, end = iso(order.occurred_at - window), iso(order.occurred_at)
        clicked = [n for n in notes if n.clicked_at and start <= n.clicked_at <= end]
        sent = [n for n in notes if n.status == "sent" and n.sent_at and start <= n.sent_at <= end]
        held = [n for n in notes if n.reason == "holdout" and start <= n.at <= end]
        chosen = (
            max(clicked, key=lambda n: n.clicked_at or "")
            if clicked
            else (max(sent, key=lambda n: n.sent_at or "") if sent else None)
        )
        keys = []
        if chosen is not None:
            keys = [chosen.message_kind] + ([f"campaign:{chosen.campaign_id}"] if chosen.campaign_id else [])
            for key in keys:
                stats = agg["messages"].setdefault(key, {})
                stats["converted"] = stats.get("converted", 0) + 1
                stats["revenue"] = stats.get("revenue", 0) + order.amount - order.refunded
        for note in held:
            key = note.message_kind if not note.campaign_id else f"campaign:{note.campaign_id}"
            stats = agg["messages"].setdefault(key, {})
            stats["holdout_converted"] = stats.get("holdout_converted", 0) + 1


# -- one merchant's run ---------------------------------------------------------------------------
@dataclass
class Progress:
    """What a merchant's share of a run did."""

    customers: int = 0  # customers with a record folded
    records: int = 0
    cut_short: bool = False  # the budget ran out; the cursor says where the next run goes on


@dataclass
class Listed:
    """One record listed on the timeline."""

    recorded_at: str
    changes_orders: bool  # an order or a refund: the customer's snapshot is needed
    customer_id: str
    key: tuple[str, str]


class _Stop(Exception):
    """Another run committed this merchant's state meanwhile: its result stands, this one stops."""


class Fold:
    """One merchant's fold: the state as read, the snapshots it touched, and the commits."""

    def __init__(self, merchant_id: str, program: Callable[[], Program], now: datetime) -> None:
        self.merchant_id = merchant_id
        self.program = program
        self.now = now
        self.mpk = k.merchant_pk(merchant_id)
        try:
            item = MetricsItem.get(self.mpk, METRICS_SK, consistent_read=True)
            self.token: str | None = item.updated_at
            state = unpack(item.data)
        except MetricsItem.DoesNotExist:
            self.token, state = None, {}
        self.exists = self.token is not None
        if state.get("v") != VERSION:
            # First run, or a state from before the timeline: build from the merchant's first day.
            # A new generation makes any snapshot left from an earlier build count as none.
            state = {
                "v": VERSION,
                "gen": secrets.token_hex(4),
                "agg": aggregate.empty(),
                # From the day before the merchant's creation: a record written around midnight by
                # a host whose clock is a little behind still lands in a partition that is read.
                "cursor": f"{(_created_on(merchant_id, now) - timedelta(days=1)).isoformat()}T",
                "beyond": [],
            }
            self.changed = True
        else:
            self.changed = False
        self.state = state
        self.generation: str = state["gen"]
        self.agg: dict[str, Any] = state["agg"]
        self.cursor: str = state["cursor"]  # every record recorded at or before it is folded
        # Folded records recorded after the cursor, by key -> recorded_at: skipped when read again.
        self.beyond: dict[tuple[str, str], str] = {(pk, sk): at for at, pk, sk in state["beyond"]}
        self.start = self.cursor  # where this run reads from (commits move the cursor, not this)
        self.done = self.cursor  # how far this run has read everything
        self.last_at: str | None = None  # recorded_at of the last record read
        self.snapshots: dict[str, Snapshot] = {}
        self.dirty: set[str] = set()
        self.touched: set[str] = set()
        self.records = 0

    # -- reading --------------------------------------------------------------------------------
    def days(self) -> list[str]:
        """Day partitions from the cursor's to the run's; none when the run is not past the cursor."""
        if iso(self.now) <= self.start:
            return []
        first, last = date.fromisoformat(_first_day(self.start)), self.now.date()
        return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]

    def listed(self, day: str) -> Iterator[Item]:
        """The day's timeline after the cursor and up to the run's time (keys and kind only)."""
        low = self.start + _AFTER if day == self.start[:10] else None
        high = iso(self.now) + _AFTER if day == self.now.date().isoformat() else None
        sk = WalletRecord.ActSK
        condition = (
            sk.between(low, high) if low and high else (sk > low) if low else (sk <= high) if high else None
        )
        return iter(
            WalletRecord.timeline.query(k.activity_pk(self.merchant_id, day), condition, page_size=PAGE)
        )

    def day_read(self, day: str) -> None:
        """Every record of the day up to the run's time is read."""
        self.done = max(self.done, min(f"{day}T~", iso(self.now)))

    def fold_page(self, listed: list[Item]) -> None:
        entries = []
        for item in listed:
            if not isinstance(item, WalletRecord) or not item.ActSK:
                continue
            recorded_at, _kind, _occurred, customer_id = k.timeline_parts(item.ActSK)
            # The index projects the type tag: the listed item is already an OrderItem, a RefundItem…
            changes_orders = isinstance(item, OrderItem | RefundItem)
            entries.append(Listed(recorded_at, changes_orders, customer_id, (item.PK, item.SK)))
        new = [e for e in entries if e.key not in self.beyond]
        # The records and the snapshots of customers whose orders they change, in BatchGetItem pages.
        wanted = [e.key for e in new]
        customers = {e.customer_id for e in new if e.changes_orders} - set(self.snapshots)
        wanted += [(k.customer_pk(self.merchant_id, c), METRICS_SK) for c in customers]
        found = batch_get(wanted) if wanted else {}
        for customer_id in customers:
            key = (k.customer_pk(self.merchant_id, customer_id), METRICS_SK)
            self.snapshots[customer_id] = Snapshot.read(found.get(key), self.generation)
        for entry in entries:
            if self.last_at is not None and entry.recorded_at > self.last_at:
                self.done = max(self.done, self.last_at)  # every record of the earlier instants is read
            self.last_at = entry.recorded_at
            if entry.key not in self.beyond:
                record = found.get(entry.key)
                if (
                    isinstance(record, OrderItem | RefundItem)
                    and entry.customer_id not in self.dirty
                    and self._full()
                ):
                    self.commit()  # between customers: the one about to be folded goes in the next
                if isinstance(record, WalletRecord):  # a record deleted since it was listed: nothing
                    self._fold(entry, record)
                self.beyond[entry.key] = entry.recorded_at
                self.records += 1
                self.touched.add(entry.customer_id)
                self.changed = True

    def _fold(self, entry: Listed, record: WalletRecord) -> None:
        for _seq, type_, amount, _balance, at, _ref in json.loads(record.entries or "[]"):
            aggregate.add_wallet(self.agg, str(at)[:10], str(type_), int(amount))
        if isinstance(record, OrderItem):
            self._snapshot(entry.customer_id).add_order(record)
            self.dirty.add(entry.customer_id)
        elif isinstance(record, RefundItem):
            self._snapshot(entry.customer_id).add_refund(record)
            self.dirty.add(entry.customer_id)

    def _snapshot(self, customer_id: str) -> Snapshot:
        """Read with the page's records; singly only if the listing's type tag did not announce it."""
        if customer_id not in self.snapshots:
            key = (k.customer_pk(self.merchant_id, customer_id), METRICS_SK)
            self.snapshots[customer_id] = Snapshot.read(batch_get([key]).get(key), self.generation)
        return self.snapshots[customer_id]

    def _full(self) -> bool:
        size = sum(len(self.snapshots[c].orders) * 40 + 300 for c in self.dirty)
        return len(self.dirty) >= CHUNK or size >= CHUNK_BYTES

    # -- writing --------------------------------------------------------------------------------
    def commit(self) -> None:
        """The folded customers' new parts, their snapshots and the state with the cursor, at once."""
        if not self.changed and _first_day(self._cursor()) <= _first_day(self.cursor):
            return  # nothing new, and no day partition left behind: a repeat run writes nothing
        program: Program | None = None
        for customer_id in sorted(self.dirty):
            snapshot = self.snapshots[customer_id]
            orders = snapshot.as_orders()
            part = contribution(orders)
            aggregate.apply(self.agg, snapshot.part, -1)
            aggregate.apply(self.agg, part, 1)
            snapshot.part = part
            fresh = set(snapshot.fresh)
            new = [o for o in orders if o.order_id in fresh and o.counts]
            snapshot.fresh.clear()
            if new:
                program = program or self.program()
                _attribute(self.merchant_id, customer_id, program, new, self.agg)
        cursor = self._cursor()
        beyond = sorted((at, pk, sk) for (pk, sk), at in self.beyond.items() if at > cursor)
        state = {**self.state, "agg": self.agg, "cursor": cursor, "beyond": beyond, "as_of": iso(self.now)}
        # A fresh token per commit: two runs at the same scheduled time (a replayed event) must not
        # both pass the condition.
        token = f"{iso(self.now)}/{secrets.token_hex(4)}"
        guard = MetricsItem.updated_at == self.token if self.exists else MetricsItem.PK.does_not_exist()
        try:
            with TransactWrite(connection=connection()) as tx:
                tx.save(
                    MetricsItem(self.mpk, METRICS_SK, data=pack(state), updated_at=token), condition=guard
                )
                for customer_id in sorted(self.dirty):
                    tx.save(
                        MetricsItem(
                            k.customer_pk(self.merchant_id, customer_id),
                            METRICS_SK,
                            data=self.snapshots[customer_id].dump(self.generation),
                            updated_at=iso(self.now),
                        )
                    )
        except TransactWriteError as exc:
            if exc.cause_response_code in ("TransactionCanceledException", "TransactionConflictException"):
                raise _Stop() from exc
            raise
        self.token, self.exists, self.state = token, True, state
        self.cursor = cursor
        self.beyond = {(pk, sk): at for at, pk, sk in beyond}
        self.dirty.clear()
        self.changed = False

    def _cursor(self) -> str:
        """As far as everything is read, but never within SETTLE of the run's time, nor backwards."""
        return max(self.cursor, min(self.done, iso(self.now - SETTLE)))


def _first_day(cursor: str) -> str:
    """The day partition a run starting from `cursor` reads first."""
    day = date.fromisoformat(cursor[:10])
    return (day + timedelta(days=1) if cursor.endswith("T~") else day).isoformat()


def fold_merchant(
    merchant_id: str,
    program: Callable[[], Program],
    now: datetime,
    budget: Budget | None = None,
    moved: list[bool] | None = None,
) -> Progress:
    """Fold the merchant's timeline up to `now`; stops between pages once `budget` is spent.

    `moved` is shared by a run's merchants: until the run has moved forward (folded a record, or
    read a past day partition to its end), the budget is not asked, so a run always makes progress
    however short its budget. Re-reading what the last run folded past the cursor is not progress."""
    ensure_configured()
    budget = budget or Unlimited()
    moved = moved if moved is not None else [False]
    fold = Fold(merchant_id, program, now)
    cut_short = False
    try:
        for day in fold.days():
            listed = fold.listed(day)
            while True:
                if moved[0] and budget.spent():
                    cut_short = True
                    break
                before = fold.records
                page = list(islice(listed, PAGE))  # one Query page: PAGE keys at most
                if not page:
                    break
                fold.fold_page(page)
                moved[0] = moved[0] or fold.records > before
                if len(page) < PAGE:
                    break
            if cut_short:
                break
            fold.day_read(day)
            # A past day read to its end moves the cursor to the next partition; today's does not.
            moved[0] = moved[0] or day < now.date().isoformat()
        fold.commit()
    except _Stop:
        return Progress()
    return Progress(len(fold.touched), fold.records, cut_short)


def run_for_merchant(merchant_id: str, program: Program, now: datetime, budget: Budget | None = None) -> int:
    """One merchant's run with no other merchant waiting; returns the customers with records folded."""
    return fold_merchant(merchant_id, lambda: program, now, budget).customers


def _created_on(merchant_id: str, now: datetime) -> date:
    """The first run starts from the merchant's creation: nothing can have happened before it."""
    try:
        created = MerchantItem.get(k.merchant_pk(merchant_id), k.MERCHANT).created_at
        return min(parse_instant(created).date(), now.date())
    except MerchantItem.DoesNotExist:
        return now.date()


def run_metrics(
    now: datetime, logger: Any = None, metrics: Any = None, budget: Budget | None = None
) -> dict[str, Any]:
    """Bring every merchant's aggregates up to `now`; one merchant's failure skips only that one.

    With a `budget`, the run stops between two pages when its time is up and says so (`cut_short`);
    the next run continues from each merchant's cursor. Merchants take turns at going first."""
    from vafa.jobs.isolation import Isolated

    if logger is None:
        import logging

        logger = logging.getLogger("vafa.insight.metrics")
    budget = budget or Unlimited()
    programs = ProgramStore(0)
    merchants = list_merchants()
    # The first merchant is chosen from the run's time, not its position in a fixed period: whatever
    # the schedule's rate, every merchant gets to go first.
    turn = zlib.crc32(iso(now).encode()) % len(merchants) if merchants else 0
    moved = [False]
    customers = records = 0
    cut_short = False
    run = Isolated()
    for merchant_id, progress in run.each_merchant(
        [*merchants[turn:], *merchants[:turn]],
        lambda m: fold_merchant(m, lambda: programs.get(m), now, budget, moved),
        logger,
    ):
        customers += progress.customers
        records += progress.records
        if progress.cut_short:
            cut_short = True
            logger.warning("metrics run cut short by its time budget", extra={"merchant_id": merchant_id})
            break
    return {
        "time": iso(now),
        "merchants": len(merchants),
        "customers_refreshed": customers,
        "records_folded": records,
        "cut_short": cut_short,
        **run.report(metrics),
    }


# Below this many customers in either group a lift is noise (a holdout of two gives "+50 pts"): the
# answer says `holdout_enough_data: false` and the panel shows "not enough data" instead of a number.
MIN_LIFT_SAMPLE = 30


def lift_interval(converted: int, sent: int, held_converted: int, held: int) -> list[float] | None:
    """A 95% interval of the lift (difference of two conversion rates, normal approximation)."""
    if not sent or not held:
        return None
    p1, p2 = converted / sent, held_converted / held
    spread = 1.96 * math.sqrt(p1 * (1 - p1) / sent + p2 * (1 - p2) / held)
    return [round(max(-1.0, p1 - p2 - spread), 4), round(min(1.0, p1 - p2 + spread), 4)]


def outcome_row(count: dict[str, int]) -> dict[str, Any]:
    """One message kind's or campaign's results; lift = return rate of the messaged minus the holdout's,
    with its 95% interval and whether both groups reach MIN_LIFT_SAMPLE."""
    sent, held = count.get("sent", 0), count.get("holdout", 0)
    converted, held_converted = count.get("converted", 0), count.get("holdout_converted", 0)
    lift = round(converted / sent - held_converted / held, 4) if sent and held else None
    extra = {
        "holdout_converted": held_converted,
        "holdout_lift_interval": lift_interval(converted, sent, held_converted, held),
        "holdout_enough_data": sent >= MIN_LIFT_SAMPLE and held >= MIN_LIFT_SAMPLE,
        "holdout_min_sample": MIN_LIFT_SAMPLE,
    }
    return {
        "sent": sent,
        "suppressed": count.get("suppressed", 0),
        "failed": count.get("failed", 0),
        "clicked": count.get("clicked", 0),
        "converted": converted,
        "revenue": count.get("revenue", 0),
        "holdout_lift": lift,
        "holdout_sample": {"messaged": sent, "holdout": held},
        "cost": count.get("cost", 0),
        "revenue_per_cost": round(count.get("revenue", 0) / count["cost"], 2) if count.get("cost") else None,
        **extra,
    }


def outcomes(merchant_id: str) -> dict[str, dict[str, int]]:
    """Counters and conversions per message kind and `campaign:<id>`, as of the last metrics run."""
    state, _ = _load(k.merchant_pk(merchant_id))
    conversions = (state or {}).get("agg", {}).get("messages", {})
    stats = counters.read(merchant_id)
    return {key: {**stats.get(key, {}), **conversions.get(key, {})} for key in set(stats) | set(conversions)}


def metrics_report(merchant_id: str, start: date, end: date) -> dict[str, Any]:
    """What `GET /v1/metrics` answers: the aggregates as of the last run, for the range."""
    ensure_configured()
    state, _ = _load(k.merchant_pk(merchant_id))
    state = state or {"agg": aggregate.empty(), "as_of": None}
    as_of = parse_instant(state["as_of"]).date() if state.get("as_of") else end
    body = {
        "as_of": state.get("as_of"),
        "from": start.isoformat(),
        "to": end.isoformat(),
        **aggregate.report(state["agg"], start, end, as_of),
    }
    stats = counters.read(merchant_id)
    conversions = state["agg"].get("messages", {})
    messages: dict[str, Any] = {}
    campaigns: dict[str, Any] = {}
    for key in sorted(set(stats) | set(conversions)):
        row = outcome_row({**stats.get(key, {}), **conversions.get(key, {})})
        if key.startswith("campaign:"):
            campaigns[key.split(":", 1)[1]] = row
        else:
            messages[key] = row
    body["messages"] = messages
    body["campaigns"] = campaigns
    from vafa.insight import feedback  # totals kept as answers arrive, not folded from the timeline

    body["feedback"] = feedback.summary(merchant_id, start, end)
    return body
