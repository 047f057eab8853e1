"""Bodies of the merchant's panel routes (customer search, adjustments, feedback, exports), declared
as the rest of the API's are (`vafa.records`); kept apart from `schemas.py` so the panel's records
read together."""

# No `from __future__ import annotations`, as in schemas.py: msgspec reads these annotations at import.

from typing import Annotated

from vafa.api.schemas import CustomerOut, Instant
from vafa.customers import ClientId
from vafa.program import MAX_MONEY, SingleLine
from vafa.records import Check, Meta, Record


def _not_zero(value: int) -> int:
    if value == 0:
        raise ValueError("must not be 0 (positive adds credit, negative takes it)")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must say why (not only spaces)")
    return value


SignedMoney = Annotated[int, Meta(ge=-MAX_MONEY, le=MAX_MONEY), Check(_not_zero)]


class AdjustmentIn(Record):
    """Body of `POST /v1/customers/{customer_id}/adjustments`."""

    adjustment_id: ClientId
    amount: Annotated[SignedMoney, Meta(description="Signed: positive adds a lot, negative takes credit")]
    reason: Annotated[
        SingleLine,
        Meta(min_length=1, max_length=500, description="Why; shown in the ledger"),
        Check(_not_blank),
    ]
    expires_at: Annotated[
        Instant | None,
        Meta(description="A credit's expiry (future, with offset); default: cashback_expiry_days from now"),
    ] = None


class AdjustmentOut(Record):
    adjustment_id: str
    customer_id: str
    amount: int
    reason: str
    by: Annotated[str, Meta(description="Who made it: the API key's last characters or the panel user")]
    expires_at: Annotated[str | None, Meta(description="The credit lot's expiry; null for a debit")]
    balance: int
    created_at: str


class CustomerSearchPage(Record):
    items: list[CustomerOut]
    next_cursor: Annotated[str | None, Meta(description="Pass back as `cursor` for the next page")]


class CustomerFeedbackOut(Record):
    order_id: str
    score: Annotated[int, Meta(ge=0, le=10)]
    comment: str | None
    at: str


class CustomerFeedbackPage(Record):
    items: list[CustomerFeedbackOut]
    next_cursor: str | None
