"""The SMS.ir adapter over real HTTP, against a local server that answers as SMS.ir's v1 API does."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import pytest
from vafa.messaging.channels.sms.base import SmsResult
from vafa.messaging.channels.sms.smsir import SmsIr
from vafa_dev.local.fake_smsir import FakeSmsIrServer

KEY = "smsir-secret-key-8f3a"
LINE = 30007732


@pytest.fixture(scope="module")
def smsir() -> Iterator[FakeSmsIrServer]:
    server = FakeSmsIrServer(KEY, lines={LINE})
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Whatever a test did, no log line (the stand-in's request log included) shows the key."""
    caplog.set_level(logging.DEBUG)
    yield
    assert KEY not in caplog.text


def gateway(
    server: FakeSmsIrServer, *, key: str = KEY, sender: str = str(LINE), timeout: float = 5.0
) -> SmsIr:
    return SmsIr(key, sender, base_url=server.url, timeout=timeout)


def send(provider: SmsIr, to: str = "+989121234567", text: str = "سلام") -> SmsResult:
    return provider.send(to, text, local_id="n-1", promotional=False)


def test_a_message_goes_to_the_national_number_from_the_line_with_the_key_in_a_header(
    smsir: FakeSmsIrServer,
) -> None:
    text = "سارا جان، ۱۰٬۰۰۰ تومان اعتبار شما فردا تمام می‌شود.\nلغو ۱۱"
    result = send(gateway(smsir), text=text)
    assert (result.status, result.retryable) == ("sent", False)
    record = smsir.sent[-1]
    assert (record["mobile"], record["text"], record["line"]) == ("09121234567", text, LINE)
    assert result.provider_message_id == str(record["message_id"])
    assert result.cost == 1
    headers = smsir.seen_headers[-1]
    assert headers["X-Api-Key"] == KEY
    assert headers["Accept"] == "application/json"
    assert headers["Content-Type"] == "application/json"
    assert KEY not in repr(gateway(smsir)) + repr(result)


def test_a_long_persian_message_costs_one_credit_per_part(smsir: FakeSmsIrServer) -> None:
    result = send(gateway(smsir), to="+989121234568", text="ا" * 100)
    assert (result.status, result.cost) == ("sent", 2)


@pytest.mark.parametrize(
    ("status", "http", "reason", "outcome"),
    [
        (102, 200, "insufficient_credit", "failed"),
        (13, 200, "account_inactive", "failed"),
        (11, 200, "api_key_disabled", "failed"),
        (101, 400, "invalid_sender", "failed"),
        (104, 400, "invalid_receptor", "refused"),
        (115, 200, "recipient_blacklisted", "refused"),
        (123, 400, "sender_not_activated", "failed"),
        (999, 400, "smsir_status_999", "failed"),
    ],
)
def test_an_error_status_in_the_body_is_a_permanent_failure_with_its_reason(
    smsir: FakeSmsIrServer, status: int, http: int, reason: str, outcome: str
) -> None:
    before = len(smsir.sent)
    smsir.fail_next(1, status, http=http)
    result = send(gateway(smsir))
    assert (result.status, result.retryable, result.reason) == (outcome, False, reason)
    assert len(smsir.sent) == before


def test_a_wrong_key_is_permanent_and_never_shown(smsir: FakeSmsIrServer) -> None:
    wrong = "wrong-key-4711"
    result = send(gateway(smsir, key=wrong))
    assert (result.status, result.retryable, result.reason) == ("failed", False, "invalid_api_key")
    assert wrong not in repr(result) and KEY not in repr(result)


def test_a_line_the_account_does_not_own_is_refused_by_the_gateway(smsir: FakeSmsIrServer) -> None:
    result = send(gateway(smsir, sender="30001111"))
    assert (result.status, result.retryable, result.reason) == ("failed", False, "invalid_sender")


def test_a_sender_that_is_not_a_line_number_never_reaches_the_gateway(smsir: FakeSmsIrServer) -> None:
    calls = len(smsir.seen_headers)
    result = send(gateway(smsir, sender="VafaShop"))
    assert (result.retryable, result.reason) == (False, "invalid_sender")
    assert len(smsir.seen_headers) == calls


def test_a_number_sms_ir_cannot_reach_is_refused(smsir: FakeSmsIrServer) -> None:
    landline = send(gateway(smsir), to="+982188776655")  # the gateway answers 104 for 0218…
    assert (landline.status, landline.retryable, landline.reason) == ("refused", False, "invalid_receptor")


def test_a_blacklisted_number_comes_back_with_message_id_zero_and_is_refused(smsir: FakeSmsIrServer) -> None:
    smsir.blacklist("09350000011")
    result = send(gateway(smsir), to="+989350000011")
    assert (result.status, result.retryable, result.reason) == ("refused", False, "recipient_blacklisted")
    assert smsir.sent_to("09350000011") == []


def test_numbers_outside_iran_are_unsupported_without_a_call(smsir: FakeSmsIrServer) -> None:
    calls = len(smsir.seen_headers)
    result = send(gateway(smsir), to="+447700900123")
    assert (result.status, result.retryable, result.reason) == ("failed", False, "unsupported_destination")
    assert len(smsir.seen_headers) == calls


def test_running_out_of_credit_stops_sending(smsir: FakeSmsIrServer) -> None:
    poor = FakeSmsIrServer(KEY, credit=1)
    poor.start()
    try:
        assert send(gateway(poor), to="+989121230001").status == "sent"
        result = send(gateway(poor), to="+989121230002")
        assert (result.status, result.retryable, result.reason) == ("failed", False, "insufficient_credit")
        assert [m["mobile"] for m in poor.sent] == ["09121230001"]
    finally:
        poor.stop()


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("http500", "sms.ir http 502"),
        ("http429", "sms.ir http 429"),
        ("server", "sms.ir server_error"),
        (20, "sms.ir too_many_requests"),
    ],
)
def test_server_trouble_and_throttling_are_retried(
    smsir: FakeSmsIrServer, fault: str | int, reason: str
) -> None:
    smsir.fail_next(1, fault)
    result = send(gateway(smsir))
    assert (result.status, result.retryable, result.reason) == ("failed", True, reason)


def test_a_gateway_that_does_not_answer_in_time_is_ambiguous_not_blindly_retried(
    smsir: FakeSmsIrServer,
) -> None:
    smsir.fail_next(1, "timeout")
    started = time.monotonic()
    result = send(gateway(smsir, timeout=0.5))
    assert time.monotonic() - started < 2.5
    # The request was sent: SMS.ir may have taken it, so the sender must settle, not resend.
    assert (result.status, result.ambiguous) == ("failed", True)
    assert result.reason.startswith("sms.ir gave no answer")


def test_a_gateway_that_cannot_be_reached_is_retried() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = SmsIr(KEY, str(LINE), base_url=f"http://127.0.0.1:{port}", timeout=1).send(
        "+989121234567", "x", local_id="n-2", promotional=False
    )
    assert (result.status, result.retryable) == ("failed", True)
    assert KEY not in result.reason


def test_the_request_is_the_documented_json(smsir: FakeSmsIrServer) -> None:
    assert send(gateway(smsir), text="کد ۱۲").status == "sent"
    assert smsir.seen_bodies[-1] == {
        "lineNumber": LINE,
        "messageText": "کد ۱۲",
        "mobiles": ["09121234567"],
        "sendDateTime": None,
    }
