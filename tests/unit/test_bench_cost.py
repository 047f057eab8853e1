"""The cost arithmetic of `make bench`: the price table applied to measured figures, and the scheduled
work counted above each function's idle run."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from vafa_dev.bench import cost, goals, prices
from vafa_dev.bench.calls import Call, Recording
from vafa_dev.bench.capacity import Capacity
from vafa_dev.bench.engine import SqsCount
from vafa_dev.bench.scenarios import RETURNING_LATER
from vafa_dev.bench.scheduled import Run, summarize

AT = datetime(2026, 3, 2, tzinfo=UTC)


def _path(cpu_ms: float, wcu: float, rcu: float, log_bytes: float) -> cost.RequestPath:
    kind = cost.PathFigures(
        RETURNING_LATER, cpu_ms, 100.0, log_bytes, ["BatchGetItem", "TransactWriteItems"], wcu, rcu, [201]
    )
    return cost.RequestPath(cost.Lambda(512, "arm64", True), 0, 0, 0, 0, [kind])


def test_the_request_path_costs_what_the_price_table_says() -> None:
    path = _path(cpu_ms=10.0, wcu=6, rcu=2, log_bytes=1000)
    kind = path.kinds[0]
    # 10 ms of CPU at 512 MB's share of a vCPU, plus one batch read and one transaction
    assert cost.duration_ms(path, kind) == pytest.approx(10 * 1769 / 512 + 6 + 12)
    costs = cost.request_costs(path, kind)
    assert costs["HTTP API"] == pytest.approx(1.00)
    assert costs["Lambda requests"] == pytest.approx(0.20)
    assert costs["Lambda duration"] == pytest.approx(53 / 1000 * 0.5 * 1e6 * prices.LAMBDA_ARM64_GB_S.usd)
    assert costs["DynamoDB writes"] == pytest.approx(6 * 0.625)
    assert costs["DynamoDB reads"] == pytest.approx(2 * 0.125)
    assert costs["CloudWatch Logs"] == pytest.approx(1000 * 1e6 / 1e9 * 0.50)
    assert cost.headline(path) == pytest.approx(sum(costs.values()))


def _run(function: str, calls: list[str], wcu: float, sqs: int = 0) -> Run:
    recording = Recording([Call(name, {}) for name in calls])
    count = SqsCount()
    count.requests["SendMessageBatch"] = sqs
    return Run(function, AT, recording, Capacity(wcu=wcu, rcu=len(calls) / 2), count)


def test_scheduled_work_is_what_runs_cost_above_the_idle_run() -> None:
    runs = [
        _run("Reminders", ["Query", "Query"], 0),
        _run("Reminders", ["Query", "Query", "GetItem", "TransactWriteItems"], 4, sqs=1),
        _run("Reminders", ["Query", "Query"], 0),
    ]
    (work,) = summarize(runs, ["Reminders"])
    assert (work.runs, work.busy, work.idle_calls) == (3, 1, 2)
    assert (work.calls, work.wcu, work.rcu, work.sqs) == (2, 4, 1.0, 1)
    assert dict(work.operations) == {"GetItem": 1, "TransactWriteItems": 1}


def test_the_goal_column_says_met_or_the_distance() -> None:
    assert goals._at_most(5, 6) == "✓ ≤ 6"
    assert goals._at_most(21, 6) == "✗ ≤ 6 (15 over)"
    assert goals._at_most(15.1, 6, lambda v: f"${v:.2f}") == "✗ ≤ $6.00 ($9.10 over)"
