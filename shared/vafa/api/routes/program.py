"""`GET/PUT /v1/program`: the merchant's settings."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import ValidationError

from vafa.api.context import json_body, merchant_id, programs, request_time
from vafa.api.errors import field_of
from vafa.api.schemas import ProgramOut, ProgramPatch
from vafa.errors import ValidationFailed
from vafa.program import Program, merge_update

router = APIGatewayHttpRouter()


@router.get("/v1/program", tags=["Program"], summary="The merchant's program settings")
def get_program() -> ProgramOut:
    return programs().get(merchant_id(router))


@router.put("/v1/program", tags=["Program"], summary="Change some program settings")
def put_program(patch: Annotated[ProgramPatch, Body()]) -> ProgramOut:
    merchant = merchant_id(router)
    current = programs().get(merchant)
    try:
        updated = Program.model_validate(merge_update(current, json_body(router)))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValidationFailed(first.get("msg", "invalid value"), field=field_of(first["loc"])) from exc
    return programs().put(merchant, updated, request_time(router))
