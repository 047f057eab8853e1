"""Metrics function: on each schedule tick, fold new activity into the retention aggregates."""

from typing import Any

from vafa.jobs.metrics import handle


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event, context)
