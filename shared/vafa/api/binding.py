"""Routes declared once: Powertools' resolver dispatches them, Vafa checks the body and the query
string against the declared records (`vafa.records`, msgspec), and the OpenAPI document is written from
the same declarations (`vafa.api.openapi`). Checking here keeps pydantic and Powertools' OpenAPI models
out of the function's cold start."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from vafa.errors import MalformedRequest, ValidationFailed
from vafa.records import Meta, Record, ValidationError, base_type, convert, dotted

# A `\uD800`–`\uDFFF` escape: only then can the parsed body hold a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_INTEGER = re.compile(r"-?[0-9]{1,18}", re.ASCII)


@dataclass(frozen=True)
class Param:
    """A query-string parameter: its name in the URL, its type, and its value when left out."""

    name: str
    type: Any  # e.g. Annotated[int, Meta(ge=1, le=200)]: checked as the body's fields are
    default: Any = None
    required: bool = False
    description: str | None = None
    argument: str | None = None  # the handler's keyword when the URL name is not an identifier

    @property
    def keyword(self) -> str:
        return self.argument or self.name


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # Powertools form: /v1/customers/<customer_id>
    summary: str
    tag: str
    name: str
    description: str | None = None
    body: type[Record] | None = None
    query: tuple[Param, ...] = ()
    response: type[Record] | None = None
    status: int = 200
    responses: dict[int, str] = field(default_factory=dict)
    security: str = "apiKey"  # apiKey (Bearer secret key), siteKey (X-Site-Key) or none
    example: dict[str, Any] | None = None  # a request body shown in the docs (tests check it is valid)


OPERATIONS: list[Operation] = []


def page(max_limit: int) -> tuple[Param, Param]:
    """`limit` and `cursor` of a list route."""
    return (
        Param("limit", Annotated[int, Meta(ge=1, le=max_limit)], 50, description="Page size"),
        Param("cursor", Annotated[str, Meta(max_length=300)], description="next_cursor of the previous page"),
    )


def failure(exc: ValidationError) -> ValidationFailed:
    """The first problem as the API's 422: `error.field` names it, the message says what is wrong."""
    first = exc.errors()[0]
    where = dotted(first["loc"]) or None
    if first["type"] == "model_attributes_type" and where is None:
        return ValidationFailed("the request body must be a JSON object", field="body")
    if where is None:
        return ValidationFailed(str(first["msg"]), field="body")
    return ValidationFailed(f"{where}: {first['msg']}", field=where)


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        # `{"amount": 5, "amount": 5000000}`: parsers disagree on which one counts, so neither does.
        raise ValueError("an object names the same key twice")
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError("a number too large for JSON")  # 1e309
    return value


def strict_loads(text: str) -> Any:
    """JSON as RFC 8259 has it: no NaN/Infinity, no overflowing numbers, no repeated keys."""
    return json.loads(text, object_pairs_hook=_no_repeats, parse_constant=_no_constant, parse_float=_finite)


def read_json(router: APIGatewayHttpRouter) -> Any:
    """The decoded JSON body: 400 when it is not JSON, 422 when there is none."""
    event = router.current_event
    raw = event.decoded_body
    if raw is None or not raw.strip():
        raise ValidationFailed("a JSON object body is required", field="body")
    try:
        data = event.json_body  # parsed once per request; the routes' idempotency hash reads it too
        if _SURROGATE_ESCAPE.search(raw):
            # `"\ud800"` is valid JSON but no text: a lone surrogate cannot be stored or sent on.
            json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MalformedRequest("the request body holds a lone UTF-16 surrogate escape (\\udXXX)") from exc
    except ValueError as exc:
        raise MalformedRequest(f"the request body is not valid JSON: {exc}") from exc
    return data


def read_body(router: APIGatewayHttpRouter, model: type[Record]) -> Any:
    """The JSON body checked against `model`: 400 when it is not JSON, 422 naming the bad field."""
    data = read_json(router)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise failure(exc) from None


def read_query(router: APIGatewayHttpRouter, param: Param) -> Any:
    values = router.current_event.query_string_parameters or {}
    raw = values.get(param.name)
    if raw is None:
        if param.required:
            raise ValidationFailed(f"{param.name} is required", field=param.name)
        return param.default
    value: Any = raw
    if base_type(param.type) is int:
        # A query string is text: an integer parameter takes ASCII digits (no "2.5", "1e3" or "٥").
        stripped = raw.strip()
        if not _INTEGER.fullmatch(stripped):
            raise ValidationFailed(f"{param.name}: must be an integer", field=param.name)
        value = int(stripped)
    try:
        return convert(value, param.type, (param.name,))
    except ValidationError as exc:
        raise ValidationFailed(f"{param.name}: {exc.errors()[0]['msg']}", field=param.name) from None


def route(
    router: APIGatewayHttpRouter,
    method: str,
    path: str,
    *,
    summary: str,
    tag: str,
    body: type[Record] | None = None,
    query: tuple[Param, ...] = (),
    response: type[Record] | None = None,
    status: int = 200,
    responses: dict[int, str] | None = None,
    security: str = "apiKey",
    documented_body: type[Record] | None = None,
    example: dict[str, Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a documented route; the handler gets its path parameters, `body` and query values.

    `documented_body` describes a body the handler reads and checks itself (a partial update)."""

    def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
        OPERATIONS.append(
            Operation(
                method=method,
                path=path,
                summary=summary,
                tag=tag,
                name=handler.__name__,
                description=" ".join(handler.__doc__.split()) if handler.__doc__ else None,
                body=body or documented_body,
                query=query,
                response=response,
                status=status,
                responses=responses or {},
                security=security,
                example=example,
            )
        )

        def call(**path_args: Any) -> Any:
            arguments = dict(path_args)
            if body is not None:
                arguments["body"] = read_body(router, body)
            for param in query:
                arguments[param.keyword] = read_query(router, param)
            return handler(**arguments)

        call.__name__ = handler.__name__
        router.route(path, method.upper())(call)
        return handler

    return decorate
