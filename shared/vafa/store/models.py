"""PynamoDB models of the single table; one discriminated base so mixed queries come back typed."""

from __future__ import annotations

from typing import Any, TypeVar

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

_M = TypeVar("_M", bound="Item")


class PhoneIndex(GlobalSecondaryIndex[_M]):
    """GSI1, overloaded: customers by phone (`M#m#PHONE#e164` → customer id) and each customer's
    ledger (`M#m#L#customer` → the first sequence number a wallet record carries).

    Generic in the model declaring it: its queries return that model. Its projection is the one the
    deployed table has (a projection cannot change without replacing the index); the ledger reads
    the records themselves after the Query.
    """

    class Meta:
        index_name = "GSI1"
        projection = IncludeProjection(["kind", "amount", "refunded_amount"])

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class DueIndex(GlobalSecondaryIndex["Item"]):
    """Scheduled work by due time (sparse: an item leaves the index once its work is done)."""

    class Meta:
        index_name = "DueIndex"
        projection = IncludeProjection(["kind"])  # the type tag, so typed queries can read it

    DuePK = UnicodeAttribute(hash_key=True)
    DueSK = UnicodeAttribute(range_key=True)


class ActivityIndex(GlobalSecondaryIndex["Item"]):
    """The merchant's timeline: every wallet record under the day it was recorded
    (`M#m#ACT#day` → `recorded_at#kind#customer`). The metrics job and the follow-ups of a purchase
    (feedback ask, win-back check) read it by time range; nothing is written to schedule them."""

    class Meta:
        index_name = "ActivityIndex"
        projection = IncludeProjection(["kind"])

    ActPK = UnicodeAttribute(hash_key=True)
    ActSK = UnicodeAttribute(range_key=True)


class MemberIndex(GlobalSecondaryIndex["Item"]):
    """Every customer of a merchant, sharded (campaign audiences, segment counts).

    The profile stores the figures that change with every purchase under short attribute names
    (`bal`, `n`, `spent`, `last`) that this projection does not name, so a purchase never writes
    to this index; audiences read the profiles they list in batches. The projection is the deployed
    one (changing it would replace the index)."""

    class Meta:
        index_name = "MemberIndex"
        projection = IncludeProjection(
            [
                "kind",
                "customer_id",
                "purchases_count",
                "total_spent",
                "first_purchase_at",
                "last_purchase_at",
                "balance",
                "birthday",
                "consent",
                "created_at",
            ]
        )

    MemberPK = UnicodeAttribute(hash_key=True)
    MemberSK = UnicodeAttribute(range_key=True)


class Item(Model):
    class Meta:
        table_name = "vafa"
        region = "us-east-1"
        host: str | None = None
        max_retry_attempts = 3
        connect_timeout_seconds = 2
        read_timeout_seconds = 5

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    DuePK = UnicodeAttribute(null=True)
    DueSK = UnicodeAttribute(null=True)
    due_index = DueIndex()


class MerchantItem(Item, discriminator="merchant"):
    merchant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    created_at = UnicodeAttribute()
    vapid_public_key = UnicodeAttribute(null=True)  # the private half is a SecureString in SSM


class MerchantRegistryItem(Item, discriminator="merchant_ref"):
    """One row per merchant under a fixed partition, so schedules can list merchants by Query."""

    merchant_id = UnicodeAttribute()


class ApiKeyItem(Item, discriminator="api_key"):
    merchant_id = UnicodeAttribute()
    key_kind = UnicodeAttribute()  # "secret" (server-to-server) or "site" (browser, public)
    hint = UnicodeAttribute()  # the last characters, to tell keys apart in listings
    created_at = UnicodeAttribute()
    revoked_at = UnicodeAttribute(null=True)


class ProgramItem(Item, discriminator="program"):
    settings = UnicodeAttribute()  # JSON document of the program settings
    updated_at = UnicodeAttribute()


