"""Deciding a message, once: holdout, consent, reachability, the weekly cap, quiet hours.

Every decision — queued, or suppressed with its reason — is written to the customer's delivery log
together with a dedupe guard in one transaction, so re-running a schedule never decides twice.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from vafa.messaging import policy, render
from vafa.messaging.candidate import Candidate
from vafa.messaging.outbox import Outbox
from vafa.program import Program
from vafa.store import keys as k
from vafa.store.models import ContactItem, CustomerItem, DedupeItem, Item, NotificationItem
from vafa.store.table import connection, ensure_configured
from vafa.timeutil import iso

# A queued message no sender claimed by then is queued again (the outbox flush may have failed);
# two reminders runs apart, so a merely slow queue is not mistaken for a lost message.
STUCK_AFTER = timedelta(minutes=30)
RESEND_AFTER = timedelta(hours=1)  # and again after each release while it is still unclaimed


@dataclass
class Decision:
    status: str
    reason: str | None
    channel: str | None
    note_sk: str | None


def load_contact(merchant_id: str, customer_id: str) -> ContactItem:
    ensure_configured()
    try:
        found = ContactItem.get(k.customer_pk(merchant_id, customer_id), k.CONTACT, consistent_read=True)
        found._loaded = True  # type: ignore[attr-defined]
        return found
    except ContactItem.DoesNotExist:
        return ContactItem(
            k.customer_pk(merchant_id, customer_id), k.CONTACT, opted_out={}, marketing_sent="[]"
        )


def _plain(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    return dict(value.as_dict() if hasattr(value, "as_dict") else value)


def _exists(contact: ContactItem) -> bool:
    """Whether the contact record was read from the table (a fresh one has no push_count stored)."""
    return bool(getattr(contact, "_loaded", False))


CHANNELS = ("sms", "email", "push")


def channel_configured(program: Program, channel: str) -> bool:
    """Whether this merchant set the channel up. SMS needs a gateway; outside the local stack the
    development provider never counts, so a deployed shop with no gateway sends nothing by SMS."""
    if channel != "sms":
        return True
    provider = program.sms.provider
    if provider == "local":
        from vafa.config import settings

        return settings().local_stack
    return provider is not None


def reachable(customer: CustomerItem, contact: ContactItem) -> dict[str, bool]:
    return {
        "sms": bool(customer.phone),
        "email": bool(customer.email),
        "push": int(contact.push_count or 0) > 0,
    }


def consented(customer: CustomerItem, contact: ContactItem) -> dict[str, bool]:
    consent = _plain(customer.consent)
    opted_out = _plain(contact.opted_out)
    return {ch: bool(consent.get(ch)) and not opted_out.get(ch) for ch in ("sms", "email", "push")}


def notification_id(merchant_id: str, customer_id: str, dedupe_key: str) -> str:
    """One id per message: the merchant, the customer and what the message is about. It is the
    gateway's `localid` and the link's id, so two customers' messages must never share one."""
    return hashlib.sha256(f"{merchant_id}|{customer_id}|{dedupe_key}".encode()).hexdigest()[:20]


