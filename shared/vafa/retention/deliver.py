"""Senders: claim a queued message, send it on its channel, record the outcome; never send twice.

A queue message may arrive twice; the claim is a conditional write (queued → sending), so only one
delivery proceeds. Transient failures go back to the queue (partial batch response); permanent ones
are recorded as failed. A push subscription that is gone (404/410) is deleted and the message falls
back to the customer's next channel.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from vafa.merchants import ProgramStore
from vafa.program import Program
from vafa.reminders import policy
from vafa.retention import email as email_channel
from vafa.retention.contacts import update_contact
from vafa.retention.decide import consented, load_contact, reachable
from vafa.retention.outbox import Outbox
from vafa.secrets import get_parameter, merchant_secret_name
from vafa.store import keys as k
from vafa.store.models import ContactItem, CustomerItem, Item, NotificationItem, PushSubscriptionItem
from vafa.store.table import ensure_configured
from vafa.timeutil import iso

RECLAIM_AFTER = timedelta(minutes=5)
# One message's push attempts together (up to 10 browsers, 3 s to connect and 5 s per read each)
# stop here, well inside the sender's timeout; what is left is retried by the queue.
PUSH_BUDGET_SECONDS = 20.0
MAX_ATTEMPTS = 8


class Retry(Exception):
    """A transient failure: the queue will deliver this message again."""


@dataclass
class Outcome:
    status: str  # sent | failed | skipped | fallback
    detail: str = ""


_programs = ProgramStore(30)


def _claim(note: NotificationItem, now: datetime) -> bool:
    stale = iso(now - RECLAIM_AFTER)
    condition = (NotificationItem.status == "queued") | (
        (NotificationItem.status == "sending") & (NotificationItem.claimed_at < stale)
    )
    try:
        note.update(
            actions=[
                NotificationItem.status.set("sending"),
                NotificationItem.claimed_at.set(iso(now)),
                NotificationItem.attempts.add(1),
                Item.DuePK.remove(),
                Item.DueSK.remove(),
            ],
            condition=condition,
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _finish(
    note: NotificationItem, status: str, reason: str | None, now: datetime, provider_id: str | None = None
) -> None:
    actions: list[Action] = [NotificationItem.status.set(status)]
    actions.append(NotificationItem.reason.set(reason) if reason else NotificationItem.reason.remove())
    if status == "sent":
        actions.append(NotificationItem.sent_at.set(iso(now)))
    if provider_id:
        actions.append(NotificationItem.provider_message_id.set(provider_id))
    note.update(actions=actions)


def _requeue(note: NotificationItem, merchant_id: str, reason: str, now: datetime) -> None:
    from vafa.retention.decide import STUCK_AFTER

    note.update(
        actions=[
            NotificationItem.status.set("queued"),
            NotificationItem.reason.set(reason),
            Item.DuePK.set(k.due_pk(merchant_id, "outbox")),
            Item.DueSK.set(f"{iso(now + STUCK_AFTER)}#{note.customer_id}#{note.notification_id}"),
        ]
    )


def _send_sms(
    merchant_id: str, program: Program, customer: CustomerItem, note: NotificationItem
) -> tuple[str, str, str | None]:
    from vafa.channels.sms.base import UNSUPPORTED_DESTINATION
    from vafa.channels.sms.factory import provider_for

    config = program.sms.model_dump()
    config["api_key_secret"] = merchant_secret_name(merchant_id, "sms-api-key")
    provider = provider_for(config, lambda name: get_parameter(name) or "")
    result = provider.send(
        str(customer.phone), str(note.body), local_id=note.notification_id, promotional=bool(note.promotional)
    )
    if result.status == "sent":
        return "sent", "", result.provider_message_id
    if result.retryable:
        raise Retry(result.reason)
    if result.reason == UNSUPPORTED_DESTINATION:  # no gateway of this merchant reaches the number
        return "fallback", result.reason, None
    return "failed", result.reason or result.status, result.provider_message_id


def _send_email(
    program: Program, customer: CustomerItem, note: NotificationItem, unsubscribe: str | None
) -> tuple[str, str, str | None]:
    raw = email_channel.build(
        program.email.from_address,
        program.shop_name,
        str(customer.email),
        note.subject or program.shop_name or "",
        str(note.body),
        unsubscribe,
        note.notification_id,
    )
    try:
        message_id = email_channel.send(
            email_channel.ses_client(), raw, program.email.from_address, str(customer.email)
        )
    except Exception as exc:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
        if code in ("Throttling", "ServiceUnavailable", "InternalFailure") or not code:
            raise Retry(str(code or exc)) from exc
        return "failed", code, None
    return "sent", "", message_id


def _send_push(
    merchant_id: str, program: Program, customer: CustomerItem, note: NotificationItem
) -> tuple[str, str, str | None]:
    from vafa.channels.push import send_push

    private_key = get_parameter(merchant_secret_name(merchant_id, "vapid-private-key"))
    if not private_key:
        return "failed", "no_vapid_key", None
    subject = f"mailto:{program.email.from_address}"
    payload = {
        "title": note.subject or program.shop_name or "",
        "body": note.body,
        "url": note.link or program.shop_url,
        "lang": note.locale or program.default_locale,
        "dir": "rtl" if (note.locale or program.default_locale) == "fa" else "ltr",
        "tag": f"vafa-{note.notification_id}",
    }
    delivered, gone, transient = 0, 0, ""
    started = time.monotonic()
    from vafa.config import settings

    loopback = settings().local_stack
    subscriptions = [
        s
        for s in PushSubscriptionItem.query(customer.PK, PushSubscriptionItem.SK.startswith(k.PUSH_PREFIX))
        if isinstance(s, PushSubscriptionItem)
    ]
    for sub in subscriptions:
        if time.monotonic() - started > PUSH_BUDGET_SECONDS:
            transient = transient or "push time budget spent"  # the rest next delivery
            break
        result = send_push(
            {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
            payload,
            private_key,
            subject,
            ttl=86400,
            timeout=5.0,
            allow_loopback=loopback,
        )
        outcome = getattr(result, "outcome", getattr(result, "status", ""))
        if outcome == "sent":
            delivered += 1
        elif outcome == "gone":
            gone += 1
            sub.delete()
            update_contact(merchant_id, customer.customer_id, [ContactItem.push_count.add(-1)])
        elif getattr(result, "retryable", False):
            transient = str(getattr(result, "reason", "transient"))
    if delivered:
        return "sent", "", None
    if transient:
        raise Retry(transient)
    return ("fallback" if gone or not subscriptions else "failed"), "push_subscription_gone", None


def deliver(message: dict[str, Any], now: datetime, public_url: str, outbox: Outbox) -> Outcome:
    """Deliver one queued notification; raises Retry for the queue to try again later."""
    ensure_configured()
    merchant_id, customer_id, note_sk = message["merchant_id"], message["customer_id"], message["note_sk"]
    cpk = k.customer_pk(merchant_id, customer_id)
    try:
        note = NotificationItem.get(cpk, note_sk, consistent_read=True)
        customer = CustomerItem.get(cpk, k.PROFILE, consistent_read=True)
    except Item.DoesNotExist:
        return Outcome("skipped", "unknown notification")
    if note.status not in ("queued", "sending") or not _claim(note, now):
        return Outcome("skipped", f"already {note.status}")
    program = _programs.get(merchant_id)
    channel = str(note.channel)
    try:
        if channel == "sms":
            status, reason, provider_id = _send_sms(merchant_id, program, customer, note)
        elif channel == "email":
            from vafa.retention.render import opt_out_link

            unsubscribe = opt_out_link(public_url, merchant_id, customer_id, "email")
            status, reason, provider_id = _send_email(program, customer, note, unsubscribe)
        else:
            status, reason, provider_id = _send_push(merchant_id, program, customer, note)
    except Retry as exc:
        if int(note.attempts or 0) + 1 >= MAX_ATTEMPTS:
            _finish(note, "failed", f"gave up after {MAX_ATTEMPTS} attempts: {exc}", now)
            from vafa.metrics.counters import bump

            bump(merchant_id, note.message_kind, "failed", note.campaign_id)
            return Outcome("failed", str(exc))
        _requeue(note, merchant_id, f"retrying: {exc}", now)
        raise
    if status == "fallback":
        return _fall_back(merchant_id, program, customer, note, now, outbox)
    _finish(note, status, reason or None, now, provider_id)
    from vafa.metrics.counters import bump

    bump(merchant_id, note.message_kind, "sent" if status == "sent" else "failed", note.campaign_id)
    return Outcome(status, reason)


def _fall_back(
    merchant_id: str,
    program: Program,
    customer: CustomerItem,
    note: NotificationItem,
    now: datetime,
    outbox: Outbox,
) -> Outcome:
    """The channel cannot reach the customer any more: try the next one in the program's order."""
    tried = [*json.loads(note.tried_channels or "[]"), str(note.channel)]
    contact = load_contact(merchant_id, customer.customer_id)
    channel = policy.choose_channel(
        list(program.channel_order),
        consented(customer, contact),
        reachable(customer, contact),
        exclude=tuple(tried),
    )
    if channel is None:
        _finish(note, "failed", "no_channel_left", now)
        from vafa.metrics.counters import bump

        bump(merchant_id, note.message_kind, "failed", note.campaign_id)
        return Outcome("failed", "no_channel_left")
    from vafa.retention.render import render_again

    again = render_again(
        note.message_kind, channel, note.locale or program.default_locale, note.values, bool(note.promotional)
    )
    text: list[Any] = []
    if again is not None:
        text.append(NotificationItem.body.set(again.body))
        subject = NotificationItem.subject
        text.append(subject.set(again.subject) if again.subject else subject.remove())
    note.update(
        actions=[
            *text,
            NotificationItem.channel.set(channel),
            NotificationItem.status.set("queued"),
            NotificationItem.reason.set(f"fallback_from_{note.channel}"),
            NotificationItem.tried_channels.set(json.dumps(tried)),
        ]
    )
    outbox.add(channel, merchant_id, customer.customer_id, note.SK)
    return Outcome("fallback", channel)
