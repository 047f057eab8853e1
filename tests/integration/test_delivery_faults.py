"""Every message ends sent once, or failed with its reason: the fault drill, on the session's stand-in.

The gateway stand-in fails 20% of sends (errors, throttling, no answer, answering after accepting),
5% of deliveries crash mid-way, every queue message arrives twice. `python -m vafa.bench.faults`
runs the same drill with 1,000 messages (README, Delivery guarantees).
"""

from __future__ import annotations

from vafa.bench.faults import run_drill


def test_under_faults_no_message_is_sent_twice_or_lost(table: str) -> None:
    result = run_drill(messages=150, failure_rate=0.2, crash_rate=0.05, seed=11)
    assert result["sent_twice"] == 0
    assert result["lost"] == 0
    assert result["sent_once"] + result["failed_visibly"] == 150
    # The faults really happened, and most messages still went out.
    assert sum(result["crashes"].values()) > 0
    assert result["sent_once"] > 120
