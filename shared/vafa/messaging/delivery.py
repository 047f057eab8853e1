"""Senders: claim a queued message, send it on its channel, record the outcome; never send twice.

A queue message may arrive twice; the claim is a conditional write (queued → sending), so only one
delivery proceeds. The claim is a lease timed by the wall clock: a delivery that finds another's
fresh claim comes back later (Retry) instead of dropping the message, and a claim whose holder died
(a crash, a Lambda timeout) lapses after RECLAIM_AFTER. Whether a lapsed claim was sent is unknown,
so it is settled, never resent blindly: asked of the gateway where it can tell (Kavenegar's
`localid`), otherwise ended as `failed` with the reason `delivery_unknown`. A gateway that took the
request and gave no answer is recorded the same way (status `unknown`) and settled on the next
delivery. Transient failures go back to the queue (partial batch response); permanent ones are
recorded as failed; an error in Vafa's own code before sending is retried and, past MAX_ATTEMPTS,
failed with its reason. A push subscription that is gone (404/410) is deleted and the message falls
back to the customer's next channel.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from vafa.merchants import ProgramStore
from vafa.messaging import policy
from vafa.messaging.channels import email as email_channel
from vafa.messaging.contacts import update_contact_at
from vafa.messaging.decide import consented, load_contact, reachable
from vafa.messaging.outbox import Outbox
from vafa.program import Program
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


class Ambiguous(Exception):
    """The gateway may have sent it: settle before anything else happens to this message."""


FINAL = ("sent", "failed", "suppressed")
DELIVERY_UNKNOWN = "delivery_unknown"


def wall_clock() -> datetime:
    """Claims are leases between running senders, an operational timer, so they use the real clock
    (not the event's time, which is the same for every redelivery of one SQS message)."""
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class Outcome:
    status: str  # sent | failed | skipped | fallback
    detail: str = ""


_programs = ProgramStore(30)


def _claim(note: NotificationItem, now: datetime) -> bool:
    """Take the message from the state it was read in; False when another delivery moved it first."""
    condition = NotificationItem.status == str(note.status)
    if note.claimed_at:
        condition &= NotificationItem.claimed_at == str(note.claimed_at)
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
    note: NotificationItem,
    status: str,
    reason: str | None,
    now: datetime,
    provider_id: str | None = None,
    cost: int | None = None,
) -> None:
    actions: list[Action] = [NotificationItem.status.set(status)]
    if cost is not None:
        actions.append(NotificationItem.cost.set(cost))
    actions.append(NotificationItem.reason.set(reason) if reason else NotificationItem.reason.remove())
    if status == "sent":
        actions.append(NotificationItem.sent_at.set(iso(now)))
    if provider_id:
        actions.append(NotificationItem.provider_message_id.set(provider_id))
    note.update(actions=actions)


def _requeue(note: NotificationItem, merchant_id: str, reason: str, now: datetime) -> None:
    from vafa.messaging.decide import STUCK_AFTER

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
) -> tuple[str, str, str | None, int | None]:
    from vafa.messaging.channels.sms.base import UNSUPPORTED_DESTINATION
    from vafa.messaging.channels.sms.factory import CHANNEL_NOT_CONFIGURED

    provider = _sms_provider(merchant_id, program, str(customer.phone))
    result = provider.send(
        str(customer.phone), str(note.body), local_id=note.notification_id, promotional=bool(note.promotional)
    )
    if result.status == "sent":
        return "sent", "", result.provider_message_id, result.cost
    if result.ambiguous:
        raise Ambiguous(result.reason)
    if result.retryable:
        raise Retry(result.reason)
    if result.reason in (UNSUPPORTED_DESTINATION, CHANNEL_NOT_CONFIGURED):  # try the next channel
        return "fallback", result.reason, None, None
    return "failed", result.reason or result.status, result.provider_message_id, None


