"""Which gateway a number goes to, and which SMS settings a program may hold."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from vafa.messaging.channels.sms.base import SmsResult
from vafa.messaging.channels.sms.factory import provider_for
from vafa.messaging.channels.sms.kavenegar import Kavenegar
from vafa.messaging.channels.sms.sns import Sns
from vafa.program import Program, SmsSettings
from vafa.records import ValidationError
from vafa_dev.local.fake_smsir import FakeSmsIrServer

KEY = "smsir-routing-key"


@pytest.fixture(scope="module")
def smsir() -> Iterator[FakeSmsIrServer]:
    server = FakeSmsIrServer(KEY)
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def local_stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The stand-in gateway listens on loopback, an address only the local stack may name."""
    from vafa.config import settings as runtime

    monkeypatch.setenv("VAFA_LOCAL_STACK", "1")
    runtime.cache_clear()
    yield
    monkeypatch.undo()
    runtime.cache_clear()


class Secrets:
    """The SSM lookup the sender passes in: records which names were asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, name: str) -> str:
        self.asked.append(name)
        return KEY


class Recorder:
    def __init__(self) -> None:
        self.to: list[str] = []

    def send(self, to_e164: str, text: str, *, local_id: str, promotional: bool) -> SmsResult:
        self.to.append(to_e164)
        return SmsResult("sent", f"rec-{len(self.to)}")


def settings(server: FakeSmsIrServer, **extra: Any) -> dict[str, Any]:
    config = SmsSettings(provider="smsir", sender="30007732", base_url=server.url, **extra).model_dump()
    return {**config, "api_key_secret": "/vafa/m-1/sms-api-key"}


def send(provider: Any, to: str) -> SmsResult:
    result: SmsResult = provider.send(to, "x", local_id="n-1", promotional=False)
    return result


def test_iranian_numbers_go_to_the_merchants_gateway_with_its_key_from_ssm(smsir: FakeSmsIrServer) -> None:
    secrets = Secrets()
    provider = provider_for(settings(smsir), secrets)
    assert send(provider, "+989121234567").status == "sent"
    assert smsir.sent_to("09121234567") == ["x"]
    assert secrets.asked == ["/vafa/m-1/sms-api-key"]


def test_foreign_numbers_are_unsupported_by_default_and_reach_no_gateway(smsir: FakeSmsIrServer) -> None:
    calls = len(smsir.seen_headers)
    result = send(provider_for(settings(smsir), Secrets()), "+4915112345678")
    assert (result.status, result.retryable, result.reason) == ("failed", False, "unsupported_destination")
    assert len(smsir.seen_headers) == calls


def test_foreign_numbers_go_to_sns_when_the_program_says_so(
    smsir: FakeSmsIrServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sns = Recorder()
    monkeypatch.setattr(Sns, "send", lambda self, *a, **kw: sns.send(*a, **kw))
    provider = provider_for(
        settings(smsir, international="sns", international_sender_id="VafaShop"), Secrets()
    )
    assert send(provider, "+447700900123").provider_message_id == "rec-1"
    assert send(provider, "+989121234599").status == "sent"
    assert sns.to == ["+447700900123"]
    assert smsir.sent_to("09121234599") == ["x"]
    assert "VafaShop" in repr(provider)


def test_kavenegar_may_keep_foreign_numbers_on_its_own_gateway() -> None:
    config = {"provider": "kavenegar", "sender": "10004346", "international": "gateway"}
    provider = provider_for(config, Secrets())
    assert isinstance(getattr(provider, "international", None), Kavenegar)
    assert provider.international is getattr(provider, "domestic", None)


def test_provider_sns_sends_every_number_and_reads_no_secret() -> None:
    secrets = Secrets()
    provider = provider_for({"provider": "sns", "sender": "VafaShop"}, secrets)
    assert isinstance(provider, Sns)
    assert secrets.asked == []


def test_the_local_provider_keeps_iranian_messages_and_refuses_foreign_ones_like_a_real_gateway() -> None:
    from vafa.messaging.channels.sms.local import LOCAL

    provider = provider_for({"provider": "local"}, Secrets())
    before = len(LOCAL.outbox)
    assert send(provider, "+989121234567").status == "sent"
    assert send(provider, "+12025550123").reason == "unsupported_destination"
    assert [m["to"] for m in LOCAL.outbox[before:]] == ["+989121234567"]


def test_unknown_providers_are_an_error() -> None:
    with pytest.raises(ValueError, match="unknown SMS provider"):
        provider_for({"provider": "carrier-pigeon"}, Secrets())


def test_international_is_off_unless_set() -> None:
    assert Program().sms.international is None
    assert SmsSettings(provider="smsir", sender="30007732", international="sns").international == "sns"


@pytest.mark.parametrize(
    ("sms", "message"),
    [
        ({"provider": "smsir", "international": "gateway"}, "smsir cannot send outside Iran"),
        ({"provider": "sns", "international": "sns"}, "provider sns already sends every number"),
        ({"provider": "smsir", "sender": "VafaShop"}, "SMS.ir line number"),
        ({"provider": "sns", "sender": "Vafa Shop!"}, "SenderID"),
        ({"provider": "kavenegar", "international": "abroad"}, "international"),
        ({"provider": "smsir", "international_sender_id": "much-too-long-id"}, "international_sender_id"),
    ],
)
def test_inconsistent_sms_settings_are_rejected(sms: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Program.model_validate({"sms": sms})


def test_outside_the_local_stack_a_gateway_on_loopback_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from vafa.config import settings as runtime
    from vafa.records import ValidationError

    monkeypatch.delenv("VAFA_LOCAL_STACK")
    runtime.cache_clear()
    with pytest.raises(ValidationError, match="base_url"):
        SmsSettings(provider="smsir", base_url="http://127.0.0.1:8080")
    assert SmsSettings(provider="smsir", base_url="https://api.sms.ir/").base_url == "https://api.sms.ir"
    monkeypatch.setenv("VAFA_SMS_EXTRA_HOSTS", "sms-backup.example.ir")
    assert SmsSettings(provider="smsir", base_url="https://sms-backup.example.ir").base_url
