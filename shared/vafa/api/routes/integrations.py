"""WooCommerce: the merchant connects (URL and secret to paste), and WooCommerce delivers orders."""

# No `from __future__ import annotations`: the records below are read by msgspec at import.

import os
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from vafa.api.binding import route
from vafa.api.context import merchant_id, programs, request_time
from vafa.api.guard import raw_body
from vafa.errors import MalformedRequest, NotFound, Unauthorized, ValidationFailed
from vafa.records import Check, Meta, Record

router = APIGatewayHttpRouter()
_CURRENCY_RULE = "must be IRR, IRT, IRHR, IRHT or another ISO-4217 code such as USD"


def _currency(value: str) -> str:
    code = value.strip().upper()
    if not (code.isascii() and code.isalpha() and 3 <= len(code) <= 4):
        raise ValueError(_CURRENCY_RULE)
    return code


class WooCommerceIn(Record, forbid_unknown_fields=True):
    """Body of `PUT /v1/integrations/woocommerce`."""

    currency: Annotated[
        Annotated[str, Meta(max_length=8), Check(_currency, _CURRENCY_RULE)] | None,
        Meta(
            description="The shop's WooCommerce currency, assumed for orders naming none; default: the program's"
        ),
    ] = None


class WooCommerceOut(Record):
    delivery_url: Annotated[str, Meta(description="Paste as the webhook's Delivery URL")]
    secret: Annotated[str, Meta(description="Paste as the webhook's Secret; shown only here")]
    currency: str


class WooCommerceView(Record):
    delivery_url: str
    currency: str


class WooDeliveryOut(Record):
    topic: str | None
    order_id: str | None
    customer_id: str | None
    counted: Annotated[bool, Meta(description="The order counts as a purchase in Vafa")]
    changes: Annotated[list[str], Meta(description="What this delivery changed: purchase, refund:<id>")]
    reason: Annotated[str | None, Meta(description="Why nothing was counted, when nothing was")]


def _delivery_url(hook_id: str) -> str:
    from vafa.integrations.woocommerce.settings import DELIVERY_PATH

    base = os.environ.get("VAFA_PUBLIC_URL", "").rstrip("/")
    if not base:  # deployed: the host this request came to (the API's own or a custom domain)
        host = router.current_event.raw_event.get("requestContext", {}).get("domainName", "")
        base = f"https://{host}"
    return f"{base}{DELIVERY_PATH}{hook_id}"


@route(
    router,
    "PUT",
    "/v1/integrations/woocommerce",
    tag="Integrations",
    summary="Connect WooCommerce: the delivery URL and secret to paste into its webhooks",
    body=WooCommerceIn,
    example={"currency": "IRT"},
    response=WooCommerceOut,
)
def put_woocommerce(body: WooCommerceIn) -> dict[str, Any]:
    """Repeating it keeps the URL and the secret (only `currency` changes); rotate-secret replaces
    the secret."""
    from vafa.integrations.woocommerce import settings

    merchant = merchant_id(router)
    program = programs().get(merchant)
    connection, secret = settings.connect(merchant, body.currency, program.currency, request_time(router))
    return {
        "delivery_url": _delivery_url(connection.hook_id),
        "secret": secret,
        "currency": connection.currency,
    }


@route(
    router,
    "GET",
    "/v1/integrations/woocommerce",
    tag="Integrations",
    summary="The WooCommerce connection, without its secret",
    response=WooCommerceView,
)
def get_woocommerce() -> dict[str, Any]:
    from vafa.integrations.woocommerce import settings

    connection = settings.load(merchant_id(router))
    if connection is None:
        raise NotFound("WooCommerce is not connected", code="integration_not_found")
    return {"delivery_url": _delivery_url(connection.hook_id), "currency": connection.currency}


@route(
    router,
    "POST",
    "/v1/integrations/woocommerce/rotate-secret",
    tag="Integrations",
    summary="Issue a new webhook secret; the old one stops working at once",
    response=WooCommerceOut,
)
def rotate_woocommerce_secret() -> dict[str, Any]:
    from vafa.integrations.woocommerce import settings

    connection, secret = settings.rotate(merchant_id(router), request_time(router))
    return {
        "delivery_url": _delivery_url(connection.hook_id),
        "secret": secret,
        "currency": connection.currency,
    }


@route(
    router,
    "POST",
    "/v1/hooks/woocommerce/<hook_id>",
    tag="Integrations",
    summary="WooCommerce's webhook deliveries (signed with the secret; no API key)",
    response=WooDeliveryOut,
    responses={401: "X-WC-Webhook-Signature does not match the body", 404: "No such delivery URL"},
    security="none",
)
def post_woocommerce_delivery(hook_id: str) -> dict[str, Any]:
    """The body is WooCommerce's REST order JSON as WooCommerce sends it (topics order.created,
    order.updated, order.restored; others change nothing), signed in X-WC-Webhook-Signature; the
    unsigned ping `webhook_id=N` sent when the webhook is saved is answered 200."""
    from vafa.integrations.woocommerce import intake, orders, settings

    connection = settings.by_hook_id(hook_id)
    if connection is None:
        raise NotFound("no WooCommerce connection at this URL", code="integration_not_found")
    event = router.current_event
    raw = raw_body(event.raw_event)  # the bytes as received: the signature is over them
    topic = event.get_header_value("x-wc-webhook-topic", case_sensitive=False)
    signature = event.get_header_value("x-wc-webhook-signature", case_sensitive=False)
    if signature is None and orders.is_ping(raw):
        return intake.answer("ping", reason="ping")
    secret = settings.secret_for(connection)
    if secret is None or not orders.signature_valid(secret, raw, signature):
        raise Unauthorized(
            "X-WC-Webhook-Signature is not base64(HMAC-SHA256(secret, body))", code="invalid_signature"
        )
    program = programs().get(connection.merchant_id)
    try:
        return intake.take(connection, raw, topic, program, request_time(router))
    except orders.OrderProblem as exc:
        if exc.field == "body":
            raise MalformedRequest(str(exc)) from None
        raise ValidationFailed(str(exc), field=exc.field) from None
