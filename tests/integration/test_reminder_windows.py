"""A customer inside an expiry or birthday window is decided once: later runs of the window skip
them after one batched check, so a run's cost does not grow with the customers already handled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vafa.customers import ProfileIn
from vafa.jobs.budget import Budget
from vafa.jobs.reminders import run_for_merchant
from vafa.merchants import ProgramStore, create_merchant
from vafa.messaging.outbox import Outbox
from vafa.program import Program
from vafa.wallet import operations
from vafa_dev.bench.calls import CallRecorder
from vafa_dev.bench.faults import _Recorder

NOW = datetime.now(UTC).replace(hour=6, minute=30, second=0, microsecond=0)


def _shop(customers: int) -> tuple[str, Program]:
    settings = {"quiet_hours": None, "channel_order": ["sms"], "max_marketing_messages_per_week": 100}
    program = Program.model_validate({**settings, "sms": {"provider": "local"}})
    merchant = create_merchant("windows", NOW - timedelta(days=60), program).merchant_id
    today = NOW.date()
    for i in range(customers):
        profile = ProfileIn.model_validate(
            {
                "phone": f"0912{i:07d}",
                "consent": {"sms": True},
                "birthday": {"calendar": "gregorian", "date": f"1990-{today.month:02d}-{today.day:02d}"},
            }
        )
        request = operations.PurchaseRequest(
            f"o{i}", f"c{i}", 1_000_000, NOW - timedelta(days=28), profile, None, {"i": i}
        )
        operations.record_purchase(merchant, request, program, NOW - timedelta(days=28))
    return merchant, ProgramStore(0).get(merchant)


def _run(recorder: CallRecorder, merchant: str, program: Program, at: datetime) -> tuple[dict[str, int], int]:
    outbox = Outbox(sqs=_Recorder())
    with recorder.record() as recording:
        counts = run_for_merchant(merchant, program, at, outbox)
    outbox.flush()
    return counts, recording.round_trips


def test_a_second_run_inside_the_windows_costs_the_same_for_10_or_40_customers(
    isolated_stack: object, monkeypatch
) -> None:
    monkeypatch.setenv("VAFA_LOCAL_STACK", "1")
    from vafa.store import table

    table.reset()
    recorder = CallRecorder()
    recorder.install()
    recorder.hook_pynamodb_clients()
    try:
        later: list[int] = []
        for size in (10, 40):
            merchant, program = _shop(size)
            first, _ = _run(recorder, merchant, program, NOW)
            assert first.get("expiry_reminder:queued") == size and first.get("birthday:queued") == size
            again, trips = _run(recorder, merchant, program, NOW + timedelta(minutes=15))
            assert not any(key.endswith((":queued", ":suppressed")) for key in again)  # nothing decided twice
            later.append(trips)
        print(f"repeat run inside the windows: {later} DynamoDB round trips for 10 / 40 customers")
        assert later[0] == later[1], later  # the customers already greeted and reminded cost nothing more
    finally:
        recorder.uninstall()


class _Decisions(Budget):
    """A budget measured in decisions, so the test can cut a run short at an exact point."""

    def __init__(self, decisions: int) -> None:
        super().__init__(0)
        self.left = decisions

    def spent(self) -> bool:
        self.left -= 1
        return self.left < 0


def test_a_run_cut_short_by_its_budget_leaves_the_rest_for_the_next_run(
    isolated_stack: object, monkeypatch
) -> None:
    monkeypatch.setenv("VAFA_LOCAL_STACK", "1")
    from vafa.jobs.reminders import run_reminders
    from vafa.store import table

    table.reset()
    _shop(10)  # 10 expiry reminders, 10 birthday greetings and 10 feedback asks are due
    import vafa.messaging.outbox as outbox_module

    monkeypatch.setattr(outbox_module.Outbox, "sqs", property(lambda self: _Recorder()))
    first = run_reminders(NOW, _Decisions(7))
    assert first["cut_short"] is True
    decided_first = sum(v for key, v in first.items() if key.endswith(":queued"))
    assert decided_first == 7
    second = run_reminders(NOW + timedelta(minutes=15))
    assert second["cut_short"] is False
    decided_second = sum(v for key, v in second.items() if key.endswith(":queued"))
    assert decided_first + decided_second == 30  # every message decided, none twice
