"""Request and response bodies of the HTTP API, declared once: the routes check requests against these
and the OpenAPI document is generated from them (`vafa.records`)."""

# No `from __future__ import annotations`: the records' annotations are made once, at import, as
# objects msgspec reads directly; as strings, the first request would compile and evaluate each one.

from typing import Annotated, Any, Literal

from msgspec import field

from vafa.customers import BirthdayIn, ClientId, ProfileIn
from vafa.program import MAX_MONEY, Money, PublicUrl, SingleLine
from vafa.records import Check, Meta, Record, whole
from vafa.timeutil import parse_outside_instant


def _instant(value: str) -> str:
    """A timestamp from outside: with offset, not before 2000 (the route checks "not ahead")."""
    parse_outside_instant(value)
    return value


PositiveMoney = Annotated[int, Meta(ge=1, le=MAX_MONEY)]
# Made and kept by the shop's snippet in the browser (localStorage).
VisitorId = Annotated[str, Meta(min_length=8, max_length=64, pattern=whole("[A-Za-z0-9_-]+"))]
Text = Annotated[str, Meta(min_length=1, max_length=1000)]
Instant = Annotated[str, Meta(max_length=64), Check(_instant)]
Url = Annotated[PublicUrl, Meta(max_length=2000)]


class CustomerIn(ProfileIn):
    """Body of `PUT /v1/customers/{customer_id}`: fields left out stay as they are, `null` clears one."""


class PurchaseIn(Record):
    """Body of `POST /v1/purchases`."""

    order_id: ClientId
    customer_id: ClientId
    amount: Annotated[Money, Meta(description="Integer amount in the smallest unit")]
    occurred_at: Annotated[Instant | None, Meta(description="ISO-8601 with offset; default now")] = None
    customer: Annotated[ProfileIn | None, Meta(description="Profile fields to save with the purchase")] = None
    cart_id: Annotated[ClientId | None, Meta(description="The cart this order converts")] = None


class RefundIn(Record):
    """Body of `POST /v1/purchases/{order_id}/refunds`."""

    refund_id: ClientId
    amount: Annotated[
        PositiveMoney | None, Meta(description="Part of the order; whole order if left out")
    ] = None


class RedemptionIn(Record):
    """Body of `POST /v1/redemptions`."""

    redemption_id: ClientId
    customer_id: ClientId
    amount: Annotated[PositiveMoney, Meta(description="Integer amount, at least 1")]
    order_id: ClientId | None = None
    hold: Annotated[
        bool, Meta(description="Reserve the amount until captured or voided (or `hold_minutes` pass)")
    ] = False
    order_total: Annotated[
        Money | None, Meta(description="The order's total: the program's `max_redeem_percent` applies to it")
    ] = None


class CartLine(Record):
    sku: Annotated[str, Meta(max_length=128)] | None = None
    name: Annotated[str, Meta(max_length=300)] | None = None
    quantity: Annotated[int, Meta(ge=1, le=100_000)] = 1
    price: Money = 0


class CartIn(Record):
    """Body of `PUT /v1/carts/{cart_id}`: the cart as it stands now."""

    customer_id: ClientId
    items: Annotated[list[CartLine], Meta(max_length=200)] = field(default_factory=list)
    total: Money
    url: Url | None = None


class PushKeys(Record):
    p256dh: Annotated[str, Meta(min_length=40, max_length=200)]
    auth: Annotated[str, Meta(min_length=10, max_length=100)]


class PushSubscriptionIn(Record):
    """`PushSubscription.toJSON()` plus who it belongs to: the customer its token names, or a visitor."""

    customer_id: Annotated[
        ClientId | None, Meta(description="Needs the customer's X-Customer-Token; without one, 401")
    ] = None
    visitor_id: Annotated[
        VisitorId | None,
        Meta(description="The snippet's visitor id; required when no customer token is sent"),
    ] = None
    endpoint: Annotated[str, Meta(max_length=2000)]
    keys: PushKeys
    expirationTime: int | None = None


class FeedbackIn(Record):
    score: Annotated[int, Meta(ge=0, le=10)]
    comment: Annotated[str, Meta(max_length=2000)] | None = None


class CampaignTemplate(Record, forbid_unknown_fields=True):
    fa: Text | None = None
    en: Text | None = None

    def check_model(self) -> None:
        if self.fa is None and self.en is None:
            raise ValueError("give the text in at least one language (fa, en)")


