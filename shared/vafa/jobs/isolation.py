"""One merchant's bad data never stops a scheduled run for the others.

Each merchant's share of a run goes through `each_merchant`: an error is logged with the merchant
and the traceback, counted in the `MerchantRunFailures` metric (the template alarms on it), and the
run moves on. The run's answer names the merchants that failed, so a local run shows it too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from vafa.jobs.budget import BudgetSpent

T = TypeVar("T")


@dataclass
class Isolated:
    """What a run saw: the merchants whose share failed, by id, with the error's type."""

    failed: dict[str, str] = field(default_factory=dict)

    def each_merchant(
        self, merchants: Iterable[str], work: Callable[[str], T], logger: Any
    ) -> Iterator[tuple[str, T]]:
        for merchant_id in merchants:
            try:
                yield merchant_id, work(merchant_id)
            except BudgetSpent:
                raise  # the run's time is up: not this merchant's fault
            except Exception as exc:  # the one place a run survives any merchant's error
                logger.exception("merchant skipped", extra={"merchant_id": merchant_id})
                self.failed[merchant_id] = type(exc).__name__

    def report(self, metrics: Any | None = None) -> dict[str, Any]:
        """The run's answer fields; with `metrics`, the failure count for the alarm."""
        if metrics is not None:
            from aws_lambda_powertools.metrics import MetricUnit

            metrics.add_metric(name="MerchantRunFailures", unit=MetricUnit.Count, value=len(self.failed))
        return {"merchants_failed": sorted(self.failed)}
