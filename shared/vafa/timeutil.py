"""ISO-8601 timestamps: parsed strictly, always aware, written in UTC with a `Z`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# The earliest moment the API accepts from outside (api.md, Conventions): older dates are typos or
# probes, and every stored time then has a four-digit year, so stored times sort as strings.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
# How far ahead of the request a shop's clock may run: a time beyond this is a mistake, not skew.
MAX_AHEAD = timedelta(minutes=5)


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
    try:
        return parsed.astimezone(UTC).replace(microsecond=0)
    except OverflowError:  # 9999-12-31T23:59:59-14:00 is past the last representable instant
        raise ValueError("is out of range") from None


def parse_outside_instant(text: str, now: datetime | None = None) -> datetime:
    """A timestamp from outside: parsed, not before 2000-01-01 and, given `now`, not in the future."""
    moment = parse_instant(text)
    if moment < EARLIEST:
        raise ValueError("must not be before 2000-01-01")
    if now is not None and moment > now + MAX_AHEAD:
        raise ValueError("must not be in the future")
    return moment


def iso(moment: datetime) -> str:
    """Format as `2026-11-22T10:00:00Z`: whole seconds, four-digit year, so it parses back and sorts."""
    m = moment.astimezone(UTC)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"