class CampaignIn(Record):
    """Body of `POST /v1/campaigns`."""

    campaign_id: ClientId
    name: Annotated[SingleLine, Meta(min_length=1, max_length=200)]
    # A name or an object of filters: `vafa.insight.segments.definition` reads it and names its fields.
    segment: Annotated[
        Any,
        Meta(description='A named segment ("at_risk") or {"name"?, filters…}; see GET /v1/segments'),
    ]
    channel: Annotated[
        Literal["sms", "email", "push"] | None,
        Meta(description="One channel; the program's channel_order when left out"),
    ] = None
    template: CampaignTemplate
    send_at: Annotated[Instant | None, Meta(description="ISO-8601 with offset; default now")] = None
    url: Annotated[Url | None, Meta(description="Where the message's tracked {link} leads")] = None

    def check_model(self) -> None:
        if self.segment is None:
            raise ValueError("segment: must not be null")


class SegmentPreviewIn(Record):
    segment: Annotated[Any, Meta(description="A named segment or an object of filters")]

    def check_model(self) -> None:
        if self.segment is None:
            raise ValueError("segment: must not be null")


class SessionIn(Record):
    token: Annotated[str, Meta(min_length=1, max_length=2000)]


# Responses: documentation of what the routes return (tests check the answers against these).

Count = Annotated[int, Meta(ge=0)]
MaybeText = str | None


def _doc(description: str) -> Meta:
    return Meta(description=description)


class ExpiringLot(Record):
    amount: int
    expires_at: str


class ConsentOut(Record):
    sms: bool
    email: bool
    push: bool


class CustomerOut(Record):
    customer_id: str
    phone: Annotated[MaybeText, _doc("E.164")]
    email: MaybeText
    name: MaybeText
    locale: MaybeText
    birthday: BirthdayIn | None
    consent: ConsentOut
    balance: int
    purchases_count: int
    total_spent: int
    first_purchase_at: MaybeText
    last_purchase_at: MaybeText
    expiring: list[ExpiringLot]
    created_at: str
    updated_at: str


class CustomerList(Record):
    items: list[CustomerOut]
    next_cursor: MaybeText


class LedgerEntryOut(Record):
    type: Literal["earn", "redeem", "expire", "reverse", "gift", "adjust", "release"]
    amount: Annotated[int, _doc("Signed: credits positive, debits negative")]
    balance_after: int
    at: str
    ref: str
    recorded_at: str
    reason: Annotated[MaybeText, _doc("An adjustment's reason (adjust entries only)")] = None
    by: Annotated[MaybeText, _doc("Who made an adjustment (adjust entries only)")] = None


class LedgerPage(Record):
    items: list[LedgerEntryOut]
    next_cursor: Annotated[MaybeText, _doc("Pass back as `cursor` for the next page")]


class PurchaseOut(Record):
    order_id: str
    customer_id: str
    amount: int
    occurred_at: str
    cashback_earned: int
    cashback_expires_at: MaybeText
    balance: int


class RefundOut(Record):
    refund_id: str
    order_id: str
    amount: int
    cashback_reversed: Annotated[int, _doc("Cashback actually taken back from the balance")]
    cashback_unrecovered: Annotated[int, _doc("Cashback owed back but already spent or expired")]
    balance: int
    credit_restored: Annotated[
        int, _doc("Credit spent on the order, its refunded share, returned to the lots it came from")
    ] = 0


class RedemptionOut(Record):
    redemption_id: str
    customer_id: str
    amount: int
    order_id: MaybeText
    balance: int
    status: Annotated[Literal["held", "captured"], _doc("`held` until captured or voided")] = "captured"
    expires_at: Annotated[MaybeText, _doc("A hold's lapse (held only)")] = None


class RedemptionSettledOut(Record):
    """Answer of capture and void."""

    redemption_id: str
    customer_id: str
    amount: int
    order_id: MaybeText
    status: Literal["captured", "voided"]
    balance: int


class VapidKeyOut(Record):
    public_key: str


class NotificationOut(Record):
    kind: str
    channel: MaybeText
    status: Literal["queued", "sending", "sent", "failed", "suppressed"]
    reason: MaybeText
    at: str
    body: MaybeText
    notification_id: str
    ref: MaybeText
    campaign_id: MaybeText
    sent_at: MaybeText
    clicked_at: MaybeText
    cost: Annotated[
        int | None, _doc("What the gateway charged, in rials; null where the channel reports none")
    ]


class NotificationPage(Record):
    items: list[NotificationOut]
    next_cursor: MaybeText


class CartOut(Record):
    cart_id: str
    customer_id: str
    total: int
    items: list[CartLine]
    url: MaybeText
    updated_at: str
    reminder_due_at: Annotated[MaybeText, _doc("When the abandoned-cart reminder is due; null once closed")]


class SubscribedOut(Record):
    customer_id: Annotated[MaybeText, _doc("The customer the token named; null when anonymous")]
    visitor_id: MaybeText
    subscribed: bool


