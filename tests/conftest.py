"""Shared fixtures: one AWS stand-in per test process, tables built from template.yaml itself."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from vafa.local.aws import AwsStandIn, use_endpoint

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
    from vafa.local.stack import provision

    provision(ROOT, aws_endpoint)
    return os.environ["VAFA_TABLE"]


@pytest.fixture
def merchant(table: str) -> str:
    """A fresh merchant per test: tenant isolation keeps tests apart without new tables."""
    from vafa.merchants import create_merchant

    return create_merchant("Test shop", datetime.now(UTC)).merchant_id
