"""What every scheduled function shares: "now" from the event, never from the wall clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vafa.timeutil import parse_instant


def event_time(event: dict[str, Any]) -> datetime:
    """The EventBridge event's `time`: a late or replayed run decides as of when it was due."""
    value = event.get("time")
    if not isinstance(value, str):
        raise ValueError("scheduled event has no 'time'")
    return parse_instant(value)
