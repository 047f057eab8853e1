"""sms sender: delivers queued sms messages with partial batch responses."""

from typing import Any

from vafa.jobs.senders import handle


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event, context)
