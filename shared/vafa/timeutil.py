"""ISO-8601 timestamps: parsed strictly, always aware, written in UTC with a `Z`."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_instant(text: str) -> datetime:
    """Parse an ISO-8601 timestamp that carries an offset; naive times are rejected."""
    if not isinstance(text, str) or not 10 <= len(text) <= 40:
        raise ValueError("must be an ISO-8601 timestamp with offset")
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("must carry a UTC offset, e.g. 2026-11-22T10:00:00Z")
    return parsed.astimezone(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """Format as `2026-11-22T10:00:00Z`: whole seconds, so stored times sort as strings."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_now() -> datetime:
    """The request time; only entry points call this, never business rules."""
    return datetime.now(UTC).replace(microsecond=0)
