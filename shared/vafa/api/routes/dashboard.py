"""The merchant dashboard: its page and files, and the trade of a sign-in link for a session."""

from __future__ import annotations

import os
from importlib import resources
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from msgspec import field

from vafa.api.binding import page as paged
from vafa.api.binding import route
from vafa.api.context import decode_cursor, encode_cursor, merchant_id, programs, request_time
from vafa.api.schemas import SessionIn, SessionOut
from vafa.auth.dashboard import open_session
from vafa.records import Meta, Record

router = APIGatewayHttpRouter()

# Everything the page loads comes from this origin; nothing inline, no third party.
_SECURITY = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
_FILES = {
    "app.js": ("dashboard.js", "application/javascript"),
    "app.css": ("dashboard.css", "text/css"),
    "favicon.svg": ("favicon.svg", "image/svg+xml"),
}


def _file(name: str, content_type: str) -> Response[Any]:
    text = resources.files("vafa.web").joinpath(name).read_text(encoding="utf-8")
    return Response(200, f"{content_type}; charset=utf-8", text, headers=_SECURITY)


@router.get("/dashboard", include_in_schema=False)
def page() -> Response[Any]:
    return _file("dashboard.html", "text/html")


@router.get("/dashboard/<name>", include_in_schema=False)
def asset(name: str) -> Response[Any]:
    if name not in _FILES:
        return Response(404, "text/plain", "not found")
    return _file(*_FILES[name])


@route(
    router,
    "POST",
    "/v1/dashboard/session",
    tag="Dashboard",
    summary="Trade a sign-in link's token for a dashboard session",
    body=SessionIn,
    response=SessionOut,
    status=201,
    responses={201: "A session token for `Authorization: Bearer`, with the link's role"},
    security="none",
)
def post_session(body: SessionIn) -> Response[Any]:
    return Response(201, "application/json", open_session(body.token, request_time(router)))


# ---------------------------------------------------------------------------------------------------
# The panel's own reads: the audit list and a template preview
# ---------------------------------------------------------------------------------------------------


class AuditEntry(Record):
    at: str
    who: Annotated[str, Meta(description="`key …abcd` (the API key's last characters) or `<user> (<role>)`")]
    action: Annotated[
        str, Meta(description="program.update | campaign.create | campaign.cancel | customer.adjust")
    ]
    target: Annotated[str | None, Meta(description="The campaign or customer id, where there is one")]
    summary: Annotated[str | None, Meta(description="JSON of the fields the change named")]


class AuditList(Record):
    items: list[AuditEntry]
    next_cursor: str | None


@route(
    router,
    "GET",
    "/v1/audit",
    tag="Dashboard",
    summary="Who changed settings, templates, campaigns or balances, and when; newest first",
    response=AuditList,
    query=paged(100),
)
def get_audit(limit: int, cursor: str | None) -> dict[str, Any]:
    from vafa import audit

    after = decode_cursor(cursor, "", numeric=False)
    items, last = audit.listing(merchant_id(router), limit, after)
    return {"items": items, "next_cursor": encode_cursor(last)}


TemplatePart = Literal["sms", "email_subject", "email_body", "push_title", "push_body"]


class TemplatePreviewIn(Record):
    """Body of `POST /v1/templates/preview`: the parts being edited; the rest come from the program."""

    kind: Literal[
        "expiry_reminder",
        "win_back",
        "birthday",
        "abandoned_cart",
        "feedback_request",
        "purchase_thanks",
        "campaign",
        "browse_abandoned",
    ]
    locale: Literal["fa", "en"]
    template: dict[TemplatePart, Annotated[str, Meta(max_length=2000)]] = field(default_factory=dict)
    sms_part_price: (
        Annotated[int, Meta(ge=0, le=10**9, description="What one SMS part costs, in the program currency")]
        | None
    ) = None


class ChannelPreview(Record):
    subject: Annotated[str | None, Meta(description="Email subject or push title; null for SMS")]
    body: str


class SmsPreview(ChannelPreview):
    parts: Annotated[int, Meta(description="SMS parts the text is sent and billed as")]
    characters: int
    encoding: Literal["gsm7", "ucs2"]
    cost: Annotated[int | None, Meta(description="parts × sms_part_price; null without a price")]


class TemplatePreviewOut(Record):
    kind: str
    locale: str
    sample: Annotated[dict[str, str], Meta(description="The sample customer's placeholder values")]
    template: Annotated[
        dict[str, str], Meta(description="Each part's text: the edit, the program's, or the default")
    ]
    defaults: Annotated[dict[str, str], Meta(description="Each part's built-in text (what a reset restores)")]
    customized: Annotated[list[str], Meta(description="Parts that differ from the defaults")]
    sms: SmsPreview
    email: ChannelPreview
    push: ChannelPreview


@route(
    router,
    "POST",
    "/v1/templates/preview",
    tag="Dashboard",
    summary="A message kind's texts filled in for a sample customer, with the SMS part count",
    body=TemplatePreviewIn,
    example={"kind": "win_back", "locale": "fa", "template": {"sms": "{name} عزیز، دلمان تنگ شده!\n{link}"}},
    response=TemplatePreviewOut,
)
def preview_template(body: TemplatePreviewIn) -> dict[str, Any]:
    from vafa.messaging.templates_preview import preview

    merchant = merchant_id(router)
    # Links in messages use the short link domain when the deployment has one, else the API's own
    # address, which is this request's host: the preview counts the same length the gateway bills.
    headers = router.current_event.headers or {}
    host = headers.get("host") or "vafa.example"
    scheme = "http" if host.startswith(("127.0.0.1", "localhost")) else "https"
    link_base = os.environ.get("VAFA_LINK_BASE_URL") or f"{scheme}://{host}"
    return preview(
        programs().get(merchant),
        body.kind,
        body.locale,
        {str(part): text for part, text in body.template.items()},
        link_base,
        request_time(router),
        body.sms_part_price,
    )


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response[Any]:
    return _file("favicon.svg", "image/svg+xml")
