"""Reminders function: on each schedule tick, decide and queue every reminder that is due."""

from typing import Any

from vafa.jobs.reminders import handle


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event, context)