class CustomerItem(Item, discriminator="customer"):
    """The customer's profile and wallet in one item, kept under 1 KB: its open credit lots ride in
    `lots` (compact JSON), so a purchase or a redemption writes this item and its own record only."""

    customer_id = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    locale = UnicodeAttribute(null=True)
    birthday = MapAttribute[str, Any](null=True)
    consent = MapAttribute[str, Any](null=True)
    # Short stored names: they keep the item small and out of MemberIndex's projection (see there).
    balance = NumberAttribute(default=0, attr_name="bal")
    seq = NumberAttribute(default=0)  # ledger sequence; every movement bumps it (optimistic lock)
    purchases_count = NumberAttribute(default=0, attr_name="n")
    total_spent = NumberAttribute(default=0, attr_name="spent")
    first_purchase_at = UnicodeAttribute(null=True)
    last_purchase_at = UnicodeAttribute(null=True, attr_name="last")
    lots = UnicodeAttribute(null=True)  # JSON [[id, source, amount, remaining, earned, expires]] (epoch s)
    next_expiry = UnicodeAttribute(null=True, attr_name="nx")  # soonest expires_at among open lots and holds
    # Open checkout holds, JSON [[redemption id, amount, expires (epoch s), [[lot, n, earned, expires,
    # source], …]]]: a plan releases a lapsed one in the same write that settles expired lots.
    holds = UnicodeAttribute(null=True, attr_name="hd")
    purchase_times = UnicodeAttribute(null=True, attr_name="pt")  # JSON epoch seconds of the last purchases
    closed_carts = UnicodeAttribute(null=True, attr_name="cc")  # JSON: the last carts a purchase closed
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    version = VersionAttribute()  # every write of the profile is conditional on the version it read
    phone_index: PhoneIndex[CustomerItem] = PhoneIndex()
    MemberPK = UnicodeAttribute(null=True)  # every customer: the merchant's member list, sharded
    MemberSK = UnicodeAttribute(null=True)
    member_index = MemberIndex()
    # The birthday, by calendar month-day (`M#m#DUE#birthday` → `jalali:12-29#customer`): set when
    # the birthday is, never by a purchase. (DuePK/DueSK carry the soonest credit expiry.)
    ActPK = UnicodeAttribute(null=True)
    ActSK = UnicodeAttribute(null=True)
    birthday_index = ActivityIndex()


class WalletRecord(Item):
    """What one wallet operation wrote: its ledger entries ride on it, so the operation's transaction
    is the profile plus this one item. Listed in the customer's ledger (GSI1) and on the merchant's
    timeline (ActivityIndex)."""

    customer_id = UnicodeAttribute()
    entries = UnicodeAttribute(null=True)  # JSON [[seq, type, amount, balance_after, at, ref]]
    recorded_at = UnicodeAttribute(null=True)
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    ledger_index: PhoneIndex[WalletRecord] = PhoneIndex()
    ActPK = UnicodeAttribute(null=True)
    ActSK = UnicodeAttribute(null=True)
    timeline = ActivityIndex()


class OrderItem(WalletRecord, discriminator="order"):
    """An order and its earn entry."""

    order_id = UnicodeAttribute()
    amount = NumberAttribute()
    cashback = NumberAttribute()
    lot_id = UnicodeAttribute(null=True)  # the lot its cashback went into
    occurred_at = UnicodeAttribute()
    cart_id = UnicodeAttribute(null=True)
    request_hash = UnicodeAttribute()
    response = UnicodeAttribute()
    refunded_amount = NumberAttribute(default=0)
    reversal_due = NumberAttribute(default=0)  # cashback owed back so far: floor(cashback*refunded/amount)
    reversed_amount = NumberAttribute(default=0)  # what actually left the balance
    fully_refunded = BooleanAttribute(default=False)


class RefundItem(WalletRecord, discriminator="refund"):
    refund_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    amount = NumberAttribute(default=0)  # of the order refunded
    request_hash = UnicodeAttribute()
    response = UnicodeAttribute()
    created_at = UnicodeAttribute()


class RedemptionItem(WalletRecord, discriminator="redemption"):
    redemption_id = UnicodeAttribute()
    amount = NumberAttribute()
    takes = UnicodeAttribute(
        null=True
    )  # JSON [[lot id, amount, earned, expires, source]]: where it came from
    order_id = UnicodeAttribute(null=True)
    request_hash = UnicodeAttribute()
    response = UnicodeAttribute()
    created_at = UnicodeAttribute()
    # held | captured | voided; None (records from before holds) means captured. While held, the
    # record is on the DueIndex under its expiry (`M#m#DUE#hold`), so the expiry run finds lapsed ones.
    status = UnicodeAttribute(null=True)
    hold_expires_at = UnicodeAttribute(null=True)
    settled_at = UnicodeAttribute(null=True)  # when it was captured or voided
    void_reason = UnicodeAttribute(null=True)  # void | lapsed


