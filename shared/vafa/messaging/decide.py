"""Deciding a message, once: holdout, consent, reachability, the weekly cap, quiet hours.

The decision itself is `decide(facts, program, candidate, now)`: pure, so every rule a merchant
would notice is tested without a table. `decide_batch` is the rim around it: it reads the contact
records of a whole batch in BatchGetItem calls, then for each message renders it and writes the
decision — queued, or suppressed with its reason — together with a dedupe guard in one transaction,
so re-running a schedule never decides twice; the counters of a batch are written once at its end.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, overload

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from vafa.messaging import counters, policy, render
from vafa.messaging.candidate import Candidate
from vafa.messaging.outbox import Outbox
from vafa.program import Program
from vafa.store import keys as k
from vafa.store.models import ContactItem, CustomerItem, DedupeItem, Item, NotificationItem
from vafa.store.table import connection, ensure_configured
from vafa.timeutil import iso, parse_instant

# A queued message no sender claimed by then is queued again (the outbox flush may have failed);
# two reminders runs apart, so a merely slow queue is not mistaken for a lost message.
STUCK_AFTER = timedelta(minutes=30)
RESEND_AFTER = timedelta(hours=1)  # and again after each release while it is still unclaimed
CHANNELS = ("sms", "email", "push")
KEEP_SENT = 20  # marketing times kept on the contact: far more than any weekly cap needs


@dataclass(frozen=True)
class Facts:
    """What the decision knows about one customer: read before deciding, so deciding reads nothing."""

    held_out: bool  # in the merchant's holdout group: receives nothing, so lift can be measured
    consent: frozenset[str]  # channels the profile consents to
    opted_out: frozenset[str] = frozenset()  # channels the customer opted out of since (contact record)
    has_phone: bool = False
    has_email: bool = False
    push_subscriptions: int = 0
    marketing_sent: tuple[datetime, ...] = ()  # recent marketing sends (and deferred ones), oldest first
    # Whether this is the local stack, where the development SMS provider counts as a gateway; a
    # deployment passes False, so a shop with no gateway never pretends to send by SMS.
    local_stack: bool = False


@dataclass(frozen=True)
class Decision:
    """`queued` (perhaps held until `send_after`, the end of quiet hours) or `suppressed` with a reason."""

    status: str
    reason: str | None
    channel: str | None
    note_sk: str | None = None  # the notification written for it; set by the rim once it is written
    send_after: datetime | None = None
    # The contact's recent marketing times once this message counts toward the cap; None: unchanged.
    marketing_sent: tuple[datetime, ...] | None = None


def channel_configured(program: Program, channel: str, local_stack: bool | None = None) -> bool:
    """Whether this merchant set the channel up. SMS needs a gateway; outside the local stack the
    development provider never counts, so a deployed shop with no gateway sends nothing by SMS.
    `local_stack` None reads the deployment's settings (for callers outside a decision)."""
    if channel != "sms":
        return True
    provider = program.sms.provider
    if provider == "local":
        if local_stack is None:
            from vafa.config import settings

            return settings().local_stack
        return local_stack
    return provider is not None


def _why_not(
    facts: Facts,
    order: Sequence[str],
    consent: dict[str, bool],
    reach: dict[str, bool],
    unconfigured: set[str],
) -> str:
    """Why no channel of `order` could carry the message: the reason the merchant can act on first."""
    if any(ch in facts.opted_out and reach.get(ch) for ch in order):
        return "opted_out"
    if any(consent.get(ch) and ch in unconfigured for ch in order):
        return "channel_not_configured"
    if any(consent.get(ch) for ch in order):
        return "unreachable"
    return "no_consent"


