"""Shared fixtures: one AWS stand-in per test process, tables built from template.yaml itself."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from vafa_dev.local.aws import AwsStandIn, use_endpoint

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def aws_endpoint() -> Iterator[str]:
    """A moto server on loopback serving one request at a time, shared by the whole session."""
    previous = os.environ.get("AWS_ENDPOINT_URL")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    stand_in = AwsStandIn()
    endpoint = stand_in.start()
    use_endpoint(endpoint)
    os.environ["POWERTOOLS_TRACE_DISABLED"] = "true"
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    yield endpoint
    stand_in.stop()
    if previous:
        os.environ["AWS_ENDPOINT_URL"] = previous


@pytest.fixture(scope="session")
def table(aws_endpoint: str) -> str:
    """The single table, created from the template's own properties."""
    from vafa_dev.local.stack import provision

    provision(ROOT, aws_endpoint)
    return os.environ["VAFA_TABLE"]


@pytest.fixture
def merchant(table: str) -> str:
    """A fresh merchant per test: tenant isolation keeps tests apart without new tables."""
    from vafa.merchants import create_merchant

    return create_merchant("Test shop", datetime.now(UTC)).merchant_id


@pytest.fixture
def isolated_stack(table: str) -> Iterator[object]:
    """A local stack on tables and queues of its own in the session's stand-in.

    For tests whose cost grows with everything else the session wrote: scheduled runs and moto's own
    scans then see only this test's data. The environment is restored afterwards, so the tests that
    follow are back on the session's table.
    """
    from vafa.store import table as store_table
    from vafa_dev.local.stack import LocalStack

    saved = dict(os.environ)
    os.environ["VAFA_LOCAL_PREFIX"] = f"vafa-iso-{uuid.uuid4().hex[:8]}"
    stack = LocalStack(port=0)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()
        os.environ.clear()
        os.environ.update(saved)
        store_table.reset()