class CustomerTokenIn(Record):
    ttl_minutes: Annotated[int, Meta(ge=1, le=1440), _doc("Minutes the token lives (default 60)")] = 60


class CustomerTokenOut(Record):
    token: Annotated[str, _doc("Send as X-Customer-Token with X-Site-Key from the customer's browser")]
    expires_at: str


class SmsReplyOut(Record):
    action: Annotated[Literal["opt_out", "opt_in", "none"], _doc("What the reply asked for")]
    customers: Annotated[list[str], _doc("Customer ids whose SMS consent changed")]
    at: str


class FeedbackOut(Record):
    order_id: str
    score: Annotated[int, Meta(ge=0, le=10)]
    comment: MaybeText
    at: str


class SessionOut(Record):
    session: Annotated[str, _doc("Send as `Authorization: Bearer <session>`; never in a cookie")]
    merchant_id: str
    expires_at: str
    role: Annotated[
        Literal["viewer", "manager"], _doc("viewer reads; manager also changes what the panel changes")
    ] = "viewer"
    user: Annotated[str, _doc("Who the sign-in link was made for, as the audit list names them")] = (
        "dashboard"
    )


class HoldoutSample(Record):
    messaged: Count
    holdout: Count


class OutcomeOut(Record):
    """What one message kind or campaign brought, as of the last metrics run."""

    sent: Count
    suppressed: Count
    failed: Count
    clicked: Count
    converted: Annotated[Count, _doc("Messaged customers who bought within the attribution window")]
    revenue: Annotated[Count, _doc("Their purchases in that window")]
    holdout_lift: Annotated[
        float | None, _doc("Return rate of the messaged minus the holdout's; null without both")
    ]
    holdout_sample: HoldoutSample
    cost: Annotated[
        Count, _doc("What the gateways charged for these messages, in rials (where they report it)")
    ]
    revenue_per_cost: Annotated[float | None, _doc("revenue / cost; null while nothing was charged")]
    holdout_converted: Annotated[Count, _doc("Holdout customers who bought within the window")] = 0
    holdout_lift_interval: Annotated[
        list[float] | None, _doc("95% interval of the lift [low, high]; null without both groups")
    ] = None
    holdout_enough_data: Annotated[
        bool, _doc("Both groups reach holdout_min_sample; below it the panel shows 'not enough data'")
    ] = False
    holdout_min_sample: Annotated[Count, _doc("Customers needed in each group for a lift to count")] = 30


class CampaignOut(OutcomeOut):
    """A campaign, its state and its results."""

    campaign_id: str
    name: str
    segment: Annotated[dict[str, Any], _doc("The segment as stored: a name and filters")]
    channel: Literal["sms", "email", "push"] | None
    template: dict[str, str]
    url: MaybeText
    send_at: str
    status: Literal["scheduled", "sending", "sent", "canceled"]
    created_at: str
    started_at: MaybeText
    finished_at: MaybeText
    canceled_at: MaybeText
    audience: Annotated[Count | None, _doc("Customers in the segment when it went out")]
    queued: Count
    holdout: Annotated[Count, _doc("Customers held back to measure the lift")]


class CampaignList(Record):
    items: list[CampaignOut]
    next_cursor: MaybeText


class SegmentSize(Record):
    name: str
    size: Count
    description: str


class RfmScores(Record):
    """Customers per score (1-5) of recency, frequency and monetary value."""

    recency: dict[str, Count]
    frequency: dict[str, Count]
    monetary: dict[str, Count]


class SegmentsOut(Record):
    customers: Count
    cycle_days: Annotated[Count, _doc("The shop's typical days between purchases, which scales recency")]
    items: list[SegmentSize]
    scores: RfmScores
    as_of: str


class ConsentCounts(Record):
    sms: Count
    email: Count
    push: Count


class SegmentPreviewOut(Record):
    segment: dict[str, Any]
    size: Count
    with_consent: ConsentCounts
    by_segment: dict[str, Count]
    as_of: str


class CustomerCounts(Record):
    total: Count
    new: Count
    active_30d: Count
    active_90d: Count
    churned: Count


class GapsOut(Record):
    median: Annotated[float, _doc("Median days between a customer's purchases")]
    histogram: Annotated[list[list[int]], _doc("[from_day, to_day, count] buckets of days between purchases")]


class CohortOut(Record):
    cohort: Annotated[str, _doc("First-purchase month, YYYY-MM")]
    size: Count
    retention: Annotated[list[float], _doc("Share still buying in each month after")]


class WalletTotals(Record):
    earned: Count
    redeemed: Count
    expired: Count
    reversed: Count
    gifted: Count
    outstanding: Count


