"""PynamoDB models of the single table; one discriminated base so mixed queries come back typed."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model


class PhoneIndex(GlobalSecondaryIndex["Item"]):
    """Customers by phone (sparse: only customers with a phone carry GSI1PK)."""

    class Meta:
        index_name = "GSI1"
        projection = IncludeProjection(["kind"])  # the type tag, so typed queries can read it

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class DueIndex(GlobalSecondaryIndex["Item"]):
    """Scheduled work by due time (sparse: an item leaves the index once its work is done)."""

    class Meta:
        index_name = "DueIndex"
        projection = IncludeProjection(["kind"])  # the type tag, so typed queries can read it

    DuePK = UnicodeAttribute(hash_key=True)
    DueSK = UnicodeAttribute(range_key=True)


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


class MerchantItem(Item, discriminator="merchant"):
    merchant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    created_at = UnicodeAttribute()


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
    customer_id = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    locale = UnicodeAttribute(null=True)
    birthday = MapAttribute[str, Any](null=True)
    consent = MapAttribute[str, Any](null=True)
    balance = NumberAttribute(default=0)
    seq = NumberAttribute(default=0)  # ledger sequence; every movement bumps it (optimistic lock)
    purchases_count = NumberAttribute(default=0)
    total_spent = NumberAttribute(default=0)
    first_purchase_at = UnicodeAttribute(null=True)
    last_purchase_at = UnicodeAttribute(null=True)
    next_expiry = UnicodeAttribute(null=True)  # soonest expires_at among open lots
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    version = VersionAttribute()  # every write of the profile is conditional on the version it read
    phone_index = PhoneIndex()


class LotItem(Item, discriminator="lot"):
    lot_id = UnicodeAttribute()
    source = UnicodeAttribute()  # earn | gift | adjust
    ref = UnicodeAttribute()
    amount = NumberAttribute()
    remaining = NumberAttribute()
    earned_at = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    DuePK = UnicodeAttribute(null=True)
    DueSK = UnicodeAttribute(null=True)
    due_index = DueIndex()


class LedgerItem(Item, discriminator="ledger"):
    type = UnicodeAttribute()
    amount = NumberAttribute()  # signed: credits positive, debits negative
    balance_after = NumberAttribute()
    at = UnicodeAttribute()
    ref = UnicodeAttribute()
    recorded_at = UnicodeAttribute()


class OrderItem(Item, discriminator="order"):
    order_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    amount = NumberAttribute()
    cashback = NumberAttribute()
    lot_sk = UnicodeAttribute(null=True)
    occurred_at = UnicodeAttribute()
    cart_id = UnicodeAttribute(null=True)
    request_hash = UnicodeAttribute()
    response = UnicodeAttribute()
    refunded_amount = NumberAttribute(default=0)
    reversal_due = NumberAttribute(default=0)  # cashback owed back so far: floor(cashback*refunded/amount)
    reversed_amount = NumberAttribute(default=0)  # what actually left the balance
    fully_refunded = BooleanAttribute(default=False)


class RefundItem(Item, discriminator="refund"):
    refund_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    request_hash = UnicodeAttribute()
    response = UnicodeAttribute()
    created_at = UnicodeAttribute()


class RedemptionItem(Item, discriminator="redemption"):
    redemption_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    amount = NumberAttribute()
    order_id = UnicodeAttribute(null=True)
    request_hash = UnicodeAttribute()
    response = UnicodeAttribute()
    created_at = UnicodeAttribute()
