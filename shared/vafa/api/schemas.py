"""Request and response bodies of the HTTP API; the OpenAPI document is generated from these."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator

from vafa.customers import BirthdayIn, ClientId, ProfileIn
from vafa.program import MAX_MONEY, Program, QuietHours
from vafa.timeutil import parse_instant

Money = Annotated[StrictInt, Field(ge=0, le=MAX_MONEY, description="Integer amount in the smallest unit")]
PositiveMoney = Annotated[StrictInt, Field(ge=1, le=MAX_MONEY, description="Integer amount, at least 1")]


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


class CustomerIn(ProfileIn):
    """Body of `PUT /v1/customers/{customer_id}`."""


class PurchaseIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    order_id: ClientId
    customer_id: ClientId
    amount: Money
    occurred_at: StrictStr | None = Field(default=None, description="ISO-8601 with offset; default now")
    customer: ProfileIn | None = None
    cart_id: ClientId | None = None

    @field_validator("occurred_at")
    @classmethod
    def _instant(cls, value: str | None) -> str | None:
        if value is not None:
            parse_instant(value)
        return value


class RefundIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    refund_id: ClientId
    amount: PositiveMoney | None = Field(
        default=None, description="Part of the order; whole order if left out"
    )


class RedemptionIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    redemption_id: ClientId
    customer_id: ClientId
    amount: PositiveMoney
    order_id: ClientId | None = None


class ExpiringLot(BaseModel):
    amount: int
    expires_at: str


class ConsentOut(BaseModel):
    sms: bool
    email: bool
    push: bool


class CustomerOut(BaseModel):
    customer_id: str
    phone: str | None
    email: str | None
    name: str | None
    locale: str | None
    birthday: BirthdayIn | None
    consent: ConsentOut
    balance: int
    purchases_count: int
    total_spent: int
    first_purchase_at: str | None
    last_purchase_at: str | None
    expiring: list[ExpiringLot]
    created_at: str
    updated_at: str


class CustomerList(BaseModel):
    items: list[CustomerOut]
    next_cursor: str | None


class LedgerEntryOut(BaseModel):
    type: Literal["earn", "redeem", "expire", "reverse", "gift", "adjust"]
    amount: int = Field(description="Signed: credits positive, debits negative")
    balance_after: int
    at: str
    ref: str
    recorded_at: str


class LedgerPage(BaseModel):
    items: list[LedgerEntryOut]
    next_cursor: str | None


class PurchaseOut(BaseModel):
    order_id: str
    customer_id: str
    amount: int
    occurred_at: str
    cashback_earned: int
    cashback_expires_at: str | None
    balance: int


class RefundOut(BaseModel):
    refund_id: str
    order_id: str
    amount: int
    cashback_reversed: int = Field(description="Cashback actually taken back from the balance")
    cashback_unrecovered: int = Field(description="Cashback owed back but already spent or expired")
    balance: int


class RedemptionOut(BaseModel):
    redemption_id: str
    customer_id: str
    amount: int
    order_id: str | None
    balance: int


class ProgramPatch(BaseModel):
    """Partial update of the program: named fields change, `reminders` is merged field by field."""

    model_config = ConfigDict(extra="forbid")

    currency: str | None = None
    timezone: str | None = None
    default_locale: Literal["fa", "en"] | None = None
    cashback_rate_bps: StrictInt | None = None
    min_purchase_amount: StrictInt | None = None
    max_cashback_per_purchase: StrictInt | None = None
    cashback_expiry_days: StrictInt | None = None
    reminders: dict[str, Any] | None = None
    quiet_hours: QuietHours | None = None
    max_marketing_messages_per_week: StrictInt | None = None
    channel_order: list[str] | None = None
    holdout_percent: StrictInt | None = None
    attribution_window_days: StrictInt | None = None
    shop_name: str | None = None
    shop_url: str | None = None
    templates: dict[str, Any] | None = None
    display_unit: Literal["IRR", "IRT"] | None = None
    sms: dict[str, Any] | None = None
    email: dict[str, Any] | None = None


ProgramOut = Program


class CartLine(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sku: Annotated[StrictStr, Field(max_length=128)] | None = None
    name: Annotated[StrictStr, Field(max_length=300)] | None = None
    quantity: Annotated[StrictInt, Field(ge=1, le=100_000)] = 1
    price: Money = 0


class CartIn(BaseModel):
    """Body of `PUT /v1/carts/{cart_id}`: the cart as it stands now."""

    model_config = ConfigDict(extra="ignore")

    customer_id: ClientId
    items: list[CartLine] = Field(default_factory=list, max_length=200)
    total: Money
    url: Annotated[StrictStr, Field(max_length=2000, pattern=r"^https?://")] | None = None


class PushKeys(BaseModel):
    p256dh: Annotated[StrictStr, Field(min_length=40, max_length=200)]
    auth: Annotated[StrictStr, Field(min_length=10, max_length=100)]


class PushSubscriptionIn(BaseModel):
    """`PushSubscription.toJSON()` plus the customer it belongs to."""

    model_config = ConfigDict(extra="ignore")

    customer_id: ClientId
    endpoint: Annotated[StrictStr, Field(max_length=2000)]
    keys: PushKeys
    expirationTime: int | None = None


class VapidKeyOut(BaseModel):
    public_key: str


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    score: Annotated[StrictInt, Field(ge=0, le=10)]
    comment: Annotated[StrictStr, Field(max_length=2000)] | None = None


class NotificationOut(BaseModel):
    kind: str
    channel: str | None
    status: Literal["queued", "sending", "sent", "failed", "suppressed"]
    reason: str | None
    at: str
    body: str | None
    notification_id: str
    ref: str | None
    campaign_id: str | None
    sent_at: str | None
    clicked_at: str | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None
