"""The reminder kinds: which customers are due, and the message each one gets.

Due work is found through keys already on the items a purchase writes — never through marker items
written to schedule it: the profile sits on the DueIndex under its soonest credit expiry (expiry
reminders) and on the ActivityIndex under its birthday; an order's record is on the merchant's
timeline, which the feedback ask and the win-back check read a fixed time behind `now`, each from
a cursor of its own. Every candidate carries a deterministic dedupe key, and the keys already
decided are skipped after one batched check, so late, repeated or out-of-order runs reach the same
outcome and a customer decided earlier costs no profile read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import jdatetime

from vafa.calendars import birthdays_on
from vafa.messaging.decide import Candidate
from vafa.messaging.due import customer_of, due_items
from vafa.messaging.winback import PERSONAL_MIN_DAYS, win_back_due_at
from vafa.program import Program
from vafa.store import keys as k
from vafa.store.models import CartItem, CursorItem, CustomerItem, DueItem, Item, OrderItem, WalletRecord
from vafa.store.table import ensure_configured
from vafa.timeutil import iso, parse_instant
from vafa.wallet.store import batch_get, lots_of

Emit = Callable[[CustomerItem, Candidate], object]
BIRTHDAY_LOOKBACK_DAYS = 3  # a run that comes late still greets those it missed
# A reader's first run (no cursor yet) looks this far behind its offset, and never before the
# merchant was created: the schedule runs every 15 minutes, so only a first run can be late.
FIRST_LOOKBACK = timedelta(days=2)
BACKDATE_SLACK = timedelta(days=2)  # an order recorded up to two days late still gets its follow-ups on time
IMPORTED_AFTER = timedelta(days=1)  # an order recorded this long after it happened is history


def _profiles(merchant_id: str, customer_ids: Sequence[str]) -> dict[str, CustomerItem]:
    """The customers' profiles in BatchGetItem pages of 100 (one request, not one per customer)."""
    wanted = list(dict.fromkeys(customer_ids))
    found = batch_get([(k.customer_pk(merchant_id, c), k.PROFILE) for c in wanted])
    profiles: dict[str, CustomerItem] = {}
    for c in wanted:
        item = found.get((k.customer_pk(merchant_id, c), k.PROFILE))
        if isinstance(item, CustomerItem):
            profiles[c] = item
    return profiles