def _decide(facts: Facts, program: Program, candidate: Candidate, now: datetime) -> Decision:
    if facts.held_out:
        return Decision("suppressed", "holdout", None)
    marketing = policy.is_marketing(candidate.kind)
    consent = {ch: ch in facts.consent and ch not in facts.opted_out for ch in CHANNELS}
    reach = {"sms": facts.has_phone, "email": facts.has_email, "push": facts.push_subscriptions > 0}
    unconfigured = {ch for ch in CHANNELS if not channel_configured(program, ch, facts.local_stack)}
    for ch in unconfigured:  # nothing would leave: never pretend to send
        reach[ch] = False
    order = [candidate.channel] if candidate.channel else list(program.channel_order)
    channel = policy.choose_channel(order, consent, reach)
    if channel is None:
        return Decision("suppressed", _why_not(facts, order, consent, reach, unconfigured), None)
    if not marketing:  # a receipt is neither capped nor held back by quiet hours
        return Decision("queued", None, channel)
    if policy.cap_reached(facts.marketing_sent, now, program.max_marketing_messages_per_week):
        return Decision("suppressed", "frequency_cap", channel)
    send_after = None
    if program.quiet_hours is not None:
        send_after = policy.quiet_hours_release(
            now, program.timezone, program.quiet_hours.start, program.quiet_hours.end
        )
    # It counts toward the cap from now, even while it waits out the night: a burst of deferred
    # messages must not all slip under the cap and go out together in the morning.
    window_start, _ = policy.cap_window(now)
    recent = (*(t for t in facts.marketing_sent if t > window_start), now)[-KEEP_SENT:]
    return Decision(
        "queued",
        "quiet_hours" if send_after is not None else None,
        channel,
        send_after=send_after,
        marketing_sent=recent,
    )


@overload
def decide(facts: Facts, program: Program, candidate: Candidate, now: datetime) -> Decision: ...


@overload
def decide(
    merchant_id: str,
    program: Program,
    customer: CustomerItem,
    candidate: Candidate,
    now: datetime,
    outbox: Outbox,
    public_url: str,
    /,
) -> Decision | None: ...


def decide(
    facts: Facts | str,
    program: Program,
    candidate: Candidate | CustomerItem,
    now: datetime | Candidate,
    *rest: Any,
) -> Decision | None:
    """Decide one message from what is known of its customer, without reading or writing anything.

    The other form, `decide(merchant_id, program, customer, candidate, now, outbox, public_url)`,
    decides and writes one message through `decide_batch`; it stays only for the fault drill
    (vafa_dev.bench.faults) until that calls `decide_batch` itself."""
    if isinstance(facts, Facts) and isinstance(candidate, Candidate) and isinstance(now, datetime):
        if rest:
            raise TypeError("decide(facts, program, candidate, now) takes nothing more")
        return _decide(facts, program, candidate, now)
    if not (isinstance(candidate, CustomerItem) and isinstance(now, Candidate) and len(rest) == 3):
        raise TypeError("decide(merchant_id, program, customer, candidate, now, outbox, public_url)")
    at, outbox, public_url = rest
    return decide_batch(str(facts), program, [(candidate, now)], at, outbox, public_url)[0]


# -- the rim: reads before, writes after -------------------------------------------------------


def load_contact(merchant_id: str, customer_id: str) -> ContactItem:
    """One customer's contact record (a fresh, unsaved one if they have none yet)."""
    ensure_configured()
    try:
        return ContactItem.get(k.customer_pk(merchant_id, customer_id), k.CONTACT, consistent_read=True)
    except ContactItem.DoesNotExist:
        return _fresh_contact(merchant_id, customer_id)


def _fresh_contact(merchant_id: str, customer_id: str) -> ContactItem:
    return _fresh_contact_at(k.customer_pk(merchant_id, customer_id))


def _fresh_contact_at(pk: str) -> ContactItem:
    return ContactItem(pk, k.CONTACT, opted_out={}, marketing_sent="[]")


def _partition(merchant_id: str, customer: CustomerItem) -> str:
    """Where a message's records go: the customer's partition, or an anonymous visitor's when the
    candidate is a visitor's stand-in (vafa.messaging.browsing)."""
    from vafa.messaging.browsing import is_visitor

    pk = getattr(customer, "PK", None)
    if isinstance(pk, str) and is_visitor(merchant_id, pk):
        return pk
    return k.customer_pk(merchant_id, customer.customer_id)


