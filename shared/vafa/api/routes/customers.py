"""Customers: create or update, read, find by phone, and the ledger."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from vafa.api.binding import Param, page, read_body, route
from vafa.api.context import (
    decode_cursor,
    encode_cursor,
    json_body,
    merchant_id,
    programs,
    request_time,
)
from vafa.api.panel_schemas import AdjustmentIn, AdjustmentOut, CustomerFeedbackPage
from vafa.api.schemas import (
    CustomerIn,
    CustomerList,
    CustomerOut,
    CustomerTokenIn,
    CustomerTokenOut,
    LedgerPage,
)
from vafa.customers import check_client_id, customer_view
from vafa.errors import NotFound, ValidationFailed
from vafa.phones import InvalidPhone, normalize_phone
from vafa.profiles import exists, find_by_phone, read_customer, upsert_customer
from vafa.records import Meta
from vafa.search import find_by_name
from vafa.store import keys as k
from vafa.store.models import CustomerItem
from vafa.timeutil import iso, parse_instant
from vafa.wallet import operations
from vafa.wallet.store import batch_get, ledger_page

router = APIGatewayHttpRouter()


@route(
    router,
    "PUT",
    "/v1/customers/<customer_id>",
    tag="Customers",
    summary="Create or update a customer (201 when created, 200 when updated)",
    body=CustomerIn,
    example={
        "phone": "09121234567",
        "name": "سارا رضایی",
        "email": "sara@example.com",
        "locale": "fa",
        "birthday": {"calendar": "jalali", "date": "1370-12-29"},
        "consent": {"sms": True, "email": False},
    },
    response=CustomerOut,
    responses={200: "Updated", 201: "Created"},
)
def put_customer(customer_id: str, body: CustomerIn) -> Response[Any]:
    merchant = merchant_id(router)
    check_client_id(customer_id, "customer_id")
    program = programs().get(merchant)
    created, customer = upsert_customer(merchant, customer_id, body, program, request_time(router))
    return Response(201 if created else 200, "application/json", customer)


@route(
    router,
    "POST",
    "/v1/customers/<customer_id>/token",
    tag="Customers",
    summary="Mint a customer token for the signed-in customer's browser (X-Customer-Token)",
    documented_body=CustomerTokenIn,
    example={"ttl_minutes": 60},
    response=CustomerTokenOut,
    status=201,
    responses={201: "Minted"},
)
def post_customer_token(customer_id: str) -> Response[Any]:
    """Called by the shop's server when the customer is signed in; the page passes the token on with
    the site key. The body may be left out (a 60-minute token)."""
    from vafa.auth import customer_tokens
    from vafa.messaging.signals import profile_or_404

    merchant = merchant_id(router)
    check_client_id(customer_id, "customer_id")
    raw = router.current_event.decoded_body
    body = read_body(router, CustomerTokenIn) if raw and raw.strip() else CustomerTokenIn.model_validate({})
    now = request_time(router)
    profile_or_404(merchant, customer_id)  # one read: no token for a customer the shop never sent us
    token, expires_at = customer_tokens.mint(merchant, customer_id, now, body.ttl_minutes)
    return Response(201, "application/json", {"token": token, "expires_at": expires_at})


@route(
    router,
    "GET",
    "/v1/customers/<customer_id>",
    tag="Customers",
    summary="A customer with balance and lots",
    response=CustomerOut,
)
def get_customer(customer_id: str) -> dict[str, Any]:
    merchant = merchant_id(router)
    check_client_id(customer_id, "customer_id")
    return read_customer(merchant, customer_id, request_time(router))


@route(
    router,
    "GET",
    "/v1/customers",
    tag="Customers",
    summary="Look customers up by phone, or search by a name's prefix, a phone or an id (`q`)",
    query=(
        Param("phone", Annotated[str, Meta(max_length=40)], description="Any form a shop types"),
        Param(
            "q",
            Annotated[str, Meta(max_length=200)],
            description="A name's beginning (any word of it; Arabic or Persian letters alike), a phone "
            "in any form, or a customer id",
        ),
        Param("limit", Annotated[int, Meta(ge=1, le=100)], 20, description="Page size (q)"),
        Param("cursor", Annotated[str, Meta(max_length=600)], description="next_cursor of the previous page"),
    ),
    response=CustomerList,
)
def list_customers(phone: str | None, q: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
    merchant = merchant_id(router)
    now = request_time(router)
    if q is None:
        if phone is None:
            raise ValidationFailed("give phone, or q to search by name, phone or id", field="phone")
        try:
            e164 = normalize_phone(phone)
        except InvalidPhone as exc:
            raise ValidationFailed(str(exc), field="phone") from exc
        return {"items": find_by_phone(merchant, e164, now), "next_cursor": None}
    return search_customers(merchant, q, limit, decode_cursor(cursor, _NAME_CURSOR, numeric=False), now)


_NAME_CURSOR = "N#"


def search_customers(merchant: str, q: str, limit: int, cursor: str | None, now: datetime) -> dict[str, Any]:
    """The first page lists an exact id and the phone's customers before the names that start with
    `q`; later pages continue the names (cursor: the last name key read)."""
    typed = q.strip()
    if not typed:
        raise ValidationFailed("q must not be empty", field="q")
    ids: list[str] = []
    after = cursor.removeprefix(_NAME_CURSOR) if cursor else None
    if after is None:
        with contextlib.suppress(InvalidPhone):  # not a phone: a name or an id
            ids += [c["customer_id"] for c in find_by_phone(merchant, normalize_phone(typed), now)]
        if len(typed) <= 128:
            ids.append(typed)  # an id as typed: kept only if the profile exists (read below)
    names, last = find_by_name(merchant, typed, limit, after)
    ids = list(dict.fromkeys([*ids, *names]))
    found = batch_get([(k.customer_pk(merchant, c), k.PROFILE) for c in ids])
    items = []
    for customer_id in ids:
        profile = found.get((k.customer_pk(merchant, customer_id), k.PROFILE))
        if not isinstance(profile, CustomerItem):
            continue
        if profile.next_expiry and profile.next_expiry <= iso(now):
            items.append(read_customer(merchant, customer_id, now))  # settles what fell due first
        else:
            items.append(customer_view(profile, now))
    return {"items": items, "next_cursor": encode_cursor(_NAME_CURSOR + last) if last else None}


@route(
    router,
    "GET",
    "/v1/customers/<customer_id>/ledger",
    tag="Customers",
    summary="Balance movements, newest first",
    query=page(200),
    response=LedgerPage,
)
def get_ledger(customer_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    merchant = merchant_id(router)
    check_client_id(customer_id, "customer_id")
    read_customer(merchant, customer_id, request_time(router))  # 404 for unknown; settles due expiry
    rows, last = ledger_page(merchant, customer_id, limit, decode_cursor(cursor, k.LEDGER_PREFIX))
    return {"items": rows, "next_cursor": encode_cursor(last)}


def _actor() -> str:
    """Who is making this change: what authentication recorded (the panel user, or the API key's
    last characters), never the key itself."""
    context = router.current_event.raw_event.get("requestContext", {}).get("authorizer", {}) or {}
    who = (context.get("lambda") or {}).get("who")
    if who:
        return str(who)
    header = router.current_event.get_header_value("authorization") or ""
    return f"key …{header.strip()[-4:]}"


@route(
    router,
    "POST",
    "/v1/customers/<customer_id>/adjustments",
    tag="Customers",
    summary="Adjust a customer's balance by hand, with a reason (an `adjust` ledger entry)",
    body=AdjustmentIn,
    example={"adjustment_id": "adj-1", "amount": 50_000, "reason": "جبران تأخیر ارسال سفارش"},
    response=AdjustmentOut,
    status=201,
    responses={
        201: "Adjusted (or the original answer of a retried request)",
        409: "A debit above the balance (`insufficient_balance`), or the id reused with another body",
    },
)
def post_adjustment(customer_id: str, body: AdjustmentIn) -> Response[Any]:
    """Positive amounts add a credit lot of their own, expiring at `expires_at` (default: the
    program's `cashback_expiry_days`); negative ones take credit, soonest-expiring first, and never
    below zero. Works with the API key and a manager's dashboard session."""
    merchant = merchant_id(router)
    check_client_id(customer_id, "customer_id")
    now = request_time(router)
    expires = None
    if body.expires_at is not None:
        if body.amount < 0:
            raise ValidationFailed("expires_at is only for a credit (a positive amount)", field="expires_at")
        expires = parse_instant(body.expires_at).astimezone(UTC).replace(microsecond=0)
        if expires <= now:
            raise ValidationFailed("expires_at must be in the future", field="expires_at")
    request = operations.AdjustmentRequest(
        adjustment_id=body.adjustment_id,
        customer_id=customer_id,
        amount=body.amount,
        reason=body.reason,
        expires_at=expires,
        actor=_actor(),
        body=json_body(router),
    )
    answer = operations.adjust(merchant, request, programs().get(merchant), now)
    return Response(201, "application/json", answer)


@route(
    router,
    "GET",
    "/v1/customers/<customer_id>/feedback",
    tag="Customers",
    summary="The scores and comments a customer gave, newest first",
    query=page(100),
    response=CustomerFeedbackPage,
)
def get_customer_feedback(customer_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    from vafa.insight import feedback

    merchant = merchant_id(router)
    check_client_id(customer_id, "customer_id")
    if not exists(merchant, customer_id):
        raise NotFound(f"customer {customer_id} not found", code="customer_not_found")
    after = decode_cursor(cursor, feedback.CURSOR_PREFIX, numeric=False)
    items, last = feedback.for_customer(merchant, customer_id, limit, after)
    return {"items": items, "next_cursor": encode_cursor(last)}
