"""Expiry function: on each schedule tick, expire credit lots that are past due."""

from typing import Any

from vafa.jobs.expiry import handle


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event, context)