class SpentItem(Item, discriminator="spent"):
    """Credit a captured redemption spent on an order, in the order's partition (`SPENT#<id>`), so a
    refund of the order finds it with one consistent Query and returns its share."""

    redemption_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    amount = NumberAttribute()
    takes = UnicodeAttribute()  # as RedemptionItem.takes
    restored = NumberAttribute(default=0)  # returned by refunds of the order so far


class SettlementItem(WalletRecord, discriminator="settlement"):
    """Credit that expired (PK the customer, SK `SETTLE#seq`), or a gift granted once (PK the gift's
    guard key): the record of a wallet change no order or redemption stands for."""

    note = UnicodeAttribute(null=True)


class AdjustmentItem(WalletRecord, discriminator="adjustment"):
    """A merchant's manual correction of a balance (PK `M#m#ADJ#<adjustment_id>`): its `adjust`
    entry, the reason and who made it. Its key is the adjustment id, so a retry finds it."""

    adjustment_id = UnicodeAttribute()
    amount = NumberAttribute()  # signed
    reason = UnicodeAttribute()
    actor = UnicodeAttribute()  # "api_key:…abcd" or "dashboard:<user>"
    expires_at = UnicodeAttribute(null=True)  # the new lot's expiry, for a credit
    request_hash = UnicodeAttribute()
    response = UnicodeAttribute()
    created_at = UnicodeAttribute()


class NameKeyItem(Item, discriminator="name_key"):
    """One way to find a customer by name (PK the customer, SK `NAME#<i>`): on GSI1 under
    `M#m#NAME#<first letter>` → `<normalised name from word i>#<customer id>` (vafa.search). A slot the
    current name does not need keeps no GSI1 keys, so it leaves the index."""

    customer_id = UnicodeAttribute()
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    name_index: PhoneIndex[NameKeyItem] = PhoneIndex()


class DueItem(Item, discriminator="due"):
    """One customer's scheduled work of one kind (win-back, birthday, feedback), found by DueIndex."""

    due_kind = UnicodeAttribute()
    ref = UnicodeAttribute()
    due_at = UnicodeAttribute()
    data = UnicodeAttribute(null=True)  # JSON details the reminder needs


class CartItem(Item, discriminator="cart"):
    cart_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    items = UnicodeAttribute()  # JSON list of {sku, name, quantity, price}
    total = NumberAttribute()
    url = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute()
    closed_at = UnicodeAttribute(null=True)


class ContactItem(Item, discriminator="contact"):
    """How the customer may be reached: opt-outs per channel and recent marketing sends (the cap)."""

    opted_out = MapAttribute[str, Any](default=dict)
    marketing_sent = UnicodeAttribute(default="[]")  # JSON list of ISO times, newest last
    push_count = NumberAttribute(default=0)


class PushSubscriptionItem(Item, discriminator="push_subscription"):
    endpoint = UnicodeAttribute()
    p256dh = UnicodeAttribute()
    auth = UnicodeAttribute()
    created_at = UnicodeAttribute()


class LinkItem(Item, discriminator="link"):
    """What a short link in a message means (vafa.messaging.short_links); expires by TTL."""

    payload = UnicodeAttribute()  # JSON: purpose, merchant, customer, message id, target
    ttl = NumberAttribute()


class DedupeItem(Item, discriminator="dedupe"):
    """Exists once a message is decided: the guard that makes each message decided exactly once."""

    note_sk = UnicodeAttribute()


