"""The rim around the pure decision: a batch's contact records in one read, each message written
once with its dedupe guard, the batch's counters in one write."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from vafa.messaging import counters, policy
from vafa.messaging.candidate import Candidate
from vafa.messaging.decide import decide_batch, read_contacts
from vafa.messaging.outbox import Outbox
from vafa.program import Program
from vafa.store import keys as k
from vafa.store.models import CustomerItem
from vafa_dev.bench.calls import CallRecorder
from vafa_dev.bench.faults import _Recorder

NOW = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)  # 14:30 in Tehran


def _program(**settings: Any) -> Program:
    base = {"quiet_hours": None, "channel_order": ["sms"], "sms": {"provider": "kavenegar"}}
    return Program.model_validate({**base, **settings})


def _customer(merchant: str, customer_id: str) -> CustomerItem:
    """A profile as a kind hands it over: decide_batch reads no profile."""
    return CustomerItem(
        k.customer_pk(merchant, customer_id),
        k.PROFILE,
        customer_id=customer_id,
        phone="+989121234567",
        consent={"sms": True},
        balance=0,
    )


def _ask(kind: str, ref: str, campaign_id: str | None = None) -> Candidate:
    return Candidate(kind=kind, dedupe_key=f"{kind}#{ref}", ref=ref, campaign_id=campaign_id)


def test_two_messages_for_one_customer_in_a_batch_both_see_the_weekly_cap(merchant: str) -> None:
    program = _program(max_marketing_messages_per_week=1)
    outbox = Outbox(sqs=_Recorder())
    sara, reza = _customer(merchant, "sara"), _customer(merchant, "reza")
    pairs = [
        (sara, _ask("win_back", "a")),
        (reza, _ask("win_back", "a")),
        (sara, _ask("expiry_reminder", "b")),
    ]
    decisions = decide_batch(merchant, program, pairs, NOW, outbox, "https://l.example")
    assert [(d.status, d.reason) for d in decisions if d] == [
        ("queued", None),
        ("queued", None),
        ("suppressed", "frequency_cap"),
    ]
    outbox.flush()
    assert outbox.messages == 2
    stored = read_contacts(merchant, ["sara", "reza", "nobody"])
    assert set(stored) == {"sara", "reza"}  # created by their first marketing message
    assert stored["sara"].marketing_sent == '["2026-11-22T11:00:00Z"]'
    # Decided once: the same batch again decides nothing and counts nothing more.
    before = counters.read(merchant)
    assert decide_batch(merchant, program, pairs, NOW, Outbox(sqs=_Recorder()), "") == [None, None, None]
    assert counters.read(merchant) == before == {"expiry_reminder": {"suppressed": 1}}


def test_a_batch_reads_its_contacts_once_and_writes_its_counters_once(merchant: str) -> None:
    program = _program(holdout_percent=50, max_marketing_messages_per_week=5)
    ids = [f"c{i}" for i in range(30)]
    held = [c for c in ids if policy.in_holdout(merchant, c, 50)]
    assert 0 < len(held) < len(ids)
    pairs = [(_customer(merchant, c), _ask("campaign", "spring", campaign_id="spring")) for c in ids]
    recorder = CallRecorder()
    recorder.install()
    recorder.hook_pynamodb_clients()
    try:
        with recorder.record() as recording:
            decisions = decide_batch(merchant, program, pairs, NOW, Outbox(sqs=_Recorder()), "")
    finally:
        recorder.uninstall()
    held_out = [c for c, d in zip(ids, decisions, strict=True) if d and d.reason == "holdout"]
    assert held_out == held
    assert recording.operations().count("BatchGetItem") == 1
    assert recording.operations().count("TransactWriteItems") == len(ids)
    assert recording.operations().count("UpdateItem") == 1  # every counter of the batch at once
    assert len(recording.calls) == len(ids) + 2
    n = len(held)
    assert counters.read(merchant) == {
        "campaign": {"suppressed": n, "holdout": n},
        "campaign:spring": {"suppressed": n, "holdout": n},
    }


def test_an_opt_out_recorded_on_the_contact_suppresses_the_message(merchant: str) -> None:
    from vafa.messaging.contacts import set_opt_out

    set_opt_out(merchant, "sara", "sms", True)
    [decision] = decide_batch(
        merchant, _program(), [(_customer(merchant, "sara"), _ask("birthday", "2026"))], NOW, Outbox(), ""
    )
    assert decision is not None and (decision.status, decision.reason) == ("suppressed", "opted_out")
