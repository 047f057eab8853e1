"""API function: every `/v1` route, `/openapi.json` and `/docs`, served by one Powertools resolver."""

from typing import Any

from vafa.api.app import handle


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event, context)
