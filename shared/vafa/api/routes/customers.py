"""Customers: create or update, read, find by phone, and the ledger."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from vafa.api.context import decode_cursor, encode_cursor, merchant_id, programs, request_time
from vafa.api.schemas import CustomerIn, CustomerList, CustomerOut, LedgerPage
from vafa.customers import check_client_id
from vafa.errors import ValidationFailed
from vafa.phones import InvalidPhone, normalize_phone
from vafa.profiles import find_by_phone, read_customer, upsert_customer
from vafa.store import keys as k
from vafa.store.wallet_store import ledger_page

router = APIGatewayHttpRouter()


@router.put(
    "/v1/customers/<customer_id>",
    tags=["Customers"],
    summary="Create or update a customer (201 when created, 200 when updated)",
    responses={200: {"description": "Updated"}, 201: {"description": "Created"}},
)
def put_customer(customer_id: str, body: Annotated[CustomerIn, Body()]) -> Response[CustomerOut]:
    merchant = merchant_id(router)
    check_client_id(customer_id, "customer_id")
    program = programs().get(merchant)
    created, customer = upsert_customer(merchant, customer_id, body, program, request_time(router))
    return Response(201 if created else 200, "application/json", customer)


@router.get("/v1/customers/<customer_id>", tags=["Customers"], summary="A customer with balance and lots")
def get_customer(customer_id: str) -> CustomerOut:
    merchant = merchant_id(router)
    check_client_id(customer_id, "customer_id")
    return read_customer(merchant, customer_id, request_time(router))  # type: ignore[return-value]


@router.get("/v1/customers", tags=["Customers"], summary="Look customers up by phone, in any form")
def list_customers(phone: Annotated[str, Query(max_length=40)]) -> CustomerList:
    merchant = merchant_id(router)
    try:
        e164 = normalize_phone(phone)
    except InvalidPhone as exc:
        raise ValidationFailed(str(exc), field="phone") from exc
    items = find_by_phone(merchant, e164, request_time(router))
    return {"items": items, "next_cursor": None}  # type: ignore[return-value]


@router.get(
    "/v1/customers/<customer_id>/ledger", tags=["Customers"], summary="Balance movements, newest first"
)
def get_ledger(
    customer_id: str,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> LedgerPage:
    merchant = merchant_id(router)
    check_client_id(customer_id, "customer_id")
    read_customer(merchant, customer_id, request_time(router))  # 404 for unknown; settles due expiry
    rows, last = ledger_page(merchant, customer_id, limit, decode_cursor(cursor, k.LEDGER_PREFIX))
    return {"items": rows, "next_cursor": encode_cursor(last)}  # type: ignore[return-value]
