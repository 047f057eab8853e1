"""Customers: create or update, read, find by phone, and the ledger."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from vafa.api.binding import Param, page, read_body, route
from vafa.api.context import decode_cursor, encode_cursor, merchant_id, programs, request_time
from vafa.api.schemas import (
    CustomerIn,
    CustomerList,
    CustomerOut,
    CustomerTokenIn,
    CustomerTokenOut,
    LedgerPage,
)
from vafa.customers import check_client_id
from vafa.errors import ValidationFailed
from vafa.phones import InvalidPhone, normalize_phone
from vafa.profiles import find_by_phone, read_customer, upsert_customer
from vafa.records import Meta
from vafa.store import keys as k
from vafa.wallet.store import ledger_page

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
    summary="Look customers up by phone, in any form",
    query=(
        Param(
            "phone", Annotated[str, Meta(max_length=40)], required=True, description="Any form a shop types"
        ),
    ),
    response=CustomerList,
)
def list_customers(phone: str) -> dict[str, Any]:
    merchant = merchant_id(router)
    try:
        e164 = normalize_phone(phone)
    except InvalidPhone as exc:
        raise ValidationFailed(str(exc), field="phone") from exc
    items = find_by_phone(merchant, e164, request_time(router))
    return {"items": items, "next_cursor": None}


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
