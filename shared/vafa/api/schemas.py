"""Request and response bodies of the HTTP API; the OpenAPI document is generated from these."""

from __future__ import annotations

from typing import Any

from vafa.customers import CLIENT_ID, BirthdayIn, ProfileIn
from vafa.model import AnyJson, Bool, Choice, Int, Items, Mapping, Model, Num, Str, field
from vafa.program import MAX_MONEY, MONEY, public_url, single_line
from vafa.timeutil import parse_outside_instant

POSITIVE_MONEY = Int(ge=1, le=MAX_MONEY)
# Made and kept by the shop's snippet in the browser (localStorage).
VISITOR_ID = Str(min_length=8, max_length=64, pattern=r"[A-Za-z0-9_-]+")
TEXT = Str(min_length=1, max_length=1000)


def _instant(value: str) -> str:
    """A timestamp from outside: with offset, not before 2000 (the route checks "not ahead")."""
    parse_outside_instant(value)
    return value


class CustomerIn(ProfileIn):
    """Body of `PUT /v1/customers/{customer_id}`: fields left out stay as they are, `null` clears one."""


class PurchaseIn(Model):
    """Body of `POST /v1/purchases`."""

    order_id: str = field(CLIENT_ID)
    customer_id: str = field(CLIENT_ID)
    amount: int = field(MONEY, description="Integer amount in the smallest unit")
    occurred_at: str | None = field(
        Str(max_length=64), None, after=_instant, description="ISO-8601 with offset; default now"
    )
    customer: ProfileIn | None = field(
        ProfileIn, None, description="Profile fields to save with the purchase"
    )
    cart_id: str | None = field(CLIENT_ID, None, description="The cart this order converts")


class RefundIn(Model):
    """Body of `POST /v1/purchases/{order_id}/refunds`."""

    refund_id: str = field(CLIENT_ID)
    amount: int | None = field(POSITIVE_MONEY, None, description="Part of the order; whole order if left out")


class RedemptionIn(Model):
    """Body of `POST /v1/redemptions`."""

    redemption_id: str = field(CLIENT_ID)
    customer_id: str = field(CLIENT_ID)
    amount: int = field(POSITIVE_MONEY, description="Integer amount, at least 1")
    order_id: str | None = field(CLIENT_ID, None)


class CartLine(Model):
    sku: str | None = field(Str(max_length=128), None)
    name: str | None = field(Str(max_length=300), None)
    quantity: int = field(Int(ge=1, le=100_000), 1)
    price: int = field(MONEY, 0)


class CartIn(Model):
    """Body of `PUT /v1/carts/{cart_id}`: the cart as it stands now."""

    customer_id: str = field(CLIENT_ID)
    items: list[CartLine] = field(Items(CartLine.nested(), max_length=200), factory=list)
    total: int = field(MONEY)
    url: str | None = field(Str(max_length=2000), None, after=public_url)


class PushKeys(Model):
    p256dh: str = field(Str(min_length=40, max_length=200))
    auth: str = field(Str(min_length=10, max_length=100))


class PushSubscriptionIn(Model):
    """`PushSubscription.toJSON()` plus who it belongs to: the customer its token names, or a visitor."""

    customer_id: str | None = field(
        CLIENT_ID, None, description="Needs the customer's X-Customer-Token; without one, 401"
    )
    visitor_id: str | None = field(
        VISITOR_ID, None, description="The snippet's visitor id; required when no customer token is sent"
    )
    endpoint: str = field(Str(max_length=2000))
    keys: PushKeys = field(PushKeys)
    expirationTime: int | None = field(Int(), None)


class FeedbackIn(Model):
    score: int = field(Int(ge=0, le=10))
    comment: str | None = field(Str(max_length=2000), None)


class CampaignTemplate(Model, extra="forbid"):
    fa: str | None = field(TEXT, None)
    en: str | None = field(TEXT, None)

    def check_model(self) -> None:
        if self.fa is None and self.en is None:
            raise ValueError("give the text in at least one language (fa, en)")


class CampaignIn(Model):
    """Body of `POST /v1/campaigns`."""

    campaign_id: str = field(CLIENT_ID)
    name: str = field(Str(min_length=1, max_length=200), after=single_line)
    segment: Any = field(
        AnyJson(), description='A named segment ("at_risk") or {"name"?, filters…}; see GET /v1/segments'
    )
    channel: str | None = field(
        Choice("sms", "email", "push"),
        None,
        description="One channel; the program's channel_order when left out",
    )
    template: CampaignTemplate = field(CampaignTemplate)
    send_at: str | None = field(
        Str(max_length=64), None, after=_instant, description="ISO-8601 with offset; default now"
    )
    url: str | None = field(
        Str(max_length=2000), None, after=public_url, description="Where the message's tracked {link} leads"
    )


class SegmentPreviewIn(Model):
    segment: Any = field(AnyJson(), description="A named segment or an object of filters")


class SessionIn(Model):
    token: str = field(Str(min_length=1, max_length=2000))