def decide(
    merchant_id: str,
    program: Program,
    customer: CustomerItem,
    candidate: Candidate,
    now: datetime,
    outbox: Outbox,
    public_url: str,
) -> Decision | None:
    """Decide one message for one customer; None when it was already decided earlier."""
    cpk = k.customer_pk(merchant_id, customer.customer_id)
    dedupe_sk = k.dedupe_sk(candidate.dedupe_key)
    contact = load_contact(merchant_id, customer.customer_id)
    sent_before = contact.marketing_sent
    contact_exists = _exists(contact)
    marketing = candidate.kind in policy.MARKETING_KINDS
    sent_times = [
        datetime.fromisoformat(t.replace("Z", "+00:00")) for t in json.loads(contact.marketing_sent)
    ]
    status, reason, channel = "queued", None, None
    send_after: datetime | None = None
    if policy.in_holdout(merchant_id, customer.customer_id, program.holdout_percent):
        status, reason = "suppressed", "holdout"
    else:
        consent = consented(customer, contact)
        reach = reachable(customer, contact)
        unconfigured = [ch for ch in CHANNELS if not channel_configured(program, ch)]
        for ch in unconfigured:  # nothing would leave: never pretend to send
            reach[ch] = False
        order = [candidate.channel] if candidate.channel else list(program.channel_order)
        channel = policy.choose_channel(order, consent, reach)
        if channel is None:
            opted = _plain(contact.opted_out)
            if any(opted.get(ch) and reach.get(ch) for ch in order):
                reason = "opted_out"
            elif any(consent.get(ch) and ch in unconfigured for ch in order):
                reason = "channel_not_configured"
            elif any(consent.get(ch) for ch in order):
                reason = "unreachable"
            else:
                reason = "no_consent"
            status = "suppressed"
        elif marketing and policy.cap_reached(sent_times, now, program.max_marketing_messages_per_week):
            status, reason = "suppressed", "frequency_cap"
        elif program.quiet_hours is not None:
            send_after = policy.quiet_hours_release(
                now, program.timezone, program.quiet_hours.start, program.quiet_hours.end
            )
            if send_after is not None:
                reason = "quiet_hours"
    nid = notification_id(merchant_id, customer.customer_id, candidate.dedupe_key)
    note_sk = k.note_sk(iso(now), nid)
    locale = customer.locale or program.default_locale
    message = render.message_for(
        merchant_id, program, customer, candidate, channel or "sms", locale, nid, public_url
    )
    note = NotificationItem(
        cpk,
        note_sk,
        dedupe_key=candidate.dedupe_key,
        notification_id=nid,
        customer_id=customer.customer_id,
        message_kind=candidate.kind,
        channel=channel,
        status=status,
        reason=reason,
        at=iso(now),
        body=message.body,
        subject=message.subject,
        link=message.link,
        values=message.parts,
        locale=locale,
        ref=candidate.ref,
        campaign_id=candidate.campaign_id,
        promotional=marketing,
    )
    if status == "queued":
        # The outbox index: released at the end of quiet hours, or re-queued if no sender claims it.
        release = send_after or (now + STUCK_AFTER)
        note.DuePK = k.due_pk(merchant_id, "outbox")
        note.DueSK = f"{iso(release)}#{customer.customer_id}#{nid}"
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.save(DedupeItem(cpk, dedupe_sk, note_sk=note_sk), condition=Item.PK.does_not_exist())
            tx.save(note)
            for link in message.link_items:  # its short links, so /r/{id} and /f/{id} resolve
                tx.save(link)
            if status == "queued" and marketing:
                times = [iso(t) for t in sent_times if t > now - timedelta(days=7)] + [iso(now)]
                recent = json.dumps(times[-20:])
                # Guarded by the list it read: two decisions at once cannot both slip under the cap.
                if contact_exists:
                    guard = ContactItem.marketing_sent == sent_before
                    tx.update(contact, [ContactItem.marketing_sent.set(recent)], condition=guard)
                else:
                    contact.marketing_sent = recent
                    tx.save(contact, condition=ContactItem.PK.does_not_exist())
    except TransactWriteError as exc:
        if exc.cause_response_code == "TransactionCanceledException":
            try:
                DedupeItem.get(cpk, dedupe_sk, consistent_read=True)
                return None  # decided before: exactly once
            except DedupeItem.DoesNotExist:
                raise exc from None
        raise
    if status == "queued" and send_after is None and channel is not None:
        outbox.add(channel, merchant_id, customer.customer_id, note_sk)
    if status == "suppressed":
        from vafa.messaging.counters import bump

        bump(merchant_id, candidate.kind, "suppressed", candidate.campaign_id)
        if reason == "holdout":
            bump(merchant_id, candidate.kind, "holdout", candidate.campaign_id)
    return Decision(status, reason, channel, note_sk)