def read_contacts(merchant_id: str, customer_ids: Sequence[str]) -> dict[str, ContactItem]:
    """The stored contact records of these customers, in BatchGetItem calls (PynamoDB pages them by
    100 and retries unprocessed keys); consistent, since the cap guard compares against what is read.
    Customers without one are absent."""
    ensure_configured()
    by_pk = {k.customer_pk(merchant_id, c): c for c in customer_ids}
    found: dict[str, ContactItem] = {}
    for item in ContactItem.batch_get([(pk, k.CONTACT) for pk in by_pk], consistent_read=True):
        found[by_pk[item.PK]] = item
    return found


def _plain(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    return dict(value.as_dict() if hasattr(value, "as_dict") else value)


def reachable(customer: CustomerItem, contact: ContactItem) -> dict[str, bool]:
    return {
        "sms": bool(customer.phone),
        "email": bool(customer.email),
        "push": int(contact.push_count or 0) > 0,
    }


def consented(customer: CustomerItem, contact: ContactItem) -> dict[str, bool]:
    consent = _plain(customer.consent)
    opted_out = _plain(contact.opted_out)
    return {ch: bool(consent.get(ch)) and not opted_out.get(ch) for ch in CHANNELS}


def facts_of(
    merchant_id: str, program: Program, customer: CustomerItem, contact: ContactItem, local_stack: bool
) -> Facts:
    """The decision's facts from the customer's profile and contact record."""
    return Facts(
        held_out=policy.in_holdout(merchant_id, customer.customer_id, program.holdout_percent),
        consent=frozenset(ch for ch, yes in _plain(customer.consent).items() if yes),
        opted_out=frozenset(ch for ch, yes in _plain(contact.opted_out).items() if yes),
        has_phone=bool(customer.phone),
        has_email=bool(customer.email),
        push_subscriptions=int(contact.push_count or 0),
        marketing_sent=tuple(parse_instant(t) for t in json.loads(contact.marketing_sent or "[]")),
        local_stack=local_stack,
    )


def notification_id(merchant_id: str, customer_id: str, dedupe_key: str) -> str:
    """One id per message: the merchant, the customer and what the message is about. It is the
    gateway's `localid` and the link's id, so two customers' messages must never share one."""
    return hashlib.sha256(f"{merchant_id}|{customer_id}|{dedupe_key}".encode()).hexdigest()[:20]


Counts = dict[tuple[str, str, str | None], int]


def decide_batch(
    merchant_id: str,
    program: Program,
    pairs: Sequence[tuple[CustomerItem, Candidate]],
    now: datetime,
    outbox: Outbox,
    public_url: str,
) -> list[Decision | None]:
    """Decide and write each message of the batch; None for one that was already decided earlier.

    Reads every contact record of the batch first (one BatchGetItem per 100 customers), then writes
    each decision in its own transaction and queues it; the suppressed and holdout counters of the
    whole batch go out in one write at the end. One message failing does not stop the others (their
    due markers may already be gone): the first error is raised once the rest are decided."""
    if not pairs:
        return []
    ensure_configured()
    from vafa.config import settings

    local_stack = settings().local_stack
    # Keyed by partition: an anonymous visitor's id may equal some customer's id.
    pks = [_partition(merchant_id, customer) for customer, _ in pairs]
    stored = {
        item.PK: item
        for item in ContactItem.batch_get(
            [(pk, k.CONTACT) for pk in dict.fromkeys(pks)], consistent_read=True
        )
    }
    tally: Counts = {}
    decisions: list[Decision | None] = []
    failure: Exception | None = None
    for pk, (customer, candidate) in zip(pks, pairs, strict=True):
        contact = stored.get(pk) or _fresh_contact_at(pk)
        exists = pk in stored
        try:
            facts = facts_of(merchant_id, program, customer, contact, local_stack)
            decision = _write(
                merchant_id, program, customer, candidate, now, public_url, facts, contact, exists
            )
        except Exception as exc:
            failure = failure or exc
            decisions.append(None)
            continue
        decisions.append(decision)
        if decision is None:
            continue
        if decision.marketing_sent is not None:
            # The next message of this batch for the same customer must see this send (the cap) and
            # guard against the list as it now stands.
            contact.marketing_sent = json.dumps([iso(t) for t in decision.marketing_sent])
            stored[pk] = contact
        if decision.status == "queued" and decision.send_after is None and decision.channel is not None:
            visitor = pk != k.customer_pk(merchant_id, customer.customer_id)
            outbox.add(
                decision.channel, merchant_id, customer.customer_id, str(decision.note_sk), visitor=visitor
            )
        if decision.status == "suppressed":
            _count(tally, (candidate.kind, "suppressed", candidate.campaign_id))
            if decision.reason == "holdout":
                _count(tally, (candidate.kind, "holdout", candidate.campaign_id))
    counters.bump_many(merchant_id, tally)
    if failure is not None:
        raise failure
    return decisions


def _count(tally: Counts, key: tuple[str, str, str | None]) -> None:
    tally[key] = tally.get(key, 0) + 1


def _write(
    merchant_id: str,
    program: Program,
    customer: CustomerItem,
    candidate: Candidate,
    now: datetime,
    public_url: str,
    facts: Facts,
    contact: ContactItem,
    contact_exists: bool,
) -> Decision | None:
    """Decide, render, and write the decision with its dedupe guard in one transaction."""
    decision = _decide(facts, program, candidate, now)
    cpk = _partition(merchant_id, customer)
    dedupe_sk = k.dedupe_sk(candidate.dedupe_key)
    nid = notification_id(merchant_id, customer.customer_id, candidate.dedupe_key)
    note_sk = k.note_sk(iso(now), nid)
    locale = customer.locale or program.default_locale
    message = render.message_for(
        merchant_id, program, customer, candidate, decision.channel or "sms", locale, nid, public_url
    )
    note = NotificationItem(
        cpk,
        note_sk,
        dedupe_key=candidate.dedupe_key,
        notification_id=nid,
        customer_id=customer.customer_id,
        message_kind=candidate.kind,
        channel=decision.channel,
        status=decision.status,
        reason=decision.reason,
        at=iso(now),
        body=message.body,
        subject=message.subject,
        link=message.link,
        values=message.parts,
        locale=locale,
        ref=candidate.ref,
        campaign_id=candidate.campaign_id,
        promotional=policy.is_marketing(candidate.kind),
    )
    if decision.status == "queued":
        # The outbox index: released at the end of quiet hours, or re-queued if no sender claims it.
        release = decision.send_after or (now + STUCK_AFTER)
        note.DuePK = k.due_pk(merchant_id, "outbox")
        note.DueSK = f"{iso(release)}#{customer.customer_id}#{nid}"
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.save(DedupeItem(cpk, dedupe_sk, note_sk=note_sk), condition=Item.PK.does_not_exist())
            tx.save(note)
            for link in message.link_items:  # its short links, so /r/{id} and /f/{id} resolve
                tx.save(link)
            if decision.marketing_sent is not None:
                recent = json.dumps([iso(t) for t in decision.marketing_sent])
                # Guarded by the list it read: two decisions at once cannot both slip under the cap.
                if contact_exists:
                    guard = ContactItem.marketing_sent == contact.marketing_sent
                    tx.update(contact, [ContactItem.marketing_sent.set(recent)], condition=guard)
                else:
                    fresh = _fresh_contact_at(cpk)
                    fresh.marketing_sent = recent
                    tx.save(fresh, condition=ContactItem.PK.does_not_exist())
    except TransactWriteError as exc:
        if exc.cause_response_code == "TransactionCanceledException":
            try:
                DedupeItem.get(cpk, dedupe_sk, consistent_read=True)
                return None  # decided before: exactly once
            except DedupeItem.DoesNotExist:
                raise exc from None
        raise
    return replace(decision, note_sk=note_sk)
