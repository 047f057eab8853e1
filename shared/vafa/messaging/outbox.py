"""Queues decided messages to the channel queues in batches of ten (one SQS request per ten)."""

from __future__ import annotations

import json
import os
import uuid
from collections import defaultdict
from typing import Any

CHANNELS = ("sms", "email", "push")


def queue_url(channel: str) -> str:
    url = os.environ.get(f"VAFA_QUEUE_{channel.upper()}")
    if not url:
        raise RuntimeError(f"VAFA_QUEUE_{channel.upper()} is not set")
    return url


class Outbox:
    """Collects messages per channel and sends them with SendMessageBatch."""

    def __init__(self, sqs: Any | None = None) -> None:
        self._sqs = sqs
        self._pending: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.requests = 0
        self.messages = 0

    @property
    def sqs(self) -> Any:
        if self._sqs is None:
            import boto3  # on first send only: a cold start that queues nothing never loads it

            from vafa.config import settings

            endpoint = os.environ.get("AWS_ENDPOINT_URL_SQS") or os.environ.get("AWS_ENDPOINT_URL")
            self._sqs = boto3.client("sqs", region_name=settings().region, endpoint_url=endpoint or None)
        return self._sqs

    def add(
        self, channel: str, merchant_id: str, customer_id: str, note_sk: str, *, visitor: bool = False
    ) -> None:
        """`visitor`: `customer_id` is an anonymous visitor's id (its message lives in its partition)."""
        body: dict[str, Any] = {"merchant_id": merchant_id, "customer_id": customer_id, "note_sk": note_sk}
        if visitor:
            body["visitor"] = True
        self._pending[channel].append(body)
        if len(self._pending[channel]) >= 10:
            self._flush_channel(channel)

    def _flush_channel(self, channel: str) -> None:
        batch, self._pending[channel] = self._pending[channel][:10], self._pending[channel][10:]
        if not batch:
            return
        entries = [{"Id": uuid.uuid4().hex, "MessageBody": json.dumps(body)} for body in batch]
        answer = self.sqs.send_message_batch(QueueUrl=queue_url(channel), Entries=entries)
        self.requests += 1
        self.messages += len(batch) - len(answer.get("Failed", []))
        if answer.get("Failed"):
            # Not lost: the notification stays in the outbox index and the next run re-queues it.
            raise RuntimeError(f"{len(answer['Failed'])} messages could not be queued to {channel}")

    def flush(self) -> None:
        for channel in list(self._pending):
            while self._pending[channel]:
                self._flush_channel(channel)
