"""The API function: checks, authentication, one resolver, one place that turns errors into answers."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths

from vafa.api import access, errors, guard
from vafa.api.binding import strict_loads
from vafa.api.context import verifier
from vafa.api.routes import (
    campaigns,
    customers,
    dashboard,
    exports,
    insight,
    integrations,
    me,
    pages,
    program,
    signals,
    wallet,
)
from vafa.config import settings
from vafa.errors import VafaError
from vafa.store.table import ensure_configured
from vafa.tracing import capture_handler

logger = Logger(service="vafa-api")
metrics = Metrics(namespace="Vafa", service="vafa-api")

# Bodies and query strings are checked by the routes' declarations (vafa.api.binding), not by
# Powertools' pydantic validation, which would add its OpenAPI models to every cold start.
app = APIGatewayHttpResolver(
    serializer=partial(json.dumps, ensure_ascii=False, separators=(",", ":")),
    json_body_deserializer=strict_loads,
)
app.include_router(program.router)
app.include_router(customers.router)
app.include_router(wallet.router)
app.include_router(signals.router)
app.include_router(pages.router)
app.include_router(insight.router)
app.include_router(campaigns.router)
app.include_router(dashboard.router)
app.include_router(me.router)
app.include_router(integrations.router)
app.include_router(exports.router)


@app.exception_handler(VafaError)
def _domain_error(exc: VafaError) -> Response[Any]:
    return _for_browser(app.current_event.raw_event, errors.from_domain(exc))


def _for_browser(event: dict[str, Any], response: Response[Any]) -> Response[Any]:
    """Errors of the routes a shop's page calls carry CORS headers too, so the page can read why
    (an expired customer token, a refused endpoint) instead of seeing a network error."""
    path = event.get("rawPath") or ""
    if access.access_for(path, "GET") == "site":
        response.headers.update(me.CORS_HEADERS)
    return response


@app.not_found
def _no_route(_: NotFoundError) -> Response[Any]:
    return errors.error_response(404, "route_not_found", "no such route")


@app.get("/openapi.json")
def _openapi() -> Response[Any]:
    from vafa.api import openapi  # only the documentation routes load it

    return Response(200, content_types.APPLICATION_JSON, json.dumps(openapi.document(), ensure_ascii=False))


@app.get("/docs")
def _docs() -> Response[Any]:
    from vafa.api import openapi

    return Response(200, "text/html; charset=utf-8", openapi.swagger_page())


def _answer(response: Response[Any]) -> dict[str, Any]:
    return {
        "statusCode": response.status_code,
        "headers": {**response.headers, "Content-Type": "application/json"},
        "body": response.body,
        "isBase64Encoded": False,
    }


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@capture_handler("vafa-api")
@metrics.log_metrics
def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Entry point behind API Gateway (HTTP API, payload 2.0)."""
    ensure_configured()
    try:
        guard.check_body(event, settings().max_body_bytes)
        access.authenticate(event, verifier())
    except VafaError as exc:
        return _answer(_for_browser(event, errors.from_domain(exc)))
    answer = app.resolve(event, context)
    if 200 <= answer.get("statusCode", 500) < 300:
        _audit(event)
    return answer


def _audit(event: dict[str, Any]) -> None:
    """Record a merchant's change (settings, templates, campaigns, adjustments) once it succeeded."""
    from vafa import audit

    method = (event.get("requestContext", {}).get("http", {}) or {}).get("method", "GET")
    action = audit.audited_action(method, event.get("rawPath") or "")
    caller = ((event.get("requestContext") or {}).get("authorizer") or {}).get("lambda") or {}
    if action is None or not caller.get("merchant_id"):
        return
    try:
        body = json.loads(event.get("body") or "null") if not event.get("isBase64Encoded") else None
    except ValueError:
        body = None
    audit.record(
        caller["merchant_id"],
        caller.get("who") or "?",
        action[0],
        audit.target_of(action[0], action[1], body),
        audit.summarize(action[0], body),
        access.request_time(event),
    )
