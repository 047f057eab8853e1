"""SMS gateways over real HTTP: SMS.ir against a local server that answers as its v1 API does, Amazon
SNS against the AWS stand-in, and the routing of Iranian and foreign numbers."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from vafa.channels.sms.factory import Routed, provider_for
from vafa.channels.sms.smsir import SmsIr
from vafa.channels.sms.sns import Sns
from vafa.local.fake_smsir import FakeSmsIrServer

KEY = "smsir-secret-key-123"


@pytest.fixture(scope="module")
def smsir() -> Iterator[FakeSmsIrServer]:
    server = FakeSmsIrServer(KEY)
    server.start()
    yield server
    server.stop()


def gateway(server: FakeSmsIrServer, key: str = KEY, timeout: float = 5.0) -> SmsIr:
    return SmsIr(key, "30007732", base_url=server.url, timeout=timeout)


def test_smsir_sends_to_the_national_number_with_the_key_in_a_header(smsir: FakeSmsIrServer) -> None:
    result = gateway(smsir).send("+989121234567", "سلام\nلغو ۱۱", local_id="n1", promotional=True)
    assert result.status == "sent" and result.provider_message_id
    assert smsir.sent[-1] == {"mobile": "09121234567", "text": "سلام\nلغو ۱۱", "line": 30007732}
    assert smsir.seen_headers[-1]["X-Api-Key"] == KEY


@pytest.mark.parametrize(
    ("fault", "retryable", "reason"),
    [
        ("http500", True, "sms.ir http 502"),
        ("http429", True, "sms.ir http 429"),
        ("server", True, "sms.ir status 0"),
        ("no_credit", False, "insufficient_credit"),
    ],
)
def test_smsir_failures_are_classified(
    smsir: FakeSmsIrServer, fault: str, retryable: bool, reason: str
) -> None:
    smsir.fail_next(1, fault)
    result = gateway(smsir).send("+989121234567", "x", local_id="n2", promotional=False)
    assert (result.status, result.retryable, result.reason) == ("failed", retryable, reason)


def test_smsir_timeouts_are_retried_and_a_bad_key_is_permanent_and_never_shown(
    smsir: FakeSmsIrServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    smsir.fail_next(1, "timeout")
    slow = gateway(smsir, timeout=0.5).send("+989121234567", "x", local_id="n3", promotional=False)
    assert slow.retryable and slow.status == "failed"
    wrong = gateway(smsir, key="wrong-key-456").send("+989121234567", "x", local_id="n4", promotional=False)
    assert (wrong.status, wrong.retryable, wrong.reason) == ("failed", False, "invalid_api_key")
    assert "wrong-key-456" not in repr(wrong) + caplog.text and KEY not in caplog.text
    refused = gateway(smsir).send("+447700900123", "x", local_id="n5", promotional=False)
    assert (refused.status, refused.reason) == ("refused", "invalid_receptor")


def test_sns_publishes_to_the_phone_number(aws_endpoint: str) -> None:
    from moto.backends import get_backend

    result = Sns("Vafa").send("+447700900123", "Your credit expires soon", local_id="n6", promotional=True)
    assert result.status == "sent"
    sent = get_backend("sns")["123456789012"]["us-east-1"].sms_messages
    assert sent[str(result.provider_message_id)] == ("+447700900123", "Your credit expires soon")


def test_foreign_numbers_go_through_sns_only_when_the_merchant_says_so(
    smsir: FakeSmsIrServer, aws_endpoint: str
) -> None:
    config = {"provider": "smsir", "sender": "30007732", "base_url": smsir.url, "api_key_secret": "k"}
    plain = provider_for(config, lambda _: KEY)
    assert isinstance(plain, SmsIr)
    routed = provider_for({**config, "international": "sns"}, lambda _: KEY)
    assert isinstance(routed, Routed)
    before = len(smsir.sent)
    assert routed.send("+989351112233", "x", local_id="n7", promotional=False).status == "sent"
    assert len(smsir.sent) == before + 1
    abroad = routed.send("+4915112345678", "y", local_id="n8", promotional=False)
    assert abroad.status == "sent" and len(smsir.sent) == before + 1
