"""The reminder kinds: which customers are due, and the message each one gets.

Each function finds its due work through the DueIndex as of `now`, turns it into candidates with a
deterministic dedupe key, and clears the due entry once decided, so late, repeated or out-of-order
runs reach the same outcome.
"""

from __future__ import annotations

import calendar
import json
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import jdatetime

from vafa.calendars import ESFAND
from vafa.messaging.decide import Candidate
from vafa.messaging.due import customer_of, due_items, full, lots_expiring
from vafa.messaging.winback import win_back_due_at
from vafa.program import Program
from vafa.store import keys as k
from vafa.store.models import CartItem, CustomerItem, DueItem, Item, LotItem, OrderItem
from vafa.store.table import ensure_configured
from vafa.timeutil import iso, parse_instant

Emit = Callable[[CustomerItem, Candidate], object]
BIRTHDAY_LOOKBACK_DAYS = 3  # a run that comes late still greets those it missed


def _profile(merchant_id: str, customer_id: str) -> CustomerItem | None:
    ensure_configured()
    try:
        return CustomerItem.get(k.customer_pk(merchant_id, customer_id), k.PROFILE, consistent_read=True)
    except CustomerItem.DoesNotExist:
        return None


def _decided(merchant_id: str, wanted: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (customer, dedupe key) pairs already have their message decided, in batched reads
    (100 keys a BatchGetItem): a customer inside a reminder window who was handled on an earlier run
    costs a share of one read, not a profile read and a refused decision, on every 15-minute run."""
    if not wanted:
        return set()
    from vafa.wallet.store import batch_get

    keys = {(k.customer_pk(merchant_id, c), k.dedupe_sk(key)): (c, key) for c, key in wanted}
    return {keys[pk_sk] for pk_sk in batch_get(list(keys))}  # PynamoDB pages it by 100 keys


def _local_date(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()


def expiry_reminders(merchant_id: str, program: Program, now: datetime, emit: Emit) -> int:
    """Credit expiring within N days (for each N of the program): one reminder per customer and date."""
    days = program.reminders.expiry_days_before
    if not days:
        return 0
    horizon = now + timedelta(days=max(days))
    groups: dict[tuple[str, date], list[str]] = defaultdict(list)
    for customer_id, lot_sk in lots_expiring(merchant_id, now, horizon):
        expires_at = parse_instant(lot_sk.split("#")[1])
        groups[(customer_id, _local_date(expires_at, program.timezone))].append(lot_sk)
    # The reminder each group is due, as its lots' keys say; groups whose reminder was decided on an
    # earlier run are skipped after one batched check, before any lot or profile is read.
    expected: dict[tuple[str, date], str] = {}
    for (customer_id, expires_on), lot_keys in groups.items():
        earliest_key = min(parse_instant(sk.split("#")[1]) for sk in lot_keys)
        due = [n for n in days if earliest_key - timedelta(days=n) <= now]
        if due:
            expected[(customer_id, expires_on)] = f"expiry_reminder#{expires_on.isoformat()}#{min(due)}"
    done = _decided(merchant_id, [(c, key) for (c, _), key in expected.items()])
    sent = 0
    for (customer_id, expires_on), lot_keys in groups.items():
        if (customer_id, expected.get((customer_id, expires_on), "")) in done:
            continue
        lots = [full(Item(k.customer_pk(merchant_id, customer_id), sk)) for sk in lot_keys]
        open_lots = [lot for lot in lots if isinstance(lot, LotItem) and lot.remaining > 0]
        if not open_lots:
            continue
        earliest = min(parse_instant(lot.expires_at) for lot in open_lots)
        # The most urgent applicable reminder only: a late run does not send the 3-day and 1-day together.
        applicable = [n for n in days if earliest - timedelta(days=n) <= now]
        if not applicable:
            continue
        n = min(applicable)
        customer = _profile(merchant_id, customer_id)
        if customer is None:
            continue
        amount = sum(int(lot.remaining) for lot in open_lots)
        emit(
            customer,
            Candidate(
                kind="expiry_reminder",
                dedupe_key=f"expiry_reminder#{expires_on.isoformat()}#{n}",
                ref=expires_on.isoformat(),
                values={
                    "amount": amount,
                    "balance": int(customer.balance),
                    "expires_on": expires_on,
                    "days": n,
                },
                target_url=program.shop_url,
            ),
        )
        sent += 1
    return sent


def win_backs(merchant_id: str, program: Program, now: datetime, emit: Emit) -> int:
    sent = 0
    for entry in due_items(merchant_id, "win_back", now):
        marker = full(entry)
        customer = _profile(merchant_id, customer_of(entry))
        if isinstance(marker, DueItem) and customer is not None:
            due_at = win_back_due_at(program, customer)
            if due_at is not None and due_at <= now:
                emit(
                    customer,
                    Candidate(
                        kind="win_back",
                        dedupe_key=f"win_back#{customer.last_purchase_at}",
                        ref=str(customer.last_purchase_at),
                        values={"balance": int(customer.balance), "days": (now - due_at).days + 0},
                        target_url=program.shop_url,
                    ),
                )
                sent += 1
            elif due_at is not None:
                _move(marker, merchant_id, "win_back", due_at)
                continue
        if isinstance(marker, DueItem):
            _clear(marker)
    return sent


def _move(marker: DueItem, merchant_id: str, kind: str, due_at: datetime) -> None:
    marker.due_at = iso(due_at)
    marker.DuePK = k.due_pk(merchant_id, kind)
    marker.DueSK = f"{iso(due_at)}#{marker.PK.split('#C#', 1)[1]}"
    marker.save()


def _clear(item: Item) -> None:
    item.update(actions=[Item.DuePK.remove(), Item.DueSK.remove()])


def _birthday_keys(day: date) -> list[str]:
    """Index keys of the birthdays celebrated on `day`: both calendars, with the leap-day rules."""
    jalali = jdatetime.date.fromgregorian(date=day)
    keys = [f"jalali:{jalali.month:02d}-{jalali.day:02d}", f"gregorian:{day.month:02d}-{day.day:02d}"]
    if jalali.month == ESFAND and jalali.day == 29 and not jalali.isleap():
        keys.append("jalali:12-30")
    if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
        keys.append("gregorian:02-29")
    return keys


def birthdays(merchant_id: str, program: Program, now: datetime, emit: Emit) -> int:
    """Greet customers on their birthday in the merchant's timezone, once a year, with the optional gift."""
    ensure_configured()
    today = _local_date(now, program.timezone)
    sent = 0
    for back in range(BIRTHDAY_LOOKBACK_DAYS + 1):
        day = today - timedelta(days=back)
        for key in _birthday_keys(day):
            entries = list(
                Item.due_index.query(k.due_pk(merchant_id, "birthday"), Item.DueSK.startswith(f"{key}#"))
            )
            # A greeting is once a year per calendar: whoever was greeted on an earlier run (the day
            # and the three days after it all find them) is skipped after one batched check.
            kind = key.split(":", 1)[0]
            year = jdatetime.date.fromgregorian(date=day).year if kind == "jalali" else day.year
            done = _decided(merchant_id, [(customer_of(e), f"birthday#{kind}#{year}") for e in entries])
            for entry in entries:
                if (customer_of(entry), f"birthday#{kind}#{year}") in done:
                    continue
                customer = _profile(merchant_id, customer_of(entry))
                if customer is None or not customer.birthday:
                    continue
                given = dict(
                    customer.birthday.as_dict()
                    if hasattr(customer.birthday, "as_dict")
                    else customer.birthday
                )
                year = (
                    jdatetime.date.fromgregorian(date=day).year if given["calendar"] == "jalali" else day.year
                )
                gift = program.reminders.birthday_gift_amount or 0
                emit(
                    customer,
                    Candidate(
                        kind="birthday",
                        dedupe_key=f"birthday#{given['calendar']}#{year}",
                        ref=str(year),
                        values={"gift": gift, "balance": int(customer.balance)},
                        target_url=program.shop_url,
                    ),
                )
                sent += 1
    return sent


def abandoned_carts(merchant_id: str, program: Program, now: datetime, emit: Emit) -> int:
    sent = 0
    for entry in due_items(merchant_id, "cart", now):
        cart = full(entry)
        if not isinstance(cart, CartItem):
            continue
        customer = _profile(merchant_id, cart.customer_id)
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
        _clear(cart)
    return sent


def feedback_requests(merchant_id: str, program: Program, now: datetime, emit: Emit) -> int:
    sent = 0
    for entry in due_items(merchant_id, "feedback", now):
        marker = full(entry)
        if not isinstance(marker, DueItem):
            continue
        order_id = marker.ref
        customer = _profile(merchant_id, customer_of(entry))
        try:
            order = OrderItem.get(k.order_pk(merchant_id, order_id), k.ORDER)
            refunded = bool(order.fully_refunded)
        except OrderItem.DoesNotExist:
            refunded = True
        if customer is not None and not refunded:
            emit(
                customer,
                Candidate(
                    kind="feedback_request",
                    dedupe_key=f"feedback_request#{order_id}",
                    ref=order_id,
                    values={"order_id": order_id},
                ),
            )
            sent += 1
        marker.delete()
    return sent
