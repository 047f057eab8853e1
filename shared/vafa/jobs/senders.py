"""Channel senders behind SQS: partial batch responses, so one bad message never fails the batch."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from vafa.messaging.delivery import Retry, deliver
from vafa.messaging.outbox import Outbox
from vafa.messaging.render import public_url
from vafa.store.table import ensure_configured
from vafa.tracing import capture_handler

logger = Logger(service="vafa-sender")


def _record_time(record: dict[str, Any]) -> datetime:
    """When SQS received the message: the sender's "now" comes from the event, not the wall clock."""
    sent = (record.get("attributes") or {}).get("SentTimestamp")
    if sent:
        return datetime.fromtimestamp(int(sent) / 1000, UTC).replace(microsecond=0)
    return datetime.now(UTC).replace(microsecond=0)


def handle_batch(event: dict[str, Any]) -> dict[str, Any]:
    failures: list[dict[str, str]] = []
    outbox = Outbox()
    for record in event.get("Records", []):
        try:
            message = json.loads(record["body"])
            outcome = deliver(message, _record_time(record), public_url(), outbox)
            logger.info("delivery", extra={"note": message.get("note_sk"), "outcome": outcome.status})
        except Retry as exc:
            logger.warning("transient delivery failure", extra={"error": str(exc)})
            failures.append({"itemIdentifier": record["messageId"]})
        except (KeyError, ValueError) as exc:
            # A malformed queue message can never succeed: let it reach the DLQ and its alarm.
            logger.error("malformed queue message", extra={"error": str(exc)})
            failures.append({"itemIdentifier": record["messageId"]})
    outbox.flush()
    return {"batchItemFailures": failures}


@logger.inject_lambda_context
@capture_handler("vafa-sender")
def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ensure_configured()
    return handle_batch(event)