def _sms_provider(merchant_id: str, program: Program, phone: str) -> Any:
    """The gateway this merchant's program sends `phone`'s messages through."""
    from vafa.messaging.channels.sms.factory import Routed, provider_for

    config = program.sms.model_dump()
    config["api_key_secret"] = merchant_secret_name(merchant_id, "sms-api-key")
    provider = provider_for(config, lambda name: get_parameter(name) or "")
    return provider.route(phone) if isinstance(provider, Routed) else provider


def _send_email(
    program: Program, customer: CustomerItem, note: NotificationItem, unsubscribe: str | None
) -> tuple[str, str, str | None, int | None]:
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
        from botocore.exceptions import ReadTimeoutError

        if isinstance(exc, ReadTimeoutError):  # SES may have taken it and cannot be asked
            raise Ambiguous(f"ses gave no answer: {type(exc).__name__}") from exc
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
        if code in ("Throttling", "ServiceUnavailable", "InternalFailure") or not code:
            raise Retry(str(code or exc)) from exc
        return "failed", code, None, None
    return "sent", "", message_id, None  # SES reports no price per message


def _send_push(
    merchant_id: str, program: Program, customer: CustomerItem, note: NotificationItem
) -> tuple[str, str, str | None, int | None]:
    from vafa.messaging.channels.push import send_push

    private_key = get_parameter(merchant_secret_name(merchant_id, "vapid-private-key"))
    if not private_key:
        return "failed", "no_vapid_key", None, None
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
            update_contact_at(customer.PK, [ContactItem.push_count.add(-1)])
        elif getattr(result, "retryable", False):
            transient = str(getattr(result, "reason", "transient"))
    if delivered:
        return "sent", "", None, None  # push services charge nothing
    if transient:
        raise Retry(transient)
    return ("fallback" if gone or not subscriptions else "failed"), "push_subscription_gone", None, None


def deliver(
    message: dict[str, Any],
    now: datetime,
    public_url: str,
    outbox: Outbox,
    clock: Callable[[], datetime] = wall_clock,
) -> Outcome:
    """Deliver one queued notification once; raises Retry for the queue to try again later."""
    ensure_configured()
    merchant_id, customer_id, note_sk = message["merchant_id"], message["customer_id"], message["note_sk"]
    try:
        if message.get("visitor"):
            # An anonymous visitor's nudge: its stand-in has no profile to read (vafa.messaging.browsing).
            from vafa.messaging.browsing import visitor_stand_in

            customer = visitor_stand_in(merchant_id, customer_id)
            note = NotificationItem.get(customer.PK, note_sk, consistent_read=True)
        else:
            cpk = k.customer_pk(merchant_id, customer_id)
            note = NotificationItem.get(cpk, note_sk, consistent_read=True)
            customer = CustomerItem.get(cpk, k.PROFILE, consistent_read=True)
    except Item.DoesNotExist:
        return Outcome("skipped", "unknown notification")
    if note.status in FINAL:
        return Outcome("skipped", f"already {note.status}")
    program = _programs.get(merchant_id)
    lease = clock()
    if note.status == "sending" and str(note.claimed_at or "") > iso(lease - RECLAIM_AFTER):
        raise Retry("another delivery holds this message")  # back later: never dropped
    if note.status in ("sending", "unknown"):
        settled = _settle(merchant_id, program, customer, note, now)
        if settled is not None:
            return settled
    if not _claim(note, lease):
        raise Retry("another delivery moved this message first")
    channel = str(note.channel)
    try:
        if channel == "sms":
            status, reason, provider_id, cost = _send_sms(merchant_id, program, customer, note)
        elif channel == "email":
            from vafa.messaging.render import opt_out_link

            unsubscribe = opt_out_link(public_url, merchant_id, customer_id, "email")
            status, reason, provider_id, cost = _send_email(program, customer, note, unsubscribe)
        else:
            status, reason, provider_id, cost = _send_push(merchant_id, program, customer, note)
    except Ambiguous as exc:
        note.update(
            actions=[NotificationItem.status.set("unknown"), NotificationItem.reason.set(f"ambiguous: {exc}")]
        )
        raise Retry(f"settle first: {exc}") from None
    except Retry as exc:
        return _retry_or_fail(merchant_id, note, str(exc), now)
    except Exception as exc:
        return _retry_or_fail(merchant_id, note, f"error: {type(exc).__name__}: {exc}"[:300], now)
    if status == "fallback":
        return _fall_back(merchant_id, program, customer, note, now, outbox)
    return _end(merchant_id, note, status, reason or None, now, provider_id, cost)


