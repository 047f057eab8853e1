"""The customer's side of the shop's page: their own wallet and consent (site key + customer token),
what visitors do (events), linking a visitor to a customer, and the wallet widget."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from vafa.api.binding import Param, route
from vafa.api.context import merchant_id, outside_instant, programs, request_time
from vafa.api.schemas import (
    EventIn,
    EventOut,
    MeConsentIn,
    MeOut,
    VisitorId,
    VisitorLinkIn,
    VisitorLinkOut,
)
from vafa.customers import check_client_id
from vafa.errors import Unauthorized
from vafa.program import Program

router = APIGatewayHttpRouter()

# As the other browser routes (routes/signals.py), with PUT for the consent.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Content-Type, X-Site-Key, X-Customer-Token",
    "Access-Control-Allow-Methods": "GET, POST, PUT, OPTIONS",
    "Access-Control-Max-Age": "86400",
}


def _cors(response: Response[Any]) -> Response[Any]:
    response.headers.update(CORS_HEADERS)
    return response


def _token_customer(now: datetime, required: bool) -> str | None:
    """The customer the request's `X-Customer-Token` proves (401 when missing and required, or bad)."""
    from vafa.auth.customer_tokens import customer_of

    token = router.current_event.get_header_value("x-customer-token", case_sensitive=False)
    if not token or not token.strip():
        if required:
            raise Unauthorized(
                "send the signed-in customer's token in the X-Customer-Token header",
                code="customer_token_required",
            )
        return None
    return customer_of(token, merchant_id(router), now)


def _me(
    merchant: str, customer_id: str, now: datetime, program: Program, shown_in: str | None = None
) -> dict[str, Any]:
    from vafa.i18n.persian import format_date, format_money
    from vafa.profiles import read_customer
    from vafa.timeutil import parse_instant

    customer = read_customer(merchant, customer_id, now)
    locale = shown_in or customer["locale"] or program.default_locale
    locale = "fa" if locale == "fa" else "en"
    zone = ZoneInfo(program.timezone)

    def money(amount: int) -> str:
        return format_money(amount, program.currency, locale, program.display_unit)

    return {
        "customer_id": customer["customer_id"],
        "name": customer["name"],
        "balance": customer["balance"],
        "expiring": customer["expiring"],
        "currency": program.currency,
        "display": {
            "locale": locale,
            "balance": money(customer["balance"]),
            "expiring": [
                {
                    "amount": money(lot["amount"]),
                    # The day the credit lapses where the shop is: what "expires on" means to a shopper.
                    "expires_at": format_date(
                        parse_instant(lot["expires_at"]).astimezone(zone).date(), locale
                    ),
                }
                for lot in customer["expiring"]
            ],
        },
        "consent": customer["consent"],
    }


@route(
    router,
    "GET",
    "/v1/me",
    tag="Customer's page",
    summary="The signed-in customer's own wallet (site key + X-Customer-Token)",
    query=(
        Param(
            "visitor_id",
            VisitorId,
            description="The page's visitor id: links the visitor to the customer (as POST …/visitors)",
        ),
        Param(
            "locale",
            Literal["fa", "en"],
            description="The language of `display`; default the customer's (else the program's)",
        ),
    ),
    response=MeOut,
    security="siteKey",
)
def get_me(visitor_id: str | None, locale: str | None) -> Response[Any]:
    """What the customer may see of their own club; amounts and dates also as they read them
    (`display`, Persian digits and Toman for a Persian customer of an IRR program)."""
    merchant = merchant_id(router)
    now = request_time(router)
    customer_id = _token_customer(now, required=True)
    assert customer_id is not None
    if visitor_id is not None:
        from vafa.messaging.browsing import link, linked_customer

        if linked_customer(merchant, visitor_id) != customer_id:
            link(merchant, visitor_id, customer_id, now)
    answer = _me(merchant, customer_id, now, programs().get(merchant), locale)
    return _cors(Response(200, "application/json", answer, headers={"Cache-Control": "no-store"}))


