"""The API function: checks, authentication, one resolver, one place that turns errors into answers."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths

from vafa import __version__
from vafa.api import access, errors, guard
from vafa.api.context import verifier
from vafa.api.routes import campaigns, customers, dashboard, insight, pages, program, signals, wallet
from vafa.config import settings
from vafa.errors import VafaError
from vafa.store.table import ensure_configured
from vafa.tracing import capture_handler

logger = Logger(service="vafa-api")
metrics = Metrics(namespace="Vafa", service="vafa-api")

app = APIGatewayHttpResolver(
    enable_validation=True, serializer=partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
)
app.include_router(program.router)
app.include_router(customers.router)
app.include_router(wallet.router)
app.include_router(signals.router)
app.include_router(pages.router)
app.include_router(insight.router)
app.include_router(campaigns.router)
app.include_router(dashboard.router)

API_DESCRIPTION = (
    "Record purchases, refunds and redemptions; customers earn expiring cashback. "
    "Server-to-server calls send `Authorization: Bearer <api_key>`; browser calls send `X-Site-Key`."
)


@app.exception_handler(VafaError)
def _domain_error(exc: VafaError) -> Response[Any]:
    return errors.from_domain(exc)


@app.exception_handler(RequestValidationError)
def _validation_error(exc: RequestValidationError) -> Response[Any]:
    return errors.from_validation(list(exc.errors()))


@app.not_found
def _no_route(_: NotFoundError) -> Response[Any]:
    return errors.error_response(404, "route_not_found", "no such route")


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document generated from the routes and their models."""
    document: dict[str, Any] = json.loads(
        app.get_openapi_json_schema(title="Vafa API", version=__version__, description=API_DESCRIPTION)
    )
    document.setdefault("components", {})["securitySchemes"] = {
        "apiKey": {"type": "http", "scheme": "bearer", "description": "The merchant's secret API key"},
        "siteKey": {"type": "apiKey", "in": "header", "name": "X-Site-Key"},
    }
    document["security"] = [{"apiKey": []}]
    schemas = document["components"].setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "examples": ["insufficient_balance"]},
                    "message": {"type": "string"},
                    "field": {"type": "string", "description": "The failing field, for 422"},
                },
            }
        },
    }
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    described = {
        "400": "Malformed JSON",
        "401": "Missing or unknown key",
        "404": "Not found (also: another merchant's id)",
        "409": "Conflict: insufficient balance, or an idempotency key reused with a different body",
        "413": "Body too large",
        "422": "Validation failed; `error.field` names the field",
        "429": "Throttled or busy; retry the same request",
    }
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, text in described.items():
                responses[status] = {"description": text, **error}
            if path.startswith(("/v1/push", "/v1/push-subscriptions")):
                operation["security"] = [{"siteKey": []}]
            elif path.startswith(("/v1/feedback/", "/v1/sms/inbound/", "/v1/dashboard/session")):
                operation["security"] = []
            del method
    return document


@app.get("/openapi.json", include_in_schema=False)
def _openapi() -> Response[Any]:
    return Response(200, content_types.APPLICATION_JSON, json.dumps(openapi_document()))


app.enable_swagger(path="/docs", title="Vafa API", version=__version__, description=API_DESCRIPTION)


def _answer(response: Response[Any]) -> dict[str, Any]:
    return {
        "statusCode": response.status_code,
        "headers": {"Content-Type": "application/json"},
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
        return _answer(errors.from_domain(exc))
    return app.resolve(event, context)