def _end(
    merchant_id: str,
    note: NotificationItem,
    status: str,
    reason: str | None,
    now: datetime,
    provider_id: str | None,
    cost: int | None = None,
) -> Outcome:
    _finish(note, status, reason, now, provider_id, cost)
    from vafa.messaging.counters import bump

    spent = {"cost": cost} if cost else None
    bump(
        merchant_id, note.message_kind, "sent" if status == "sent" else "failed", note.campaign_id, also=spent
    )
    return Outcome(status, reason or "")


def _retry_or_fail(merchant_id: str, note: NotificationItem, reason: str, now: datetime) -> Outcome:
    """Nothing left: back to the queue, or failed with the reason once MAX_ATTEMPTS are spent."""
    if int(note.attempts or 0) + 1 >= MAX_ATTEMPTS:
        return _end(
            merchant_id, note, "failed", f"gave up after {MAX_ATTEMPTS} attempts: {reason}", now, None
        )
    _requeue(note, merchant_id, f"retrying: {reason}", now)
    raise Retry(reason)


def _settle(
    merchant_id: str,
    program: Program,
    customer: CustomerItem,
    note: NotificationItem,
    now: datetime,
) -> Outcome | None:
    """A message that may have been sent (no answer, or a claim whose holder died). Ask the gateway
    where it can tell; None means it was not sent and may be sent now."""
    if str(note.channel) == "sms":
        provider = _sms_provider(merchant_id, program, str(customer.phone))
        lookup = getattr(provider, "lookup", None)
        if lookup is not None:
            found = lookup(note.notification_id)
            if found is None:
                return None
            if found.status == "sent":
                return _end(merchant_id, note, "sent", None, now, found.provider_message_id)
            if int(note.attempts or 0) + 1 >= MAX_ATTEMPTS:
                return _end(merchant_id, note, "failed", DELIVERY_UNKNOWN, now, None)
            note.update(actions=[NotificationItem.attempts.add(1)])
            raise Retry(f"settling: {found.reason}")
    # No way to ask (SMS.ir, SNS, SES, a lapsed push): visible as failed, never sent twice.
    return _end(merchant_id, note, "failed", DELIVERY_UNKNOWN, now, None)


def _fall_back(
    merchant_id: str,
    program: Program,
    customer: CustomerItem,
    note: NotificationItem,
    now: datetime,
    outbox: Outbox,
) -> Outcome:
    """The channel cannot reach the customer any more: try the next one in the program's order."""
    from vafa.messaging.browsing import is_visitor

    if is_visitor(merchant_id, customer.PK):  # an anonymous visitor has push alone
        return _end(merchant_id, note, "failed", "no_channel_left", now, None)
    tried = [*json.loads(note.tried_channels or "[]"), str(note.channel)]
    from vafa.messaging.decide import channel_configured

    contact = load_contact(merchant_id, customer.customer_id)
    reach = {ch: ok and channel_configured(program, ch) for ch, ok in reachable(customer, contact).items()}
    channel = policy.choose_channel(
        list(program.channel_order), consented(customer, contact), reach, exclude=tuple(tried)
    )
    if channel is None:
        _finish(note, "failed", "no_channel_left", now)
        from vafa.messaging.counters import bump

        bump(merchant_id, note.message_kind, "failed", note.campaign_id)
        return Outcome("failed", "no_channel_left")
    from vafa.messaging.render import render_again

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