# Responses: documentation of what the routes return (tests check the answers against these).


class ExpiringLot(Model):
    amount: int = field(Int())
    expires_at: str = field(Str())


class ConsentOut(Model):
    sms: bool = field(Bool())
    email: bool = field(Bool())
    push: bool = field(Bool())


def _text(description: str | None = None) -> Any:
    return field(Str(), description=description)


def _maybe_text(description: str | None = None) -> Any:
    return field(Str(), nullable=True, description=description)


class CustomerOut(Model):
    customer_id: str = _text()
    phone: str | None = _maybe_text("E.164")
    email: str | None = _maybe_text()
    name: str | None = _maybe_text()
    locale: str | None = _maybe_text()
    birthday: BirthdayIn | None = field(BirthdayIn, nullable=True)
    consent: ConsentOut = field(ConsentOut)
    balance: int = field(Int())
    purchases_count: int = field(Int())
    total_spent: int = field(Int())
    first_purchase_at: str | None = _maybe_text()
    last_purchase_at: str | None = _maybe_text()
    expiring: list[ExpiringLot] = field(Items(ExpiringLot.nested()))
    created_at: str = _text()
    updated_at: str = _text()


class CustomerList(Model):
    items: list[CustomerOut] = field(Items(CustomerOut.nested()))
    next_cursor: str | None = _maybe_text()


class LedgerEntryOut(Model):
    type: str = field(Choice("earn", "redeem", "expire", "reverse", "gift", "adjust"))
    amount: int = field(Int(), description="Signed: credits positive, debits negative")
    balance_after: int = field(Int())
    at: str = _text()
    ref: str = _text()
    recorded_at: str = _text()


class LedgerPage(Model):
    items: list[LedgerEntryOut] = field(Items(LedgerEntryOut.nested()))
    next_cursor: str | None = _maybe_text("Pass back as `cursor` for the next page")


class PurchaseOut(Model):
    order_id: str = _text()
    customer_id: str = _text()
    amount: int = field(Int())
    occurred_at: str = _text()
    cashback_earned: int = field(Int())
    cashback_expires_at: str | None = _maybe_text()
    balance: int = field(Int())


class RefundOut(Model):
    refund_id: str = _text()
    order_id: str = _text()
    amount: int = field(Int())
    cashback_reversed: int = field(Int(), description="Cashback actually taken back from the balance")
    cashback_unrecovered: int = field(Int(), description="Cashback owed back but already spent or expired")
    balance: int = field(Int())


class RedemptionOut(Model):
    redemption_id: str = _text()
    customer_id: str = _text()
    amount: int = field(Int())
    order_id: str | None = _maybe_text()
    balance: int = field(Int())


class VapidKeyOut(Model):
    public_key: str = _text()


class NotificationOut(Model):
    kind: str = _text()
    channel: str | None = _maybe_text()
    status: str = field(Choice("queued", "sending", "sent", "failed", "suppressed"))
    reason: str | None = _maybe_text()
    at: str = _text()
    body: str | None = _maybe_text()
    notification_id: str = _text()
    ref: str | None = _maybe_text()
    campaign_id: str | None = _maybe_text()
    sent_at: str | None = _maybe_text()
    clicked_at: str | None = _maybe_text()
    cost: int | None = field(
        Int(),
        nullable=True,
        description="What the gateway charged, in rials; null where the channel reports none",
    )


class NotificationPage(Model):
    items: list[NotificationOut] = field(Items(NotificationOut.nested()))
    next_cursor: str | None = _maybe_text()


class CartOut(Model):
    cart_id: str = _text()
    customer_id: str = _text()
    total: int = field(Int())
    items: list[CartLine] = field(Items(CartLine.nested()))
    url: str | None = _maybe_text()
    updated_at: str = _text()
    reminder_due_at: str | None = _maybe_text("When the abandoned-cart reminder is due; null once closed")


class SubscribedOut(Model):
    customer_id: str | None = _maybe_text("The customer the token named; null when anonymous")
    visitor_id: str | None = _maybe_text()
    subscribed: bool = field(Bool())


class CustomerTokenIn(Model):
    ttl_minutes: int = field(Int(ge=1, le=1440), 60, description="Minutes the token lives (default 60)")


class CustomerTokenOut(Model):
    token: str = _text("Send as X-Customer-Token with X-Site-Key from the customer's browser")
    expires_at: str = _text()


class SmsReplyOut(Model):
    action: str = field(Choice("opt_out", "opt_in", "none"), description="What the reply asked for")
    customers: list[str] = field(Items(Str()), description="Customer ids whose SMS consent changed")
    at: str = _text()


class FeedbackOut(Model):
    order_id: str = _text()
    score: int = field(Int(ge=0, le=10))
    comment: str | None = _maybe_text()
    at: str = _text()


class SessionOut(Model):
    session: str = _text("Send as `Authorization: Bearer <session>`; read-only")
    merchant_id: str = _text()
    expires_at: str = _text()


def _count(description: str | None = None) -> Any:
    return field(Int(ge=0), description=description)


