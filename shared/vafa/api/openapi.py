"""The OpenAPI 3.1 document and its Swagger UI, written from the routes' declarations (`binding`).

Only `GET /openapi.json` and `GET /docs` load this module.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from vafa import __version__
from vafa.api.binding import OPERATIONS, Operation
from vafa.records import schema_components

TITLE = "Vafa API"
DESCRIPTION = (
    "Record purchases, refunds and redemptions; customers earn expiring cashback. "
    "Server-to-server calls send `Authorization: Bearer <api_key>`; browser calls send `X-Site-Key`."
)
ERRORS = {
    "400": "Malformed JSON",
    "401": "Missing or unknown key",
    "404": "Not found (also: another merchant's id)",
    "409": "Conflict: insufficient balance, or an idempotency key reused with a different body",
    "413": "Body too large",
    "422": "Validation failed; `error.field` names the field",
    "429": "Throttled or busy; retry the same request",
}
ERROR_SCHEMA = {
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
_PATH_PARAM = re.compile(r"<(\w+)>")


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


class _Schemas:
    """The JSON Schema of every declared type the operations name, written by msgspec in one pass
    (records become components, referred to by `$ref`)."""

    def __init__(self, operations: list[Operation]) -> None:
        types: list[Any] = []
        for op in operations:
            types += [param.type for param in op.query]
            types += [record for record in (op.body, op.response) if record is not None]
        unique = list(dict.fromkeys(types))  # Annotated types and records are hashable
        schemas, self.components = schema_components(unique)
        for component in self.components.values():
            if component.get("required") == []:  # valid, but some OpenAPI tools read it as a mistake
                del component["required"]
        self._by_type = dict(zip(unique, schemas, strict=True))

    def of(self, type_: Any) -> dict[str, Any]:
        return dict(self._by_type[type_])


def _operation(op: Operation, schemas: _Schemas) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in _PATH_PARAM.findall(op.path)
    ]
    for param in op.query:
        schema = schemas.of(param.type)
        if param.default is not None:
            schema["default"] = param.default
        entry: dict[str, Any] = {
            "name": param.name,
            "in": "query",
            "required": param.required,
            "schema": schema,
        }
        if param.description:
            entry["description"] = param.description
        parameters.append(entry)
    success = {
        "description": op.responses.get(op.status, "OK" if op.status == 200 else "Created"),
        "content": _json(schemas.of(op.response) if op.response else {"type": "object"}),
    }
    responses: dict[str, Any] = {str(op.status): success}
    for status, text in op.responses.items():
        if status != op.status:
            responses[str(status)] = {**success, "description": text}
    for code, text in ERRORS.items():
        responses[code] = {"description": text, "content": _json({"$ref": "#/components/schemas/Error"})}
    operation: dict[str, Any] = {
        "tags": [op.tag],
        "summary": op.summary,
        "operationId": op.name,
        "responses": responses,
    }
    if op.description:
        operation["description"] = op.description
    if parameters:
        operation["parameters"] = parameters
    if op.body is not None:
        content = _json(schemas.of(op.body))
        if op.example is not None:
            content["application/json"]["example"] = op.example
        operation["requestBody"] = {"required": True, "content": content}
    if op.security != "apiKey":
        operation["security"] = [] if op.security == "none" else [{op.security: []}]
    return operation


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document of the routes registered so far."""
    schemas = _Schemas(OPERATIONS)
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        path = _PATH_PARAM.sub(r"{\1}", op.path)
        paths.setdefault(path, {})[op.method.lower()] = _operation(op, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": __version__, "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted({**schemas.components, "Error": ERROR_SCHEMA}.items())),
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The merchant's secret API key",
                },
                "siteKey": {"type": "apiKey", "in": "header", "name": "X-Site-Key"},
            },
        },
        "security": [{"apiKey": []}],
    }


def _swagger_asset(name: str) -> str:
    """Swagger UI's script and style as shipped inside the Powertools package (no CDN)."""
    import aws_lambda_powertools.event_handler as handler

    return (Path(handler.__file__).parent / "openapi" / "swagger_ui" / name).read_text(encoding="utf-8")


def swagger_page() -> str:
    """A self-contained Swagger UI page with the document inlined."""
    spec = json.dumps(document(), ensure_ascii=False).replace("</", "<\\/")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{TITLE}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{_swagger_asset("swagger-ui.min.css")}</style></head>
<body><div id="swagger-ui"></div>
<script>{_swagger_asset("swagger-ui-bundle.min.js")}</script>
<script>
window.ui = SwaggerUIBundle({{spec: {spec}, dom_id: "#swagger-ui", deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout", persistAuthorization: false}});
</script></body></html>"""
