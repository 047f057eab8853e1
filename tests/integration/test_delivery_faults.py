"""Every message ends sent once, or failed with its reason: the fault drill, on the session's stand-in.

The gateway stand-in fails 20% of sends (errors, throttling, no answer, answering after accepting),
5% of deliveries crash mid-way, every queue message arrives twice. `python -m vafa_dev.bench.faults`
runs the same drill with 1,000 messages (README, Delivery guarantees).
"""

from __future__ import annotations

from datetime import timedelta

from vafa_dev.bench.faults import run_drill


def test_under_faults_no_message_is_sent_twice_or_lost(isolated_stack: object) -> None:
    result = run_drill(messages=150, failure_rate=0.2, crash_rate=0.05, seed=11)
    assert result["sent_twice"] == 0
    assert result["lost"] == 0
    assert result["sent_once"] + result["failed_visibly"] == 150
    # The faults really happened, and most messages still went out.
    assert sum(result["crashes"].values()) > 0
    assert result["sent_once"] > 120


def test_a_program_left_on_the_local_provider_sends_nothing_outside_the_local_stack(monkeypatch) -> None:
    from vafa.config import settings
    from vafa.messaging.decide import channel_configured
    from vafa.program import Program, SmsSettings

    monkeypatch.delenv("VAFA_LOCAL_STACK", raising=False)
    settings.cache_clear()
    try:
        assert not channel_configured(Program(), "sms")  # a new merchant has no gateway
        assert not channel_configured(Program(sms=SmsSettings(provider="local")), "sms")
        assert channel_configured(Program(sms=SmsSettings(provider="kavenegar")), "sms")
        monkeypatch.setenv("VAFA_LOCAL_STACK", "1")
        settings.cache_clear()
        assert channel_configured(Program(sms=SmsSettings(provider="local")), "sms")
    finally:
        settings.cache_clear()


def test_a_delivery_that_finds_a_fresh_claim_comes_back_later_instead_of_dropping_it(
    isolated_stack: object,
) -> None:
    from datetime import UTC, datetime

    import pytest
    from vafa.messaging import delivery as sender
    from vafa.messaging.outbox import Outbox
    from vafa.store import keys as k
    from vafa.store.models import NotificationItem
    from vafa_dev.bench.faults import drill_environment, queued_sms
    from vafa_dev.local.fake_sms import FakeSmsServer

    gateway = FakeSmsServer(api_key="claim-key")
    gateway.start()
    try:
        with drill_environment():
            now = datetime.now(UTC).replace(microsecond=0)
            merchant, [message] = queued_sms(1, gateway, now)
            note = NotificationItem.get(k.customer_pk(merchant, message["customer_id"]), message["note_sk"])
            assert sender._claim(note, now)  # another sender holds it, then dies before the gateway call
            with pytest.raises(sender.Retry):
                sender.deliver(message, now, "", Outbox(), clock=lambda: now)
            assert NotificationItem.get(note.PK, note.SK).status == "sending"  # not dropped
            later = now + sender.RECLAIM_AFTER + timedelta(seconds=1)
            outcome = sender.deliver(message, later, "", Outbox(), clock=lambda: later)
            assert outcome.status == "sent"
            assert len(gateway.sent) == 1  # the gateway, asked first, had not sent it: now it has, once
    finally:
        gateway.stop()


def test_a_message_a_slow_sender_has_not_claimed_is_queued_again_once_not_every_run(
    isolated_stack: object,
) -> None:
    from datetime import UTC, datetime

    from vafa.jobs.reminders import release_outbox
    from vafa.messaging.decide import RESEND_AFTER, STUCK_AFTER
    from vafa.messaging.outbox import Outbox
    from vafa_dev.bench.faults import _Recorder, drill_environment, queued_sms
    from vafa_dev.local.fake_sms import FakeSmsServer

    gateway = FakeSmsServer(api_key="slow-key")
    gateway.start()
    try:
        with drill_environment():
            now = datetime.now(UTC).replace(microsecond=0)
            merchant, _ = queued_sms(1, gateway, now)
            runs = [now + timedelta(minutes=15 * i) for i in range(1, 8)]  # every reminders run, 1h45
            released: list[int] = []
            for at in runs:
                recorder = _Recorder()
                outbox = Outbox(sqs=recorder)
                released.append(release_outbox(merchant, at, outbox))
                outbox.flush()
            # Not claimed for 105 minutes: queued again once it has waited 30 minutes (STUCK_AFTER),
            # then only an hour later (RESEND_AFTER), not on every 15-minute run.
            assert (STUCK_AFTER, RESEND_AFTER) == (timedelta(minutes=30), timedelta(hours=1))
            assert released == [0, 1, 0, 0, 0, 1, 0]
    finally:
        gateway.stop()
