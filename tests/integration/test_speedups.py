"""The stand-in's speed-ups change how moto finds and writes out answers, never the answers.

A small demo shop is seeded (history import, purchases, redemptions, refunds, reminders with their
conditional transactions, clicks, the metrics run) with the speed-ups on, and every DynamoDB
response body, Query result and projection is also computed by moto's own code and compared.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from vafa_dev.local.stack import LocalStack


@pytest.fixture
def local_stack(isolated_stack: LocalStack) -> LocalStack:
    """Tables of its own: the schedules it runs and the stand-in's scans see only this shop."""
    return isolated_stack


def test_every_answer_is_the_one_moto_gives_without_them(local_stack: LocalStack) -> None:
    from moto.core.responses import ActionResult
    from moto.dynamodb.models import dynamo_type
    from moto.dynamodb.models.table import Table
    from vafa_dev.demo import create_demo_shop
    from vafa_dev.local.speedups import fast_stand_in

    own = (ActionResult.execute_result, Table.query, dynamo_type.Item.project)
    compared: Counter[str] = Counter()
    different: list[str] = []

    with fast_stand_in():
        fast = (ActionResult.execute_result, Table.query, dynamo_type.Item.project)

        def execute_result(self: Any, context: Any) -> Any:
            answer = fast[0](self, context)
            if context.service_model.service_name == "dynamodb":
                reference = own[0](self, context)
                compared[context.operation_model.name] += 1
                if answer[0] != reference[0] or json.loads(answer[2] or "{}") != json.loads(
                    reference[2] or "{}"
                ):
                    different.append(f"{context.operation_model.name}: {reference[2][:200]}")
            return answer

        def query(self: Any, *args: Any, **kwargs: Any) -> Any:
            answer = fast[1](self, *args, **kwargs)
            reference = own[1](self, *args, **kwargs)
            compared["Query (items)"] += 1
            if [i.attrs for i in answer[0]] != [i.attrs for i in reference[0]] or answer[1:] != reference[1:]:
                different.append(f"Query on {self.name}: {len(answer[0])} items, moto {len(reference[0])}")
            return answer

        def project(self: Any, expressions: list[list[str]]) -> Any:
            answer, reference = fast[2](self, expressions), own[2](self, expressions)
            compared["projection"] += 1
            if {k: v.to_json() for k, v in answer.attrs.items()} != {
                k: v.to_json() for k, v in reference.attrs.items()
            }:
                different.append(f"projection {expressions}")
            return answer

        ActionResult.execute_result = execute_result  # type: ignore[method-assign]
        Table.query = query  # type: ignore[method-assign]
        dynamo_type.Item.project = project  # type: ignore[method-assign]
        try:
            shop = create_demo_shop(
                local_stack.run_schedule, now=datetime(2026, 6, 1, 12, tzinfo=UTC), customers=40
            )
        finally:
            ActionResult.execute_result, Table.query, dynamo_type.Item.project = fast  # type: ignore[method-assign]

    assert shop["live_orders"] > 0 and shop["history_orders"] > 0
    assert different == []
    for kind in (
        "Query (items)",
        "projection",
        "TransactWriteItems",
        "BatchGetItem",
        "GetItem",
        "PutItem",
        "UpdateItem",
    ):
        assert compared[kind] > 0, kind
