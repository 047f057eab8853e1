"""Retention insight: the metrics behind the dashboard."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from vafa.api.context import merchant_id, request_time
from vafa.errors import ValidationFailed

router = APIGatewayHttpRouter()
DATE = r"^\d{4}-\d{2}-\d{2}$"


def _day(value: str | None, field: str, default: date) -> date:
    if value is None:
        return default
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise ValidationFailed(f"{field} must be a date (YYYY-MM-DD)", field=field) from exc


@router.get("/v1/metrics", tags=["Insight"], summary="Retention metrics for a date range, as of the last run")
def get_metrics(
    from_: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    to: Annotated[str | None, Query(max_length=40)] = None,
) -> dict[str, Any]:
    merchant = merchant_id(router)
    today = request_time(router).date()
    end = _day(to, "to", today)
    start = _day(from_, "from", end - timedelta(days=365))
    if start > end:
        raise ValidationFailed("from must not be after to", field="from")
    from vafa.metrics.job import metrics_report

    return metrics_report(merchant, start, end)
