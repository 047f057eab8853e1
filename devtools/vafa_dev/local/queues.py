"""Queue consumers as Lambda's SQS event source runs them: batches, partial failures, redrive."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3

from vafa_dev.local.functions import FunctionRunner
from vafa_dev.local.resources import REGION, Resolver
from vafa_dev.local.template import Template

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import MessageTypeDef

log = logging.getLogger("vafa_dev.local.queues")


@dataclass
class Consumer:
    function: str
    queue_url: str
    queue_arn: str
    batch_size: int
    partial_failures: bool


def consumers(template: Template, resolver: Resolver) -> list[Consumer]:
    found = []
    for fn in template.functions.values():
        for source in fn.queue_sources():
            arn = resolver.resolve(source.get("Queue"))
            url = next(
                (
                    u
                    for (logical, attr), a in resolver.attrs.items()
                    if attr == "Arn" and a == arn
                    for u in [resolver.attrs.get((logical, "QueueUrl"))]
                    if u
                ),
                None,
            )
            if not url:
                continue
            found.append(
                Consumer(
                    function=fn.logical_id,
                    queue_url=url,
                    queue_arn=str(arn),
                    batch_size=int(source.get("BatchSize", 10)),
                    partial_failures="ReportBatchItemFailures" in (source.get("FunctionResponseTypes") or []),
                )
            )
    return found


class QueueDrainer:
    """Runs every consumer until all its queues are empty (messages in DLQs stay there)."""

    def __init__(self, runner: FunctionRunner, consumers: list[Consumer], endpoint: str) -> None:
        self._runner = runner
        self._consumers = consumers
        self._sqs = boto3.client("sqs", endpoint_url=endpoint, region_name=REGION)

    def _event(self, consumer: Consumer, messages: list[MessageTypeDef]) -> dict[str, Any]:
        return {
            "Records": [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": m.get("Attributes", {}),
                    "messageAttributes": m.get("MessageAttributes", {}),
                    "md5OfBody": m.get("MD5OfBody", ""),
                    "eventSource": "aws:sqs",
                    "eventSourceARN": consumer.queue_arn,
                    "awsRegion": REGION,
                }
                for m in messages
            ]
        }

    def run_once(self, consumer: Consumer) -> int:
        """One receive-invoke-delete cycle; returns how many messages were handled successfully."""
        received = self._sqs.receive_message(
            QueueUrl=consumer.queue_url,
            MaxNumberOfMessages=min(consumer.batch_size, 10),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not received:
            return 0
        failed: set[str] = set()
        try:
            result = self._runner.invoke(consumer.function, self._event(consumer, received))
            if consumer.partial_failures and isinstance(result, dict):
                failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        except Exception:
            log.exception("consumer %s failed; the whole batch returns to the queue", consumer.function)
            failed = {m["MessageId"] for m in received}
        done = [m for m in received if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=consumer.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
        for m in received:
            if m["MessageId"] in failed:
                # Locally a failed message is retried at once instead of after the visibility timeout.
                self._sqs.change_message_visibility(
                    QueueUrl=consumer.queue_url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0
                )
        return len(done) + len(failed)

    def drain(self, max_rounds: int = 10_000) -> int:
        processed = 0
        for _ in range(max_rounds):
            progressed = 0
            for consumer in self._consumers:
                progressed += self.run_once(consumer)
            processed += progressed
            if not progressed:
                return processed
        return processed