class NotificationItem(Item, discriminator="notification"):
    dedupe_key = UnicodeAttribute()
    notification_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    message_kind = UnicodeAttribute()
    channel = UnicodeAttribute(null=True)
    status = UnicodeAttribute()  # queued | sending | sent | failed | suppressed
    reason = UnicodeAttribute(null=True)
    at = UnicodeAttribute()
    body = UnicodeAttribute(null=True)
    subject = UnicodeAttribute(null=True)
    link = UnicodeAttribute(null=True)
    locale = UnicodeAttribute(null=True)
    ref = UnicodeAttribute(null=True)
    campaign_id = UnicodeAttribute(null=True)
    promotional = BooleanAttribute(default=True)
    attempts = NumberAttribute(default=0)
    claimed_at = UnicodeAttribute(null=True)
    sent_at = UnicodeAttribute(null=True)
    clicked_at = UnicodeAttribute(null=True)
    values = UnicodeAttribute(null=True)  # JSON of the display values, to render again on fallback
    provider_message_id = UnicodeAttribute(null=True)
    cost = NumberAttribute(null=True)  # what the gateway said it charged, in rials; None: not reported
    tried_channels = UnicodeAttribute(default="[]")


class FeedbackItem(Item, discriminator="feedback"):
    order_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    score = NumberAttribute()
    comment = UnicodeAttribute(null=True)
    at = UnicodeAttribute()
    # The customer's feedback, newest first, on GSI1 (`M#m#FBC#customer` → `at#order`; vafa.insight.feedback).
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    customer_index: PhoneIndex[FeedbackItem] = PhoneIndex()


class FeedbackStatsItem(Item, discriminator="feedback_stats"):
    """One day's feedback totals of a merchant (PK the merchant, SK `FBSTATS#day`), added to in the
    write that records each first answer, so the metrics read a range of days in one Query."""

    answers = NumberAttribute(default=0)  # not `count`: Model.count is PynamoDB's
    score_sum = NumberAttribute(default=0)
    promoters = NumberAttribute(default=0)  # 9-10
    passives = NumberAttribute(default=0)  # 7-8
    detractors = NumberAttribute(default=0)  # 0-6
    comments = NumberAttribute(default=0)


class MessageStatsItem(Item, discriminator="message_stats"):
    """Atomic message counters; written with raw UpdateItem ADDs (`vafa.messaging.counters`)."""


class MetricsItem(Item, discriminator="metrics"):
    """The merchant's aggregates (SK=METRICS) or one customer's last contribution (SK=METRICS)."""

    data = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class CursorItem(Item, discriminator="cursor"):
    """Where a scheduled reading of the timeline stopped (PK the merchant, SK `CURSOR#name`)."""

    position = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class CampaignItem(Item, discriminator="campaign"):
    """A campaign (PK=merchant, SK=CAMPAIGN#id); on the DueIndex while it waits to go out or is going."""

    campaign_id = UnicodeAttribute()
    name = UnicodeAttribute()
    segment = UnicodeAttribute()  # JSON of the segment definition
    channel = UnicodeAttribute(null=True)
    template = UnicodeAttribute()  # JSON {"fa": ..., "en": ...}
    url = UnicodeAttribute(null=True)
    send_at = UnicodeAttribute()
    status = UnicodeAttribute()  # scheduled | sending | sent | canceled
    created_at = UnicodeAttribute()
    request_hash = UnicodeAttribute()
    audience = NumberAttribute(default=0)  # customers in the segment when it went out (holdout included)
    decided = NumberAttribute(default=0)
    cursor = UnicodeAttribute(null=True)  # JSON: where a run that ran out of budget stopped
    started_at = UnicodeAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    canceled_at = UnicodeAttribute(null=True)
    version = VersionAttribute()


class BrowsingItem(Item, discriminator="browsing"):
    """One visitor's or customer's recent shop-page events in one bounded item (`SK = BROWSING`),
    and, while a browsing session waits for its nudge, its DueIndex key (vafa.messaging.browsing).
    A visitor's item that was linked to a customer keeps only `linked_to`."""

    events = ListAttribute[str](null=True)  # compact JSON each, oldest first
    started_at = UnicodeAttribute(null=True)  # the session's first product view, while one is open
    viewed_at = UnicodeAttribute(null=True)  # the session's latest product view
    viewed_url = UnicodeAttribute(null=True)  # the page of that product, where a nudge leads
    linked_to = UnicodeAttribute(null=True)  # on a visitor's item: the customer it was linked to


class RateItem(Item, discriminator="rate"):
    """A per-visitor-minute event counter (`SK = RATE#<minute>`), gone by TTL."""

    n = NumberAttribute(default=0)
    ttl = NumberAttribute()
