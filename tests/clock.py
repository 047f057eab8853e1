"""Dates for tests, derived from the real today so the suite passes on any date it is run.

The stack takes "now" from each request or schedule event, so a test picks times relative to today:
a purchase a couple of days back, a reminders run weeks ahead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

TODAY: date = datetime.now(UTC).date()


def day(offset: int) -> str:
    """The ISO date `offset` days from today (negative: in the past)."""
    return (TODAY + timedelta(days=offset)).isoformat()


def at(on: str, hhmm: str = "06:30") -> str:
    """A UTC timestamp on the ISO date `on`; 06:30Z is 10:00 in Tehran, outside default quiet hours."""
    return f"{on}T{hhmm}:00Z"


# A purchase 27 days ago earns credit that expires 30 days after it (the default program), on
# EXPIRY_DAY; the first expiry reminder (3 days before) is due today. The purchase is old enough that
# no feedback ask was scheduled for it (asks are not made about orders already past their day).
PURCHASE_DAY = day(-27)
REMINDER_DAY = day(0)
EXPIRY_DAY = day(3)
