"""Request and response bodies of the HTTP API; the OpenAPI document is generated from these."""

from __future__ import annotations

from typing import Any

from vafa.customers import CLIENT_ID, BirthdayIn, ProfileIn
from vafa.model import AnyJson, Bool, Choice, Int, Items, Model, Str, field
from vafa.program import MAX_MONEY, MONEY
from vafa.timeutil import parse_instant

POSITIVE_MONEY = Int(ge=1, le=MAX_MONEY)
TEXT = Str(min_length=1, max_length=1000)


def _instant(value: str) -> str:
    parse_instant(value)
    return value


def _url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ValueError("url must start with https:// or http://")
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
    url: str | None = field(Str(max_length=2000, pattern=r"https?://\S+"), None)


class PushKeys(Model):
    p256dh: str = field(Str(min_length=40, max_length=200))
    auth: str = field(Str(min_length=10, max_length=100))


class PushSubscriptionIn(Model):
    """`PushSubscription.toJSON()` plus the customer it belongs to."""

    customer_id: str = field(CLIENT_ID)
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
    name: str = field(Str(min_length=1, max_length=200))
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
        Str(max_length=2000), None, after=_url, description="Where the message's tracked {link} leads"
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


class NotificationPage(Model):
    items: list[NotificationOut] = field(Items(NotificationOut.nested()))
    next_cursor: str | None = _maybe_text()
