"""The merchant dashboard: its page and files, and the trade of a sign-in link for a session."""

from __future__ import annotations

from importlib import resources
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from vafa.api.binding import route
from vafa.api.context import request_time
from vafa.api.schemas import SessionIn, SessionOut
from vafa.auth.dashboard import open_session

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
_FILES = {"app.js": ("dashboard.js", "application/javascript"), "app.css": ("dashboard.css", "text/css")}


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
    responses={201: "A session token for `Authorization: Bearer`"},
    security="none",
)
def post_session(body: SessionIn) -> Response[Any]:
    return Response(201, "application/json", open_session(body.token, request_time(router)))
