"""Purchases, refunds and redemptions: the money-moving routes."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from vafa.api.binding import route
from vafa.api.context import json_body, merchant_id, outside_instant, programs, request_time
from vafa.api.schemas import (
    PurchaseIn,
    PurchaseOut,
    RedemptionIn,
    RedemptionOut,
    RedemptionSettledOut,
    RefundIn,
    RefundOut,
)
from vafa.customers import check_client_id
from vafa.wallet import operations

router = APIGatewayHttpRouter()
_CREATED = {201: "Created (or the original answer of a retried request)"}


@route(
    router,
    "POST",
    "/v1/purchases",
    tag="Wallet",
    summary="Record a purchase; earns cashback",
    body=PurchaseIn,
    example={
        "order_id": "o-1001",
        "customer_id": "c-42",
        "amount": 1_250_000,
        "customer": {"phone": "۰۹۱۲ ۱۲۳ ۴۵۶۷", "name": "سارا", "consent": {"sms": True}},
    },
    response=PurchaseOut,
    status=201,
    responses=_CREATED,
)
def post_purchase(body: PurchaseIn) -> Response[Any]:
    merchant = merchant_id(router)
    now = request_time(router)
    request = operations.PurchaseRequest(
        order_id=body.order_id,
        customer_id=body.customer_id,
        amount=body.amount,
        occurred_at=outside_instant(body.occurred_at, "occurred_at", now) if body.occurred_at else None,
        customer=body.customer,
        cart_id=body.cart_id,
        body=json_body(router),
    )
    answer = operations.record_purchase(merchant, request, programs().get(merchant), now)
    return Response(201, "application/json", answer)


@route(
    router,
    "POST",
    "/v1/purchases/<order_id>/refunds",
    tag="Wallet",
    summary="Refund all or part of an order; takes back its cashback",
    body=RefundIn,
    example={"refund_id": "rf-1", "amount": 250_000},
    response=RefundOut,
    status=201,
    responses=_CREATED,
)
def post_refund(order_id: str, body: RefundIn) -> Response[Any]:
    merchant = merchant_id(router)
    request = operations.RefundRequest(
        order_id=check_client_id(order_id, "order_id"),
        refund_id=body.refund_id,
        amount=body.amount,
        body=json_body(router),
    )
    return Response(201, "application/json", operations.refund(merchant, request, request_time(router)))


@route(
    router,
    "POST",
    "/v1/redemptions",
    tag="Wallet",
    summary="Spend balance at checkout, or hold it until the order is paid",
    body=RedemptionIn,
    example={"redemption_id": "r-1", "customer_id": "c-42", "amount": 20_000, "order_id": "o-1002"},
    response=RedemptionOut,
    status=201,
    responses=_CREATED,
)
def post_redemption(body: RedemptionIn) -> Response[Any]:
    merchant = merchant_id(router)
    request = operations.RedemptionRequest(
        redemption_id=body.redemption_id,
        customer_id=body.customer_id,
        amount=body.amount,
        order_id=body.order_id,
        body=json_body(router),
        hold=body.hold,
        order_total=body.order_total,
    )
    answer = operations.redeem(merchant, request, request_time(router), programs().get(merchant))
    return Response(201, "application/json", answer)


@route(
    router,
    "POST",
    "/v1/redemptions/<redemption_id>/capture",
    tag="Wallet",
    summary="Capture a held redemption when the order is paid",
    response=RedemptionSettledOut,
    responses={409: "The hold was voided or lapsed (`hold_expired`)"},
)
def capture_redemption(redemption_id: str) -> dict[str, Any]:
    merchant = merchant_id(router)
    rid = check_client_id(redemption_id, "redemption_id")
    return operations.capture(merchant, rid, request_time(router))


@route(
    router,
    "POST",
    "/v1/redemptions/<redemption_id>/void",
    tag="Wallet",
    summary="Void a held redemption; its credit goes back to the lots it came from",
    response=RedemptionSettledOut,
    responses={409: "The redemption was captured (`already_captured`)"},
)
def void_redemption(redemption_id: str) -> dict[str, Any]:
    merchant = merchant_id(router)
    rid = check_client_id(redemption_id, "redemption_id")
    return operations.void(merchant, rid, request_time(router))
