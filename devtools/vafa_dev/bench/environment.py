"""The benchmark's own AWS stand-in: moto behind its lock, tables built from template.yaml."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from vafa_dev.bench.calls import CallRecorder, CountingMiddleware
from vafa_dev.bench.capacity import TableShape
from vafa_dev.local.aws import AwsStandIn, use_endpoint
from vafa_dev.local.resources import REGION, Resolver, create_tables
from vafa_dev.local.template import Template, load_template

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "template.yaml"


@dataclass
class BenchEnvironment:
    """A running stand-in, the recorder hooked into it, and a raw client for uncounted snapshots."""

    stand_in: AwsStandIn
    endpoint: str
    template: Template
    recorder: CallRecorder
    shape: TableShape
    raw: Any  # boto3 DynamoDB client; its calls happen outside recordings and are not counted

    def use_table(self, prefix: str) -> str:
        """Create the template's table under `prefix` and point the models at it."""
        from vafa.store import table

        resolver = Resolver(self.template, prefix)
        name = create_tables(self.template, resolver, self.endpoint)["Table"]
        os.environ["VAFA_TABLE"] = name
        os.environ["VAFA_LOCAL_STACK"] = "1"  # bench merchants name the in-memory SMS stand-in
        table.reset()
        return name

    def stop(self) -> None:
        self.recorder.uninstall()
        self.stand_in.stop()


def table_shape(template: Template) -> TableShape:
    resolver = Resolver(template, "bench")
    ((_, props),) = template.resources("AWS::DynamoDB::Table").items()
    return TableShape.from_properties(resolver.resolve(props))


def start() -> BenchEnvironment:
    """Start the stand-in, hook botocore, and quiet Powertools for the in-process parts."""
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ["POWERTOOLS_TRACE_DISABLED"] = "true"
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    # The bench runs as the local stack does: its merchants name the in-memory SMS stand-in.
    os.environ["VAFA_LOCAL_STACK"] = "1"
    recorder = CallRecorder()
    stand_in = AwsStandIn(per_item_rollback=False)  # counts and the stock-rollback row use stock moto
    endpoint = stand_in.start()
    server = stand_in._server
    assert server is not None
    server.app = CountingMiddleware(server.app, recorder)
    use_endpoint(endpoint)
    template = load_template(TEMPLATE)
    raw = boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION)
    recorder.install()
    return BenchEnvironment(stand_in, endpoint, template, recorder, table_shape(template), raw)