@route(
    router,
    "PUT",
    "/v1/me/consent",
    tag="Customer's page",
    summary="The signed-in customer changes their own marketing consent",
    body=MeConsentIn,
    example={"sms": False, "push": True},
    response=MeOut,
    security="siteKey",
)
def put_my_consent(body: MeConsentIn) -> Response[Any]:
    """The customer's own word: a channel turned on also lifts their earlier opt-out of it (a `لغو ۱۱`
    reply, an unsubscribe link), and one turned off is opted out, so the shop's next profile update
    cannot turn it back on."""
    from vafa.customers import ConsentIn, ProfileIn
    from vafa.messaging.contacts import update_contact
    from vafa.messaging.signals import profile_or_404
    from vafa.profiles import upsert_customer
    from vafa.store.models import ContactItem

    merchant = merchant_id(router)
    now = request_time(router)
    customer_id = _token_customer(now, required=True)
    assert customer_id is not None
    profile_or_404(merchant, customer_id)  # never create a customer from the page
    program = programs().get(merchant)
    chosen = {ch: value for ch, value in body.model_dump().items() if value is not None}
    upsert_customer(merchant, customer_id, ProfileIn(consent=ConsentIn(**chosen)), program, now)
    update_contact(
        merchant, customer_id, [ContactItem.opted_out[ch].set(not on) for ch, on in chosen.items()]
    )
    return _cors(Response(200, "application/json", _me(merchant, customer_id, now, program)))


@route(
    router,
    "POST",
    "/v1/events",
    tag="Customer's page",
    summary="What a visitor did on the shop's page (site key; customer token optional)",
    body=EventIn,
    example={
        "visitor_id": "q3Xb9sTf0aLw2cVd8mNe1k",
        "type": "product_viewed",
        "url": "https://shop.example/p/tea-500",
        "product": {"sku": "tea-500", "name": "چای ۵۰۰ گرمی", "price": 450_000},
    },
    response=EventOut,
    status=202,
    responses={202: "Recorded", 429: "More than 120 events a minute from this visitor"},
    security="siteKey",
)
def post_event(body: EventIn) -> Response[Any]:
    """Kept with the visitor (or the customer the token proves, which also links the visitor);
    product views feed the `browse_abandoned` reminder."""
    from vafa.messaging.browsing import record_event

    merchant = merchant_id(router)
    now = request_time(router)
    customer_id = _token_customer(now, required=False)
    at = outside_instant(body.at, "at", now) if body.at is not None else now
    if customer_id is not None:
        from vafa.messaging.signals import profile_or_404

        profile_or_404(merchant, customer_id)
    window = programs().get(merchant).reminders.browse_abandoned_after_minutes
    whose = record_event(merchant, body.visitor_id, customer_id, body.model_dump(), at, now, window)
    answer = {
        "accepted": True,
        "visitor_id": body.visitor_id,
        "customer_id": customer_id if whose == "customer" and customer_id else None,
    }
    return _cors(Response(202, "application/json", answer))


@route(
    router,
    "POST",
    "/v1/customers/<customer_id>/visitors",
    tag="Customers",
    summary="Link an anonymous visitor (its push subscriptions and events) to the customer",
    body=VisitorLinkIn,
    example={"visitor_id": "q3Xb9sTf0aLw2cVd8mNe1k"},
    response=VisitorLinkOut,
)
def post_visitor(customer_id: str, body: VisitorLinkIn) -> dict[str, Any]:
    """Called by the shop's server at sign-in or checkout with the page's `Vafa.visitorId()`.
    Linking again is harmless; a visitor linked to another customer (a shared browser) follows the
    latest one from then on."""
    from vafa.messaging.browsing import link

    merchant = merchant_id(router)
    check_client_id(customer_id, "customer_id")
    moved = link(merchant, body.visitor_id, customer_id, request_time(router))
    return {"customer_id": customer_id, "visitor_id": body.visitor_id, "moved": moved}


@router.route("/v1/me", method="OPTIONS")
def preflight_me() -> Response[str]:
    return _cors(Response(204, "text/plain", ""))


@router.route("/v1/me/consent", method="OPTIONS")
def preflight_consent() -> Response[str]:
    return _cors(Response(204, "text/plain", ""))


@router.route("/v1/events", method="OPTIONS")
def preflight_events() -> Response[str]:
    return _cors(Response(204, "text/plain", ""))


@router.get("/widget.js", include_in_schema=False)
def widget() -> Response[Any]:
    from vafa.api.routes.pages import _asset

    return _asset("widget.js")
