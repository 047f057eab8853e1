"""Amazon SNS against the AWS stand-in, and the routing of Iranian and foreign numbers across the
SMS.ir stand-in and SNS. (The SMS.ir adapter alone is covered in tests/unit/test_smsir.py.)"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber
from vafa.messaging.channels.sms.factory import provider_for
from vafa.messaging.channels.sms.sns import Sns, sns_client
from vafa_dev.local.fake_smsir import FakeSmsIrServer

KEY = "smsir-secret-key-123"
DUMMY = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


def sms_sent() -> dict[str, tuple[str, str]]:
    """What the stand-in's SNS recorded: message id → (phone number, text)."""
    from moto.backends import get_backend

    sent: dict[str, tuple[str, str]] = get_backend("sns")["123456789012"]["us-east-1"].sms_messages
    return sent


@pytest.fixture(scope="module")
def smsir() -> Iterator[FakeSmsIrServer]:
    server = FakeSmsIrServer(KEY)
    server.start()
    yield server
    server.stop()


def test_the_sns_client_follows_the_aws_endpoint(aws_endpoint: str) -> None:
    assert sns_client().meta.endpoint_url == aws_endpoint


def test_sns_publishes_to_the_phone_number(aws_endpoint: str) -> None:
    result = Sns("VafaShop").send(
        "+447700900123", "Your credit expires soon", local_id="n6", promotional=True
    )
    assert (result.status, result.retryable) == ("sent", False)
    assert sms_sent()[str(result.provider_message_id)] == ("+447700900123", "Your credit expires soon")


def test_sns_marks_the_message_type_and_sender_id() -> None:
    client = boto3.client("sns", **DUMMY)
    with Stubber(client) as stub:
        stub.add_response(
            "publish",
            {"MessageId": "m-1"},
            {
                "PhoneNumber": "+12025550123",
                "Message": "Thanks!",
                "MessageAttributes": {
                    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
                    "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": "VafaShop"},
                },
            },
        )
        result = Sns("VafaShop", client).send("+12025550123", "Thanks!", local_id="n", promotional=False)
        stub.assert_no_pending_responses()
    assert (result.status, result.provider_message_id) == ("sent", "m-1")


def test_sns_refuses_a_number_it_cannot_publish_to(aws_endpoint: str) -> None:
    result = Sns().send("+0044", "x", local_id="n7", promotional=False)
    assert (result.status, result.retryable, result.reason) == ("refused", False, "invalid_receptor")


def test_sns_refuses_a_message_it_cannot_carry(aws_endpoint: str) -> None:
    result = Sns().send("+447700900123", "x" * 1700, local_id="n8", promotional=False)
    assert (result.status, result.retryable, result.reason) == ("failed", False, "sns_invalid_parameter")


@pytest.mark.parametrize(
    ("code", "http", "retryable", "reason"),
    [
        ("Throttling", 400, True, "sns Throttling"),
        ("InternalError", 500, True, "sns InternalError"),
        ("ServiceUnavailable", 503, True, "sns ServiceUnavailable"),
        ("OptedOut", 400, False, "recipient_opted_out"),
        ("AuthorizationError", 403, False, "sns_AuthorizationError"),
    ],
)
def test_sns_errors_are_classified(code: str, http: int, retryable: bool, reason: str) -> None:
    client = boto3.client("sns", config=Config(retries={"max_attempts": 1, "mode": "standard"}), **DUMMY)
    with Stubber(client) as stub:
        stub.add_client_error("publish", service_error_code=code, http_status_code=http)
        result = Sns(None, client).send("+447700900123", "x", local_id="n9", promotional=True)
    assert (result.retryable, result.reason) == (retryable, reason)
    assert result.status == ("refused" if code == "OptedOut" else "failed")


def test_sns_out_of_reach_is_retried() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = boto3.client(
        "sns",
        endpoint_url=f"http://127.0.0.1:{port}",
        config=Config(connect_timeout=1, retries={"max_attempts": 1}),
        **DUMMY,
    )
    result = Sns(None, client).send("+447700900123", "x", local_id="n10", promotional=False)
    assert (result.status, result.retryable) == ("failed", True)
    assert result.reason == "sns unreachable: EndpointConnectionError"


def routed(server: FakeSmsIrServer, **sms: Any) -> Any:
    config = {"provider": "smsir", "sender": "30007732", "base_url": server.url, "api_key_secret": "k", **sms}
    return provider_for(config, lambda _: KEY)


def test_iranian_numbers_go_to_sms_ir_and_foreign_ones_to_sns_when_enabled(
    smsir: FakeSmsIrServer, aws_endpoint: str
) -> None:
    provider = routed(smsir, international="sns", international_sender_id="VafaShop")
    home = provider.send("+989351112233", "سلام", local_id="n11", promotional=False)
    abroad = provider.send("+4915112345678", "Hello", local_id="n12", promotional=False)
    assert home.status == abroad.status == "sent"
    assert smsir.sent_to("09351112233") == ["سلام"]
    assert sms_sent()[str(abroad.provider_message_id)] == ("+4915112345678", "Hello")
    assert all(m["mobile"] != "4915112345678" for m in smsir.sent)


def test_without_sns_foreign_numbers_fail_for_good_and_reach_no_one(
    smsir: FakeSmsIrServer, aws_endpoint: str
) -> None:
    published, calls = len(sms_sent()), len(smsir.seen_headers)
    result = routed(smsir).send("+4915112345678", "Hello", local_id="n13", promotional=False)
    assert (result.status, result.retryable, result.reason) == ("failed", False, "unsupported_destination")
    assert (len(sms_sent()), len(smsir.seen_headers)) == (published, calls)