def _decided(merchant_id: str, wanted: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (customer, dedupe key) pairs already have their message decided, in batched reads
    (100 keys a BatchGetItem): a customer inside a reminder window who was handled on an earlier run
    costs a share of one read, not a profile read and a refused decision, on every 15-minute run."""
    if not wanted:
        return set()
    keys = {(k.customer_pk(merchant_id, c), k.dedupe_sk(key)): (c, key) for c, key in wanted}
    return {keys[pk_sk] for pk_sk in batch_get(list(keys))}


def _local_date(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()


# --- The merchant's timeline, read behind `now` from a cursor -----------------------------------


@dataclass(frozen=True)
class Recorded:
    """A wallet record on the merchant's timeline, as its index entry tells it."""

    pk: str
    recorded_at: str
    occurred_at: str
    customer_id: str


def timeline(merchant_id: str, since: str, until: str, kind: str) -> Iterator[Recorded]:
    """The records of `kind` recorded in (since, until], oldest first, day partition by day partition."""
    ensure_configured()
    day = date.fromisoformat(since[:10])
    last = date.fromisoformat(until[:10])
    while day <= last:
        for entry in WalletRecord.timeline.query(
            k.activity_pk(merchant_id, day.isoformat()), WalletRecord.ActSK.between(since, f"{until}#\uffff")
        ):
            recorded, entry_kind, occurred, customer_id = k.timeline_parts(str(getattr(entry, "ActSK", "")))
            if entry_kind == kind and since < recorded <= until:
                yield Recorded(entry.PK, recorded, occurred, customer_id)
        day += timedelta(days=1)


def _merchant_created(merchant_id: str) -> str:
    """Just before the merchant was created: no record of theirs is older."""
    from vafa.store.models import MerchantItem

    try:
        created = MerchantItem.get(k.merchant_pk(merchant_id), k.MERCHANT).created_at
    except MerchantItem.DoesNotExist:
        return ""
    return iso(parse_instant(created) - timedelta(seconds=1))


class Window:
    """What a follow-up reader handles this run: records whose follow-up is due (happened at least
    `offset` ago), recorded since its cursor. The cursor moves to `now - offset`: every record
    recorded by then is due. Records recorded after it but back-dated enough are due too; they are
    read up to BACKDATE_SLACK ahead and come round again on the next run, where the batched dedupe
    check skips them."""

    def __init__(
        self, merchant_id: str, name: str, offset: timedelta, now: datetime, slack: timedelta = BACKDATE_SLACK
    ) -> None:
        ensure_configured()
        self.merchant_id = merchant_id
        self.key = (k.merchant_pk(merchant_id), f"CURSOR#{name}")
        self.until = iso(now - offset)
        self.reach = iso(min(now, now - offset + slack))
        self.now = now
        try:
            self.since = CursorItem.get(*self.key, consistent_read=True).position
        except CursorItem.DoesNotExist:
            self.since = max(_merchant_created(merchant_id), iso(now - offset - FIRST_LOOKBACK))

    def due(self, kind: str = "order") -> list[Recorded]:
        if self.reach <= self.since:
            return []
        return [
            r for r in timeline(self.merchant_id, self.since, self.reach, kind) if r.occurred_at <= self.until
        ]

    def done(self) -> None:
        """Everything recorded up to `until` was decided: the next run starts there (never moves back)."""
        if self.until > self.since:
            CursorItem(*self.key, position=self.until, updated_at=iso(self.now)).save()


# --- The kinds -----------------------------------------------------------------------------------


def expiry_reminders(merchant_id: str, program: Program, now: datetime, emit: Emit) -> int:
    """Credit expiring within N days (for each N of the program): one reminder per customer and date.

    The profile's DueIndex key is its soonest expiry, so the customers with credit expiring before
    the horizon are one Query; the reminder each is due is known from the key alone."""
    days = program.reminders.expiry_days_before
    if not days:
        return 0
    horizon = now + timedelta(days=max(days))
    expected: dict[str, tuple[date, int, str]] = {}
    for entry in due_items(merchant_id, "expiry", horizon, since=now):
        soonest_at, customer_id = str(entry.DueSK).split("#", 1)
        soonest = parse_instant(soonest_at)
        applicable = [n for n in days if soonest - timedelta(days=n) <= now]
        if applicable:
            # The most urgent applicable reminder only: a late run does not send the 3-day and 1-day together.
            n = min(applicable)
            expires_on = _local_date(soonest, program.timezone)
            expected[customer_id] = (expires_on, n, f"expiry_reminder#{expires_on.isoformat()}#{n}")
    done = _decided(merchant_id, [(c, key) for c, (_, _, key) in expected.items()])
    todo = [c for c, (_, _, key) in expected.items() if (c, key) not in done]
    profiles = _profiles(merchant_id, todo)
    sent = 0
    for customer_id in todo:
        customer = profiles.get(customer_id)
        if customer is None:
            continue
        expires_on, n, key = expected[customer_id]
        expiring = [
            lot
            for lot in lots_of(customer)
            if lot.open_at(now) and _local_date(lot.expires_at, program.timezone) == expires_on
        ]
        if not expiring:
            continue  # spent or moved since the index was read
        emit(
            customer,
            Candidate(
                kind="expiry_reminder",
                dedupe_key=key,
                ref=expires_on.isoformat(),
                values={
                    "amount": sum(lot.remaining for lot in expiring),
                    "balance": int(customer.balance),
                    "expires_on": expires_on,
                    "days": n,
                },
                target_url=program.shop_url,
            ),
        )
        sent += 1
    return sent


def _win_back(customer: CustomerItem, program: Program, due_at: datetime, now: datetime) -> Candidate:
    return Candidate(
        kind="win_back",
        dedupe_key=f"win_back#{customer.last_purchase_at}",
        ref=str(customer.last_purchase_at),
        values={"balance": int(customer.balance), "days": (now - due_at).days},
        target_url=program.shop_url,
    )


def win_backs(merchant_id: str, program: Program, now: datetime, emit: Emit) -> int:
    """Customers who drifted away: each order is looked at once, win-back-days after it was recorded
    (in personal mode, after the shortest rhythm that could apply); a customer who bought since is
    not due. A personal rhythm longer than that leaves a marker for its own time."""
    days = program.reminders.win_back_after_days
    if days is None:
        return 0
    personal = program.reminders.win_back_mode == "personal"
    window = Window(
        merchant_id, "win_back", timedelta(days=min(days, PERSONAL_MIN_DAYS) if personal else days), now
    )
    recorded = window.due()
    customers = [r.customer_id for r in recorded]
    settled = {r.customer_id for r in recorded if r.recorded_at <= window.until}  # past their checkpoint
    markers = {customer_of(entry): entry for entry in due_items(merchant_id, "win_back", now)}
    candidates = list(dict.fromkeys([*customers, *markers]))
    profiles = _profiles(merchant_id, candidates)
    due: dict[str, datetime] = {}
    for customer_id in candidates:
        customer = profiles.get(customer_id)
        due_at = win_back_due_at(program, customer) if customer is not None else None
        if due_at is not None and due_at <= now:
            due[customer_id] = due_at
        elif due_at is not None and personal and customer_id in settled and customer_id not in markers:
            _mark(merchant_id, customer_id, "win_back", due_at)  # their own rhythm: look again then
    done = _decided(merchant_id, [(c, f"win_back#{profiles[c].last_purchase_at}") for c in due])
    sent = 0
    for customer_id, due_at in due.items():
        customer = profiles[customer_id]
        if (customer_id, f"win_back#{customer.last_purchase_at}") not in done:
            emit(customer, _win_back(customer, program, due_at, now))
            sent += 1
    _decide_collected(emit)
    for customer_id, entry in markers.items():
        customer = profiles.get(customer_id)
        later = win_back_due_at(program, customer) if customer is not None else None
        if later is not None and later > now:
            _mark(merchant_id, customer_id, "win_back", later)
        else:
            entry.delete()
    _decide_collected(emit)
    window.done()
    return sent


def _mark(merchant_id: str, customer_id: str, kind: str, due_at: datetime) -> None:
    DueItem(
        k.customer_pk(merchant_id, customer_id),
        k.due_sk(kind),
        due_kind=kind,
        ref="",
        due_at=iso(due_at),
        DuePK=k.due_pk(merchant_id, kind),
        DueSK=f"{iso(due_at)}#{customer_id}",
    ).save()


def _birthday_keys(day: date) -> list[str]:
    """Index keys of the birthdays celebrated on `day`: both calendars, with the leap-day rule."""
    return [f"{calendar}:{month:02d}-{mday:02d}" for calendar, month, mday in birthdays_on(day)]


def _decide_collected(emit: Emit) -> None:
    """Have the collected messages decided before a cursor moves or a marker goes past them, so a
    run that dies between the two leaves nothing it found undecided (a plain callable decides at
    once and has nothing to flush)."""
    flush = getattr(emit, "flush", None)
    if callable(flush):
        flush()


def _birthday_ranges(keys: list[str]) -> list[tuple[str, str]]:
    """The few key ranges that hold `keys` (`calendar:MM-DD`): one per calendar, two when the days
    wrap round the year's end, so a run makes two or three Queries for its four days, not ten."""
    groups: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for key in keys:
        calendar_kind, month_day = key.split(":", 1)
        wraps = any(other.startswith(f"{calendar_kind}:12") for other in keys) and month_day < "07"
        groups[(calendar_kind, wraps)].append(key)
    return [(min(group), max(group)) for group in groups.values()]


def birthdays(merchant_id: str, program: Program, now: datetime, emit: Emit) -> int:
    """Greet customers on their birthday in the merchant's timezone, once a year, with the optional gift.

    A run looks at today and the days before it (a late run still greets those it missed); whoever
    was greeted on an earlier run is skipped after one batched check of the year's dedupe keys."""
    ensure_configured()
    today = _local_date(now, program.timezone)
    celebrated: dict[str, str] = {}  # index key -> the greeting's dedupe key (calendar and year)
    for back in range(BIRTHDAY_LOOKBACK_DAYS, -1, -1):  # the latest day wins a key seen twice
        day = today - timedelta(days=back)
        for key in _birthday_keys(day):
            calendar_kind = key.split(":", 1)[0]
            year = jdatetime.date.fromgregorian(date=day).year if calendar_kind == "jalali" else day.year
            celebrated[key] = f"birthday#{calendar_kind}#{year}"
    found: list[tuple[str, str]] = []  # (customer, dedupe key)
    for low, high in _birthday_ranges(list(celebrated)):
        for entry in CustomerItem.birthday_index.query(
            k.due_pk(merchant_id, "birthday"), CustomerItem.ActSK.between(f"{low}#", f"{high}#\uffff")
        ):
            key, _, customer_id = str(getattr(entry, "ActSK", "")).partition("#")
            if key in celebrated:
                found.append((customer_id, celebrated[key]))
    done = _decided(merchant_id, found)
    todo = [pair for pair in dict.fromkeys(found) if pair not in done]
    profiles = _profiles(merchant_id, [customer_id for customer_id, _ in todo])
    gift = program.reminders.birthday_gift_amount or 0
    sent = 0
    for customer_id, dedupe in todo:
        customer = profiles.get(customer_id)
        if customer is None or not customer.birthday:
            continue
        emit(
            customer,
            Candidate(
                kind="birthday",
                dedupe_key=dedupe,
                ref=dedupe.rsplit("#", 1)[1],
                values={"gift": gift, "balance": int(customer.balance)},
                target_url=program.shop_url,
            ),
        )
        sent += 1
    return sent


def abandoned_carts(merchant_id: str, program: Program, now: datetime, emit: Emit) -> int:
    import json

    entries = list(due_items(merchant_id, "cart", now))
    carts = [c for c in batch_get([(e.PK, e.SK) for e in entries]).values() if isinstance(c, CartItem)]
    profiles = _profiles(merchant_id, [cart.customer_id for cart in carts])
    sent = 0
    for cart in carts:
        customer = profiles.get(cart.customer_id)
        bought_since = customer is not None and (
            (customer.last_purchase_at or "") >= cart.updated_at
            or cart.cart_id in json.loads(customer.closed_carts or "[]")
        )
        if customer is not None and not cart.closed_at and not bought_since and int(cart.total) > 0:
            emit(
                customer,
                Candidate(
                    kind="abandoned_cart",
                    dedupe_key=f"abandoned_cart#{cart.cart_id}#{cart.updated_at}",
                    ref=cart.cart_id,
                    values={"cart_total": int(cart.total), "balance": int(customer.balance)},
                    target_url=cart.url or program.shop_url,
                ),
            )
            sent += 1
    _decide_collected(emit)
    for cart in carts:  # decided (or not due): off the due index
        cart.update(actions=[Item.DuePK.remove(), Item.DueSK.remove()])
    return sent


def feedback_requests(merchant_id: str, program: Program, now: datetime, emit: Emit) -> int:
    """Ask about each order `feedback_after_days` after it was recorded, unless it was refunded
    whole or is imported history; orders come from the timeline, in batches."""
    days = program.reminders.feedback_after_days
    if days is None:
        return 0
    offset = timedelta(days=days)
    window = Window(merchant_id, "feedback", offset, now)
    fresh = [
        r.pk
        for r in window.due()
        # Imported history is not asked about: the ask was due more than a day before it was recorded.
        if parse_instant(r.occurred_at) + offset >= parse_instant(r.recorded_at) - IMPORTED_AFTER
    ]
    orders = [
        item for item in batch_get([(pk, k.ORDER) for pk in fresh]).values() if isinstance(item, OrderItem)
    ]
    asked = [order for order in orders if not order.fully_refunded]
    done = _decided(merchant_id, [(o.customer_id, f"feedback_request#{o.order_id}") for o in asked])
    todo = [o for o in asked if (o.customer_id, f"feedback_request#{o.order_id}") not in done]
    profiles = _profiles(merchant_id, [o.customer_id for o in todo])
    sent = 0
    for order in todo:
        customer = profiles.get(order.customer_id)
        if customer is None:
            continue
        emit(
            customer,
            Candidate(
                kind="feedback_request",
                dedupe_key=f"feedback_request#{order.order_id}",
                ref=order.order_id,
                values={"order_id": order.order_id},
            ),
        )
        sent += 1
    _decide_collected(emit)
    window.done()
    return sent


def browse_abandoned(merchant_id: str, program: Program, now: datetime, emit: Emit) -> int:
    """Products viewed and nothing bought within the window: one nudge per browsing session.

    A session's item is on the DueIndex from its first product view (vafa.messaging.browsing); a
    session whose latest view is younger than the window is looked at again that long after it. A
    known customer who bought since the session began is not nudged; an anonymous visitor is decided
    as its stand-in (push only) and only when it has a browser to push to, so the many visitors who
    never subscribed cost an index entry and nothing else."""
    from vafa.messaging import browsing
    from vafa.store.models import BrowsingItem, ContactItem

    minutes = program.reminders.browse_abandoned_after_minutes
    entries = list(due_items(merchant_id, browsing.DUE_KIND, now))
    items = [
        item for item in batch_get([(e.PK, e.SK) for e in entries]).values() if isinstance(item, BrowsingItem)
    ]
    if minutes is None:  # turned off: what was waiting is let go
        for item in items:
            browsing.close_session(item)
        return 0
    window = timedelta(minutes=minutes)
    due: list[BrowsingItem] = []
    for item in items:
        owner = str(item.DueSK or "").split("#", 1)[-1]
        if not item.started_at or item.linked_to or not item.DueSK:
            browsing.close_session(item)
        elif item.viewed_at and parse_instant(item.viewed_at) + window > now:
            browsing.push_back(item, merchant_id, owner, parse_instant(item.viewed_at) + window)
        else:
            due.append(item)
    visitors = [item for item in due if browsing.is_visitor(merchant_id, item.PK)]
    reach = {
        contact.PK: int(contact.push_count or 0)
        for contact in ContactItem.batch_get([(item.PK, k.CONTACT) for item in visitors])
    }
    customers = [item for item in due if item not in visitors]
    profiles = _profiles(merchant_id, [customer_of(item) for item in customers])
    sent = 0
    for item in due:
        started = str(item.started_at)
        person: CustomerItem | None
        if browsing.is_visitor(merchant_id, item.PK):
            visitor_id = item.PK.removeprefix(browsing.visitor_prefix(merchant_id))
            person = browsing.visitor_stand_in(merchant_id, visitor_id) if reach.get(item.PK) else None
        else:
            person = profiles.get(customer_of(item))
            if person is not None and (person.last_purchase_at or "") >= started:
                person = None  # bought since the session began
        if person is None:
            continue
        emit(
            person,
            Candidate(
                kind="browse_abandoned",
                dedupe_key=f"browse_abandoned#{started}",
                ref=started,
                values={"balance": int(person.balance or 0)},
                target_url=item.viewed_url or program.shop_url,
            ),
        )
        sent += 1
    _decide_collected(emit)
    for item in due:  # decided (or not to be): the next product view opens a new session
        browsing.close_session(item)
    return sent
