"""Delivery on every channel, and what happens when things go wrong: nothing lost, nothing twice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from vafa.secrets import merchant_secret_name, put_parameter
from vafa_dev.local.fake_sms import FakeSmsServer
from vafa_dev.local.fake_smsir import FakeSmsIrServer
from vafa_dev.local.push_receiver import PushReceiver

from tests.clock import PURCHASE_DAY, at, day
from tests.clock import REMINDER_DAY as DAY
from tests.e2e.conftest import Shop
from tests.e2e.test_reminders import notes, run, sent_to


@pytest.fixture(scope="module")
def push_service() -> Iterator[PushReceiver]:
    receiver = PushReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def gateway() -> Iterator[FakeSmsServer]:
    server = FakeSmsServer(api_key="kavenegar-test-key")
    server.start()
    yield server
    server.stop()


def configure(shop: Shop, gateway: FakeSmsServer, **program: Any) -> None:
    put_parameter(merchant_secret_name(shop.keys["merchant_id"], "sms-api-key"), "kavenegar-test-key")
    body = {
        "shop_name": "Vafa Books",
        "shop_url": "https://shop.example/",
        "default_locale": "en",
        "sms": {"provider": "kavenegar", "sender": "10004346", "base_url": gateway.kavenegar_url},
        **program,
    }
    assert shop.call("PUT", "/v1/program", body).status_code == 200


def expiring_credit(shop: Shop, customer: str, **profile: Any) -> None:
    assert shop.call("PUT", f"/v1/customers/{customer}", profile).status_code in (200, 201)
    shop.call(
        "POST",
        "/v1/purchases",
        {
            "order_id": f"o-{customer}",
            "customer_id": customer,
            "amount": 2_000_000,
            "occurred_at": at(PURCHASE_DAY),
        },
    )


def site(shop: Shop) -> dict[str, str]:
    return {"X-Site-Key": shop.keys["site_key"]}


def test_browser_subscribes_with_the_site_key_and_gets_an_encrypted_push(
    shop: Shop, gateway: FakeSmsServer, push_service: PushReceiver
) -> None:
    configure(shop, gateway, channel_order=["push", "sms"])
    expiring_credit(shop, "c-push", locale="en", name="Sara")
    key = requests.get(f"{shop.base}/v1/push/vapid-public-key", headers=site(shop), timeout=10)
    assert key.status_code == 200 and key.headers["Access-Control-Allow-Origin"] == "*"
    subscription = push_service.new_subscription()
    saved = requests.post(
        f"{shop.base}/v1/push-subscriptions",
        headers=shop.browser_headers("c-push"),
        timeout=10,
        json={"customer_id": "c-push", **subscription},
    )
    assert saved.status_code == 201, saved.text
    assert shop.call("GET", "/v1/customers/c-push").json()["consent"]["push"] is True

    run(shop, "reminders", at(DAY))
    received = push_service.received(subscription)
    assert len(received) == 1
    assert "expire" in received[0]["payload"]["title"].lower()
    assert "10,000 Toman" in received[0]["payload"]["body"]
    # The VAPID key that signed it is the one the page subscribed with.
    assert received[0]["vapid"]["public_key"] == key.json()["public_key"]
    assert [(n["channel"], n["status"]) for n in notes(shop, "c-push")] == [("push", "sent")]


def test_push_endpoints_outside_the_allowlist_are_refused(shop: Shop) -> None:
    shop.call("PUT", "/v1/customers/c-evil", {"name": "x"})
    body = {
        "customer_id": "c-evil",
        "endpoint": "https://169.254.169.254/latest/meta-data",
        "keys": {
            "p256dh": "BE80xnqrebUAoqvdWLGhBtB208LJqN0WbnGt7me0pG1kJZEfQIMAMOMRLmGKq7N9HmcM9XscQToJ3mYPLcuIY6I",
            "auth": "AAAAAAAAAAAAAAAAAAAAAA",
        },
    }
    refused = requests.post(
        f"{shop.base}/v1/push-subscriptions", headers=shop.browser_headers("c-evil"), json=body, timeout=10
    )
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "endpoint"
    no_key = requests.post(f"{shop.base}/v1/push-subscriptions", json=body, timeout=10)
    assert no_key.status_code == 401
    secret_as_site = requests.post(
        f"{shop.base}/v1/push-subscriptions",
        json=body,
        timeout=10,
        headers={"X-Site-Key": shop.keys["api_key"]},
    )
    assert secret_as_site.status_code == 401


def test_a_gone_subscription_is_deleted_and_the_message_falls_back_to_sms(
    shop: Shop, gateway: FakeSmsServer, push_service: PushReceiver
) -> None:
    configure(shop, gateway, channel_order=["push", "sms"])
    expiring_credit(shop, "c-gone", phone="09121119001", consent={"sms": True})
    subscription = push_service.new_subscription()
    requests.post(
        f"{shop.base}/v1/push-subscriptions",
        headers=shop.browser_headers("c-gone"),
        timeout=10,
        json={"customer_id": "c-gone", **subscription},
    )
    push_service.answer_with(subscription, 410)
    run(shop, "reminders", at(DAY))
    texts = sent_to(gateway, "09121119001")
    assert len(texts) == 1
    # Rendered again for SMS: the SMS wording with its opt-out line, not the push notification's text.
    assert texts[0].endswith("Reply 11 to opt out") and "/r/" in texts[0]
    log = notes(shop, "c-gone")
    assert [(n["channel"], n["status"]) for n in log] == [("sms", "sent")]
    # The subscription is gone: the next message goes straight to SMS.
    from vafa.store.models import PushSubscriptionItem

    left = [
        i
        for i in PushSubscriptionItem.query(
            f"M#{shop.keys['merchant_id']}#C#c-gone", PushSubscriptionItem.SK.startswith("PUSH#")
        )
    ]
    assert left == []


def test_gateway_failures_are_retried_and_the_message_is_sent_exactly_once(
    shop: Shop, gateway: FakeSmsServer
) -> None:
    configure(shop, gateway, channel_order=["sms"])
    expiring_credit(shop, "c-flaky", phone="09121119002", consent={"sms": True})
    gateway.fail_next(2, "http500")
    run(shop, "reminders", at(DAY))
    assert len(sent_to(gateway, "09121119002")) == 1
    assert notes(shop, "c-flaky")[0]["status"] == "sent"


def test_an_error_inside_a_200_answer_is_a_recorded_failure_not_a_silent_loss(
    shop: Shop, gateway: FakeSmsServer
) -> None:
    configure(shop, gateway, channel_order=["sms"])
    expiring_credit(shop, "c-credit", phone="09121119003", consent={"sms": True})
    gateway.fail_next(1, "body_error")  # 418: the shop's Kavenegar account is out of credit
    run(shop, "reminders", at(DAY))
    assert sent_to(gateway, "09121119003") == []
    note = notes(shop, "c-credit")[0]
    assert (note["status"], note["reason"]) == ("failed", "insufficient_credit")


def test_a_recipient_who_refuses_ads_is_recorded_as_failed(shop: Shop, gateway: FakeSmsServer) -> None:
    configure(shop, gateway, channel_order=["sms"])
    gateway.refuse_ads("09121119004")
    expiring_credit(shop, "c-refuse", phone="09121119004", consent={"sms": True})
    run(shop, "reminders", at(DAY))
    note = notes(shop, "c-refuse")[0]
    assert (note["status"], note["reason"]) == ("failed", "recipient_refuses_ads")


def test_a_queue_message_delivered_twice_is_sent_once(shop: Shop, gateway: FakeSmsServer) -> None:
    from vafa.jobs.senders import handle_batch

    configure(shop, gateway, channel_order=["sms"], quiet_hours={"start": "00:00", "end": "00:00"})
    expiring_credit(shop, "c-twice", phone="09121119005", consent={"sms": True})
    run(shop, "reminders", at(DAY))
    note_sk = "DLV#" + notes(shop, "c-twice")[0]["at"] + "#" + notes(shop, "c-twice")[0]["notification_id"]
    record = {
        "messageId": "dup",
        "body": json.dumps(
            {"merchant_id": shop.keys["merchant_id"], "customer_id": "c-twice", "note_sk": note_sk}
        ),
        "attributes": {"SentTimestamp": "1795341600000"},
    }
    assert handle_batch({"Records": [record, record]}) == {"batchItemFailures": []}
    assert len(sent_to(gateway, "09121119005")) == 1


def test_email_goes_through_ses_with_one_click_unsubscribe(
    shop: Shop, gateway: FakeSmsServer, aws_endpoint: str
) -> None:
    import boto3

    ses = boto3.client("ses", endpoint_url=aws_endpoint, region_name="us-east-1")
    ses.verify_email_identity(EmailAddress="club@shop.example")
    configure(shop, gateway, channel_order=["email"], email={"from_address": "club@shop.example"})
    expiring_credit(shop, "c-mail", email="sara@example.com", locale="en", consent={"email": True})
    run(shop, "reminders", at(DAY))
    from moto.backends import get_backend

    sent = [
        m
        for m in get_backend("ses")["123456789012"]["us-east-1"].sent_messages
        if "sara@example.com" in (getattr(m, "destinations", None) or [])
    ]
    assert len(sent) == 1
    import email

    message = email.message_from_string(sent[0].raw_data)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "10,000 Toman" in message["Subject"] + message.get_payload()
    unsubscribe = "".join(message["List-Unsubscribe"].split()).strip("<>")
    assert requests.post(unsubscribe, data="List-Unsubscribe=One-Click", timeout=10).status_code == 200
    assert notes(shop, "c-mail")[0]["status"] == "sent"
    # Opted out of email: the next email-only message is suppressed, with the reason.
    shop.call("PUT", "/v1/carts/k-1", {"customer_id": "c-mail", "total": 10_000})
    run(shop, "reminders", at(day(9)))
    later = [(n["kind"], n["status"], n["reason"]) for n in notes(shop, "c-mail")[:-1]]
    assert ("abandoned_cart", "suppressed", "opted_out") in later
    assert {status for _, status, _ in later} == {"suppressed"}


@pytest.fixture(scope="module")
def smsir() -> Iterator[FakeSmsIrServer]:
    server = FakeSmsIrServer(api_key="smsir-test-key", lines={30007732})
    server.start()
    yield server
    server.stop()


def configure_smsir(shop: Shop, smsir: FakeSmsIrServer, **program: Any) -> None:
    put_parameter(merchant_secret_name(shop.keys["merchant_id"], "sms-api-key"), "smsir-test-key")
    sms = {"provider": "smsir", "sender": "30007732", "base_url": smsir.url, **program.pop("sms", {})}
    body = {"shop_name": "Vafa Books", "shop_url": "https://shop.example/", "default_locale": "en"}
    assert shop.call("PUT", "/v1/program", {**body, "sms": sms, **program}).status_code == 200


def test_a_reminder_goes_out_through_sms_ir_once_even_when_it_throttles(
    shop: Shop, smsir: FakeSmsIrServer
) -> None:
    configure_smsir(shop, smsir, channel_order=["sms"])
    expiring_credit(shop, "c-smsir", phone="0912 111 9010", consent={"sms": True})
    smsir.fail_next(1, "http429")  # the first try is throttled; the queue brings the message back
    run(shop, "reminders", at(DAY))
    texts = smsir.sent_to("09121119010")
    assert len(texts) == 1 and "10,000 Toman" in texts[0]
    assert smsir.seen_headers[-1]["X-Api-Key"] == "smsir-test-key"
    note = notes(shop, "c-smsir")[0]
    assert (note["kind"], note["channel"], note["status"]) == ("expiry_reminder", "sms", "sent")


ABROAD = {"email": "anna@example.com", "locale": "en", "consent": {"sms": True, "email": True}}


def test_a_foreign_number_falls_back_to_email_when_only_iranian_gateways_are_set(
    shop: Shop, smsir: FakeSmsIrServer, aws_endpoint: str
) -> None:
    import boto3

    boto3.client("ses", endpoint_url=aws_endpoint, region_name="us-east-1").verify_email_identity(
        EmailAddress="club@shop.example"
    )
    configure_smsir(shop, smsir, channel_order=["sms", "email"], email={"from_address": "club@shop.example"})
    expiring_credit(shop, "c-abroad", phone="+44 7911 123456", **ABROAD)
    calls = len(smsir.seen_headers)
    run(shop, "reminders", at(DAY))
    note = notes(shop, "c-abroad")[0]
    assert (note["channel"], note["status"]) == ("email", "sent")
    assert len(smsir.seen_headers) == calls  # SMS.ir was never asked to reach a UK number


def test_a_foreign_number_gets_its_sms_through_amazon_sns_when_enabled(
    shop: Shop, smsir: FakeSmsIrServer, aws_endpoint: str
) -> None:
    from moto.backends import get_backend

    configure_smsir(shop, smsir, channel_order=["sms", "email"], sms={"international": "sns"})
    expiring_credit(shop, "c-abroad-sns", phone="+44 7911 123457", **ABROAD)
    calls = len(smsir.seen_headers)
    run(shop, "reminders", at(DAY))
    note = notes(shop, "c-abroad-sns")[0]
    assert (note["channel"], note["status"]) == ("sms", "sent")
    published = get_backend("sns")["123456789012"]["us-east-1"].sms_messages.values()
    assert [text for phone, text in published if phone == "+447911123457"] == [note["body"]]
    assert len(smsir.seen_headers) == calls
