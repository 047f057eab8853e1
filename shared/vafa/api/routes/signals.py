"""Behaviour signals: carts, push subscriptions, the VAPID key, feedback and the delivery log."""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from vafa.api.binding import page, route
from vafa.api.context import decode_cursor, encode_cursor, merchant_id, request_time
from vafa.api.schemas import (
    CartIn,
    CartOut,
    FeedbackIn,
    FeedbackOut,
    NotificationPage,
    PushSubscriptionIn,
    SmsReplyOut,
    SubscribedOut,
    VapidKeyOut,
)
from vafa.customers import check_client_id
from vafa.errors import Unauthorized, ValidationFailed
from vafa.messaging import signals
from vafa.store import keys as k

router = APIGatewayHttpRouter()


CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Content-Type, X-Site-Key, X-Customer-Token",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Max-Age": "86400",
}


def _cors(response: Response[Any]) -> Response[Any]:
    """Browser routes take the public site key from any shop page."""
    response.headers.update(CORS_HEADERS)
    return response


@route(
    router,
    "PUT",
    "/v1/carts/<cart_id>",
    tag="Signals",
    summary="The cart as it stands (abandoned-cart reminders)",
    body=CartIn,
    example={
        "customer_id": "c-42",
        "items": [{"sku": "tea-500", "name": "چای ۵۰۰ گرمی", "quantity": 2, "price": 450_000}],
        "total": 900_000,
        "url": "https://shop.example/cart",
    },
    response=CartOut,
    responses={200: "Updated", 201: "Created"},
)
def put_cart(cart_id: str, body: CartIn) -> Response[Any]:
    merchant = merchant_id(router)
    check_client_id(cart_id, "cart_id")
    created, cart = signals.put_cart(merchant, cart_id, body.model_dump(), request_time(router))
    return Response(201 if created else 200, "application/json", cart)


@route(
    router,
    "GET",
    "/v1/customers/<customer_id>/notifications",
    tag="Customers",
    summary="Every message decided for this customer, newest first",
    query=page(200),
    response=NotificationPage,
)
def get_notifications(customer_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    merchant = merchant_id(router)
    check_client_id(customer_id, "customer_id")
    start = decode_cursor(cursor, k.NOTE_PREFIX, numeric=False)
    rows, last = signals.notifications_page(merchant, customer_id, limit, start)
    return {"items": rows, "next_cursor": encode_cursor(last)}


@route(
    router,
    "POST",
    "/v1/push-subscriptions",
    tag="Push",
    summary="Save a browser's push subscription (site key)",
    body=PushSubscriptionIn,
    response=SubscribedOut,
    responses={200: "Already saved", 201: "Saved"},
    security="siteKey",
)
def post_push_subscription(body: PushSubscriptionIn) -> Response[Any]:
    """Bound to a customer only with that customer's `X-Customer-Token` (minted by the shop's
    server); otherwise anonymous under `visitor_id`. At most 10 are kept per customer or visitor."""
    merchant = merchant_id(router)
    now = request_time(router)
    owner = _owner(merchant, body.customer_id, body.visitor_id, now)
    extra = [h for h in os.environ.get("VAFA_PUSH_EXTRA_HOSTS", "").split(",") if h]
    created = signals.save_push_subscription(merchant, body.model_dump(), owner, extra, now)
    answer = {
        "customer_id": owner[1] if owner[0] == "customer" else None,
        "visitor_id": body.visitor_id,
        "subscribed": True,
    }
    return _cors(Response(201 if created else 200, "application/json", answer))


def _owner(merchant: str, customer_id: str | None, visitor_id: str | None, now: Any) -> tuple[str, str]:
    """Who a browser request acts for: the customer its token proves, else the anonymous visitor."""
    from vafa.auth.customer_tokens import customer_of

    token = router.current_event.get_header_value("x-customer-token", case_sensitive=False)
    if token:
        proven = customer_of(token, merchant, now)
        if customer_id is not None and customer_id != proven:
            raise Unauthorized(
                "customer_id does not match the customer token", code="customer_token_required"
            )
        return "customer", proven
    if customer_id is not None:
        raise Unauthorized(
            "binding a subscription to a customer needs the customer's X-Customer-Token",
            code="customer_token_required",
        )
    if visitor_id is None:
        raise ValidationFailed("visitor_id is required without a customer token", field="visitor_id")
    return "visitor", visitor_id


@router.route("/v1/push-subscriptions", method="OPTIONS")
def preflight_subscription() -> Response[str]:
    return _cors(Response(204, "text/plain", ""))


@route(
    router,
    "GET",
    "/v1/push/vapid-public-key",
    tag="Push",
    summary="The key for pushManager.subscribe (site key)",
    response=VapidKeyOut,
    security="siteKey",
)
def get_vapid_key() -> Response[Any]:
    return _cors(
        Response(200, "application/json", {"public_key": signals.vapid_public_key(merchant_id(router))})
    )


@router.route("/v1/push/vapid-public-key", method="OPTIONS")
def preflight_vapid() -> Response[str]:
    return _cors(Response(204, "text/plain", ""))


@route(
    router,
    "POST",
    "/v1/feedback/<token>",
    tag="Signals",
    summary="Record a 0-10 score from a feedback link, once",
    body=FeedbackIn,
    example={"score": 9, "comment": "ارسال سریع بود"},
    response=FeedbackOut,
    responses={200: "Already recorded", 201: "Recorded"},
    security="none",
)
def post_feedback(token: str, body: FeedbackIn) -> Response[Any]:
    created, answer = signals.record_feedback(token, body.score, body.comment, request_time(router))
    return Response(201 if created else 200, "application/json", answer)


@route(
    router,
    "POST",
    "/v1/sms/inbound/<token>",
    tag="Signals",
    summary="SMS provider callback: replies 11/لغو opt out",
    response=SmsReplyOut,
    security="none",
)
def post_sms_inbound(token: str) -> dict[str, Any]:
    raw = router.current_event.decoded_body or ""
    fields: Any
    try:
        fields = json.loads(raw) if raw.lstrip().startswith("{") else dict(parse_qsl(raw))
    except ValueError:
        fields = None
    if not isinstance(fields, dict):
        raise ValidationFailed("callback body must be a form or a JSON object", field="body")
    return signals.inbound_sms(token, fields, request_time(router))
