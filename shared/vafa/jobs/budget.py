"""A scheduled run's time budget: stop cleanly before Lambda's timeout, and let the next run continue.

Due work leaves the due index only once it is decided, so whatever a run had no time for is simply
still due for the next one: the budget is the only cursor a run needs. `spent()` is asked before each
decision; the run then flushes what it queued and says it was cut short.
"""

from __future__ import annotations

import time
from typing import Any


class BudgetSpent(Exception):
    """Raised between two decisions once the run's time is up."""


class Budget:
    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    @classmethod
    def from_context(cls, context: Any, reserve_seconds: float = 30.0) -> Budget:
        """Lambda's remaining time less a reserve for flushing the outbox and answering."""
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        seconds = (remaining() / 1000.0) if callable(remaining) else 270.0
        return cls(max(1.0, seconds - reserve_seconds))

    def spent(self) -> bool:
        return time.monotonic() >= self.deadline

    def check(self) -> None:
        if self.spent():
            raise BudgetSpent()


class Unlimited(Budget):
    """No deadline (tests, the CLI)."""

    def __init__(self) -> None:
        super().__init__(float("inf"))

    def spent(self) -> bool:
        return False