class HoldoutSample(Model):
    messaged: int = _count()
    holdout: int = _count()


class OutcomeOut(Model):
    """What one message kind or campaign brought, as of the last metrics run."""

    sent: int = _count()
    suppressed: int = _count()
    failed: int = _count()
    clicked: int = _count()
    converted: int = _count("Messaged customers who bought within the attribution window")
    revenue: int = _count("Their purchases in that window")
    holdout_lift: float | None = field(
        Num(), nullable=True, description="Return rate of the messaged minus the holdout's; null without both"
    )
    holdout_sample: HoldoutSample = field(HoldoutSample)
    cost: int = _count("What the gateways charged for these messages, in rials (where they report it)")
    revenue_per_cost: float | None = field(
        Num(), nullable=True, description="revenue / cost; null while nothing was charged"
    )


class CampaignOut(OutcomeOut):
    """A campaign, its state and its results."""

    campaign_id: str = _text()
    name: str = _text()
    segment: dict[str, Any] = field(
        Mapping(AnyJson()), description="The segment as stored: a name and filters"
    )
    channel: str | None = field(Choice("sms", "email", "push"), nullable=True)
    template: dict[str, str] = field(Mapping(Str()))
    url: str | None = _maybe_text()
    send_at: str = _text()
    status: str = field(Choice("scheduled", "sending", "sent", "canceled"))
    created_at: str = _text()
    started_at: str | None = _maybe_text()
    finished_at: str | None = _maybe_text()
    canceled_at: str | None = _maybe_text()
    audience: int | None = field(
        Int(ge=0), nullable=True, description="Customers in the segment when it went out"
    )
    queued: int = _count()
    holdout: int = _count("Customers held back to measure the lift")


class CampaignList(Model):
    items: list[CampaignOut] = field(Items(CampaignOut.nested()))
    next_cursor: str | None = _maybe_text()


class SegmentSize(Model):
    name: str = _text()
    size: int = _count()
    description: str = _text()


class RfmScores(Model):
    """Customers per score (1-5) of recency, frequency and monetary value."""

    recency: dict[str, int] = field(Mapping(Int(ge=0)))
    frequency: dict[str, int] = field(Mapping(Int(ge=0)))
    monetary: dict[str, int] = field(Mapping(Int(ge=0)))


class SegmentsOut(Model):
    customers: int = _count()
    cycle_days: int = _count("The shop's typical days between purchases, which scales recency")
    items: list[SegmentSize] = field(Items(SegmentSize.nested()))
    scores: RfmScores = field(RfmScores)
    as_of: str = _text()


class ConsentCounts(Model):
    sms: int = _count()
    email: int = _count()
    push: int = _count()


class SegmentPreviewOut(Model):
    segment: dict[str, Any] = field(Mapping(AnyJson()))
    size: int = _count()
    with_consent: ConsentCounts = field(ConsentCounts)
    by_segment: dict[str, int] = field(Mapping(Int(ge=0)))
    as_of: str = _text()


class CustomerCounts(Model):
    total: int = _count()
    new: int = _count()
    active_30d: int = _count()
    active_90d: int = _count()
    churned: int = _count()


class GapsOut(Model):
    median: float = field(Num(), description="Median days between a customer's purchases")
    histogram: list[list[int]] = field(
        Items(Items(Int())), description="[from_day, to_day, count] buckets of days between purchases"
    )


class CohortOut(Model):
    cohort: str = _text("First-purchase month, YYYY-MM")
    size: int = _count()
    retention: list[float] = field(Items(Num()), description="Share still buying in each month after")


class WalletTotals(Model):
    earned: int = _count()
    redeemed: int = _count()
    expired: int = _count()
    reversed: int = _count()
    gifted: int = _count()
    outstanding: int = _count()


class MetricsOut(Model):
    """Retention metrics for the range, as of the last metrics run."""

    as_of: str | None = _maybe_text("When the metrics run last ran; null before its first run")
    from_: str = field(Str(), alias="from")
    to: str = _text()
    customers: CustomerCounts = field(CustomerCounts)
    repeat_purchase_rate: float = field(Num())
    purchase_funnel: list[int] = field(Items(Int(ge=0)), description="Customers with at least i+1 purchases")
    return_rate: dict[str, float] = field(Mapping(Num()), description="Share returning within 30d, 60d, 90d")
    orders: int = _count()
    revenue: int = _count()
    average_order_value: int = _count()
    purchase_frequency: float = field(Num())
    lifetime_value: int = _count()
    predicted_lifetime_value: int = _count()
    days_between_purchases: GapsOut = field(GapsOut)
    cohorts: list[CohortOut] = field(Items(CohortOut.nested()))
    wallet: WalletTotals = field(WalletTotals)
    messages: dict[str, OutcomeOut] = field(Mapping(OutcomeOut.nested()), description="Per message kind")
    campaigns: dict[str, OutcomeOut] = field(Mapping(OutcomeOut.nested()), description="Per campaign id")