class FeedbackSummary(Record):
    """Feedback answers recorded in the range (live, not as of the metrics run)."""

    count: Count
    average: Annotated[float | None, _doc("Mean score 0-10; null without answers")]
    nps: Annotated[
        int | None, _doc("% promoters (9-10) minus % detractors (0-6), -100..100; null without answers")
    ]
    promoters: Count
    passives: Count
    detractors: Count
    comments: Annotated[int, Meta(ge=0, description="Answers that carried a comment")]


class MetricsOut(Record):
    """Retention metrics for the range, as of the last metrics run."""

    as_of: Annotated[MaybeText, _doc("When the metrics run last ran; null before its first run")]
    feedback: FeedbackSummary | None = None
    from_: str = field(name="from")
    to: str
    customers: CustomerCounts
    repeat_purchase_rate: float
    purchase_funnel: Annotated[list[Count], _doc("Customers with at least i+1 purchases")]
    return_rate: Annotated[dict[str, float], _doc("Share returning within 30d, 60d, 90d")]
    return_rate_eligible: Annotated[
        dict[str, Count],
        _doc("Customers each return rate is over (first purchase in range, window passed); 0: not yet"),
    ] = field(default_factory=dict)
    orders: Count
    revenue: Count
    average_order_value: Count
    purchase_frequency: float
    lifetime_value: Count
    predicted_lifetime_value: Annotated[
        Count,
        _doc(
            "All-time average order × expected purchases at today's repeat rate; never below lifetime_value"
        ),
    ]
    predicted_lifetime_value_basis: Annotated[
        dict[str, float],
        _doc("average_order_value, repeat_purchase_rate, expected_purchases, lifetime_value"),
    ] = field(default_factory=dict)
    days_between_purchases: GapsOut
    cohorts: list[CohortOut]
    jalali_cohorts: Annotated[
        list[CohortOut], _doc("The same cohorts by Jalali month in Tehran (`1405-07`), for Persian merchants")
    ] = field(default_factory=list)
    wallet: WalletTotals
    messages: Annotated[dict[str, OutcomeOut], _doc("Per message kind")]
    campaigns: Annotated[dict[str, OutcomeOut], _doc("Per campaign id")]


# The customer's side: the shop's page (site key + customer token) and its events.


class EventProduct(Record):
    sku: Annotated[SingleLine, Meta(min_length=1, max_length=128)]
    name: Annotated[SingleLine, Meta(max_length=300)] | None = None
    price: Money | None = None


class EventIn(Record):
    """Body of `POST /v1/events`: one thing a visitor did on the shop's page."""

    visitor_id: VisitorId
    type: Literal["page_viewed", "product_viewed", "searched", "added_to_cart", "checkout_started"]
    at: Annotated[Instant | None, Meta(description="ISO-8601 with offset; default now")] = None
    url: Annotated[Url | None, Meta(description="The page, https (the rules of every shop URL)")] = None
    product: Annotated[
        EventProduct | None, Meta(description="Needed for product_viewed and added_to_cart")
    ] = None
    query: Annotated[SingleLine, Meta(min_length=1, max_length=200)] | None = None

    def check_model(self) -> None:
        if self.type in ("product_viewed", "added_to_cart") and self.product is None:
            raise ValueError(f"product: is required for {self.type}")
        if self.type == "searched" and self.query is None:
            raise ValueError("query: is required for searched")


class EventOut(Record):
    accepted: bool
    visitor_id: str
    customer_id: Annotated[MaybeText, _doc("The customer the token named; null when anonymous")]


class VisitorLinkIn(Record):
    visitor_id: VisitorId


class VisitorLinkOut(Record):
    customer_id: str
    visitor_id: str
    moved: Annotated[dict[str, Count], _doc("What moved to the customer: events, push_subscriptions")]


class MeConsentIn(Record, forbid_unknown_fields=True):
    """Body of `PUT /v1/me/consent`: the channels named change; at least one."""

    sms: bool | None = None
    email: bool | None = None
    push: bool | None = None

    def check_model(self) -> None:
        if self.sms is None and self.email is None and self.push is None:
            raise ValueError("name at least one channel: sms, email, push")


class ExpiringShown(Record):
    amount: str
    expires_at: str


class MeDisplay(Record):
    """The amounts and dates as the customer reads them, in their language."""

    locale: Literal["fa", "en"]
    balance: str
    expiring: list[ExpiringShown]


class MeOut(Record):
    customer_id: str
    name: MaybeText
    balance: int
    expiring: list[ExpiringLot]
    currency: str
    display: MeDisplay
    consent: ConsentOut
