"""Retention insight: the metrics behind the dashboard."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from vafa.api.binding import Param, route
from vafa.api.context import merchant_id, request_time
from vafa.api.schemas import MetricsOut
from vafa.errors import ValidationFailed
from vafa.records import Meta

router = APIGatewayHttpRouter()
DATE = r"^\d{4}-\d{2}-\d{2}$"
DAY = Annotated[str, Meta(max_length=40)]  # read by `_day`, which names the parameter when it is no date


def _day(value: str | None, field: str, default: date) -> date:
    if value is None:
        return default
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise ValidationFailed(f"{field} must be a date (YYYY-MM-DD)", field=field) from exc


@route(
    router,
    "GET",
    "/v1/metrics",
    tag="Insight",
    summary="Retention metrics for a date range, as of the last run",
    response=MetricsOut,
    query=(
        Param("from", DAY, argument="from_", description="First day, YYYY-MM-DD"),
        Param("to", DAY, description="Last day, YYYY-MM-DD; default today"),
    ),
)
def get_metrics(from_: str | None, to: str | None) -> dict[str, Any]:
    merchant = merchant_id(router)
    today = request_time(router).date()
    end = _day(to, "to", today)
    start = _day(from_, "from", end - timedelta(days=365))
    if start > end:
        raise ValidationFailed("from must not be after to", field="from")
    from vafa.insight.metrics.job import metrics_report

    return metrics_report(merchant, start, end)
