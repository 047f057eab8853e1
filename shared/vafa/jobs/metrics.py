"""The metrics schedule: fold new activity into each merchant's retention aggregates.

The run has Lambda's remaining time less a reserve as its budget: it stops between two timeline pages,
commits what it folded with each merchant's cursor, answers `cut_short`, and the next run goes on."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics

from vafa.insight.metrics.job import run_metrics
from vafa.jobs.budget import Budget
from vafa.jobs.schedule import event_time
from vafa.store.table import ensure_configured
from vafa.tracing import capture_handler

logger = Logger(service="vafa-metrics")
metrics = Metrics(namespace="Vafa", service="vafa-metrics")


@logger.inject_lambda_context
@capture_handler("vafa-metrics")
@metrics.log_metrics
def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ensure_configured()
    result = run_metrics(event_time(event), logger, metrics, Budget.from_context(context))
    logger.info("metrics run", extra=result)
    return result
