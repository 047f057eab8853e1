"""`GET/PUT /v1/program`: the merchant's settings."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from vafa.api.binding import failure, read_json, route
from vafa.api.context import merchant_id, programs, request_time
from vafa.errors import ValidationFailed
from vafa.program import Program, merge_update
from vafa.records import ValidationError

router = APIGatewayHttpRouter()


@route(
    router, "GET", "/v1/program", tag="Program", summary="The merchant's program settings", response=Program
)
def get_program() -> dict[str, Any]:
    return programs().get(merchant_id(router)).model_dump()


@route(
    router,
    "PUT",
    "/v1/program",
    tag="Program",
    summary="Change some program settings",
    response=Program,
    documented_body=Program,  # any subset of its fields; merged with the current settings below
    example={
        "cashback_rate_bps": 700,
        "cashback_expiry_days": 45,
        "reminders": {"expiry_days_before": [7, 1]},
    },
)
def put_program() -> dict[str, Any]:
    """Named fields are replaced; `reminders`, `quiet_hours`, `sms`, `email` and `templates` are merged
    field by field with the current settings."""
    merchant = merchant_id(router)
    current = programs().get(merchant)
    update = read_json(router)
    if not isinstance(update, dict):
        raise ValidationFailed("the request body must be a JSON object", field="body")
    try:
        updated = Program.model_validate(merge_update(current, update))
    except ValidationError as exc:
        raise failure(exc) from None
    return programs().put(merchant, updated, request_time(router)).model_dump()
