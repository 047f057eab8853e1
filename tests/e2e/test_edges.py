"""The edges, driven over HTTP as an attacker or a careless integrator would: the public site key
grants nothing about a customer, URLs cannot reach inside, bad input is a 4xx that changes nothing."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.clock import at, day
from tests.e2e.conftest import Shop


def browser_subscription(endpoint: str = "") -> dict[str, Any]:
    """What `PushSubscription.toJSON()` gives a page: a fresh key pair per browser."""
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    )
    token = base64.urlsafe_b64encode(point[1:9]).decode().rstrip("=")
    return {
        "endpoint": endpoint or f"https://fcm.googleapis.com/fcm/send/{token}",
        "keys": {
            "p256dh": base64.urlsafe_b64encode(point).decode().rstrip("="),
            "auth": base64.urlsafe_b64encode(b"sixteen-byte-key").decode().rstrip("="),
        },
    }


def subscribe(shop: Shop, body: dict[str, Any], headers: dict[str, str]) -> requests.Response:
    return requests.post(f"{shop.base}/v1/push-subscriptions", json=body, headers=headers, timeout=10)


def error(answer: requests.Response) -> tuple[int, str, str | None]:
    detail = answer.json()["error"]
    return answer.status_code, detail["code"], detail.get("field")


# --- the public site key grants nothing about a customer -------------------------------------------


def test_a_customer_id_without_the_customers_token_is_refused_and_changes_nothing(shop: Shop) -> None:
    assert shop.call("PUT", "/v1/customers/victim", {"name": "سارا", "consent": {"push": False}}).ok
    body = {"customer_id": "victim", "visitor_id": "attacker-0001", **browser_subscription()}
    answer = subscribe(shop, body, shop.browser_headers())
    assert error(answer)[:2] == (401, "customer_token_required")
    assert answer.headers["Access-Control-Allow-Origin"] == "*"  # the page can read why
    assert shop.call("GET", "/v1/customers/victim").json()["consent"]["push"] is False
    # Another customer's token does not bind this one either.
    assert shop.call("PUT", "/v1/customers/attacker", {"name": "x"}).ok
    answer = subscribe(shop, body, shop.browser_headers("attacker"))
    assert error(answer)[:2] == (401, "customer_token_required")
    assert shop.call("GET", "/v1/customers/victim").json()["consent"]["push"] is False


def test_a_token_bound_subscription_turns_push_consent_on(shop: Shop) -> None:
    assert shop.call("PUT", "/v1/customers/sara", {"name": "سارا", "consent": {"push": False}}).ok
    minted = shop.call("POST", "/v1/customers/sara/token")  # no body: a 60-minute token
    assert minted.status_code == 201, minted.text
    expires = datetime.fromisoformat(minted.json()["expires_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=59) < expires - datetime.now(UTC) <= timedelta(minutes=61)
    headers = {"X-Site-Key": shop.keys["site_key"], "X-Customer-Token": minted.json()["token"]}
    answer = subscribe(shop, browser_subscription(), headers)  # customer_id may be left out
    assert answer.status_code == 201 and answer.json()["customer_id"] == "sara"
    assert shop.call("GET", "/v1/customers/sara").json()["consent"]["push"] is True


@pytest.mark.parametrize("ttl", [0, 1441, "60", 1.5])
def test_token_lifetimes_outside_one_minute_to_a_day_are_refused(shop: Shop, ttl: Any) -> None:
    assert shop.call("PUT", "/v1/customers/t", {"name": "x"}).ok
    answer = shop.call("POST", "/v1/customers/t/token", {"ttl_minutes": ttl})
    assert error(answer) == (422, "validation_error", "ttl_minutes")


def test_tokens_for_unknown_customers_are_not_minted(shop: Shop) -> None:
    assert error(shop.call("POST", "/v1/customers/nobody/token", {}))[0] == 404


def test_altered_or_foreign_tokens_are_401(shop: Shop, stack: Any) -> None:
    assert shop.call("PUT", "/v1/customers/c1", {"name": "x"}).ok
    token = shop.browser_headers("c1")["X-Customer-Token"]
    body = browser_subscription()
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (altered, token + "==x", token.replace(".", "..")):
        answer = subscribe(shop, body, {"X-Site-Key": shop.keys["site_key"], "X-Customer-Token": bad})
        assert answer.status_code == 401, bad
    # A token this merchant minted means nothing to another merchant, even for the same customer id.
    other = Shop(
        shop.base, requests.post(f"{shop.base}/_local/merchants", json={"name": "b"}, timeout=10).json()
    )
    assert other.call("PUT", "/v1/customers/c1", {"name": "x"}).ok
    answer = subscribe(other, body, {"X-Site-Key": other.keys["site_key"], "X-Customer-Token": token})
    assert error(answer)[:2] == (401, "invalid_customer_token")


def test_anonymous_subscriptions_need_a_visitor_id_and_at_most_ten_are_kept(shop: Shop) -> None:
    answer = subscribe(shop, browser_subscription(), shop.browser_headers())
    assert error(answer) == (422, "validation_error", "visitor_id")
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    no_key = requests.post(f"{shop.base}/v1/push-subscriptions", json={}, timeout=10)
    assert no_key.status_code == 401 and no_key.headers["Access-Control-Allow-Origin"] == "*"
    for bad in ("short", "has space here", "x" * 65):
        answer = subscribe(shop, {"visitor_id": bad, **browser_subscription()}, shop.browser_headers())
        assert error(answer) == (422, "validation_error", "visitor_id")
    for _ in range(12):
        answer = subscribe(
            shop, {"visitor_id": "visitor-0001", **browser_subscription()}, shop.browser_headers()
        )
        assert answer.status_code == 201 and answer.json()["customer_id"] is None
    from vafa.store import keys as k
    from vafa.store.models import PushSubscriptionItem

    kept = list(PushSubscriptionItem.query(k.visitor_pk(shop.keys["merchant_id"], "visitor-0001")))
    assert len(kept) == 10


def test_at_most_ten_subscriptions_are_kept_for_one_customer(shop: Shop) -> None:
    assert shop.call("PUT", "/v1/customers/many", {"name": "x"}).ok
    headers = shop.browser_headers("many")
    for _ in range(13):
        assert subscribe(shop, browser_subscription(), headers).status_code == 201
    from vafa.store import keys as k
    from vafa.store.models import ContactItem, PushSubscriptionItem

    pk = k.customer_pk(shop.keys["merchant_id"], "many")
    assert len(list(PushSubscriptionItem.query(pk, PushSubscriptionItem.SK.startswith(k.PUSH_PREFIX)))) == 10
    assert int(ContactItem.get(pk, k.CONTACT).push_count) == 10


# --- URLs cannot reach inside -----------------------------------------------------------------------

PUSH_ENDPOINTS = [
    "https://127.0.0.1\\.push.apple.com/x",
    "https://user@fcm.googleapis.com/fcm/send/x",
    "https://fcm.googleapis.com%2f@127.0.0.1/x",
    "https://fcm.googleapis.com:8443/fcm/send/x",
    "http://fcm.googleapis.com/fcm/send/x",
    "https://169.254.169.254/latest/meta-data",
    "https://[::ffff:127.0.0.1]/x",
    "https://fcm.googleapis.com/fcm/send/x\r\nHost: evil",
    "https://evil.example/fcm.googleapis.com",
]


@pytest.mark.parametrize("endpoint", PUSH_ENDPOINTS)
def test_push_endpoints_that_could_reach_inside_are_refused(shop: Shop, endpoint: str) -> None:
    body = {"visitor_id": "visitor-ssrf", **browser_subscription(endpoint)}
    answer = subscribe(shop, body, shop.browser_headers())
    assert error(answer) == (422, "validation_error", "endpoint")


@pytest.mark.parametrize(
    "base_url",
    [
        "http://169.254.169.254/?",
        "https://169.254.169.254",
        "https://api.kavenegar.com/v1/?x=",
        "https://api.kavenegar.com.evil.example",
        "https://metadata.google.internal",
        "https://10.0.0.8",
        "https://api.kavenegar.com@10.0.0.8",
    ],
)
def test_sms_gateway_addresses_are_the_providers_own(shop: Shop, base_url: str) -> None:
    before = shop.call("GET", "/v1/program").json()["sms"]
    answer = shop.call("PUT", "/v1/program", {"sms": {"provider": "kavenegar", "base_url": base_url}})
    assert error(answer) == (422, "validation_error", "sms.base_url")
    assert shop.call("GET", "/v1/program").json()["sms"] == before


def test_the_documented_gateway_host_is_accepted(shop: Shop) -> None:
    answer = shop.call(
        "PUT", "/v1/program", {"sms": {"provider": "kavenegar", "base_url": "https://api.kavenegar.com"}}
    )
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    "body, field",
    [
        ({"shop_url": "https://169.254.169.254/"}, "shop_url"),
        ({"shop_url": "javascript:alert(1)"}, "shop_url"),
        ({"shop_name": "Shop\r\nX-Injected: 1"}, "shop_name"),
        ({"templates": {"win_back": {"fa": ["x"]}}}, "templates.win_back.fa"),
        ({"templates": {"win_back": ["x"]}}, "templates.win_back"),
    ],
)
def test_program_values_that_would_break_messages_are_refused(
    shop: Shop, body: dict[str, Any], field: str
) -> None:
    before = shop.call("GET", "/v1/program").json()
    answer = shop.call("PUT", "/v1/program", body)
    assert error(answer) == (422, "validation_error", field)
    assert shop.call("GET", "/v1/program").json() == before


@pytest.mark.parametrize(
    "url",
    [
        "https://shop.example/a\r\nb",
        "http://169.254.169.254/",
        "https://metadata.google.internal/x",
        "ftp://shop.example/",
    ],
)
def test_campaign_urls_are_public_https_on_one_line(shop: Shop, url: str) -> None:
    body = {
        "campaign_id": "k1",
        "name": "یلدا",
        "segment": "new",
        "template": {"fa": "سلام {link}"},
        "url": url,
    }
    assert error(shop.call("POST", "/v1/campaigns", body)) == (422, "validation_error", "url")
    assert shop.call("GET", "/v1/campaigns/k1").status_code == 404


# --- bad input is a 4xx and changes nothing -------------------------------------------------------


@pytest.mark.parametrize(
    "occurred_at",
    ["0001-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59Z"],
)
def test_timestamps_before_2000_or_ahead_of_now_are_refused(shop: Shop, occurred_at: str) -> None:
    for customer in ("known", "new-one"):
        if customer == "known":
            assert shop.call("PUT", "/v1/customers/known", {"name": "x"}).ok
        body = {
            "order_id": f"o-{customer}",
            "customer_id": customer,
            "amount": 1000,
            "occurred_at": occurred_at,
        }
        assert error(shop.call("POST", "/v1/purchases", body)) == (422, "validation_error", "occurred_at")
    assert shop.call("GET", "/v1/customers/new-one").status_code == 404


def test_a_purchase_a_day_ahead_is_refused_and_one_a_minute_ahead_is_clock_skew(shop: Shop) -> None:
    ahead = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = {"order_id": "o-a", "customer_id": "c-a", "amount": 1000, "occurred_at": ahead}
    assert error(shop.call("POST", "/v1/purchases", body)) == (422, "validation_error", "occurred_at")
    skew = (datetime.now(UTC) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert shop.call("POST", "/v1/purchases", {**body, "occurred_at": skew}).status_code == 201


def test_every_stored_time_parses_back_and_metrics_run(shop: Shop, stack: Any) -> None:
    body = {
        "order_id": "o-2000",
        "customer_id": "c-2000",
        "amount": 1000,
        "occurred_at": "2000-01-01T00:00:00Z",
    }
    assert shop.call("POST", "/v1/purchases", body).status_code == 201
    ledger = shop.call("GET", "/v1/customers/c-2000/ledger").json()["items"]
    assert [(e["type"], e["at"]) for e in ledger] == [
        ("expire", "2000-01-31T00:00:00Z"),
        ("earn", "2000-01-01T00:00:00Z"),
    ]
    ran = requests.post(f"{shop.base}/_local/schedules/metrics/run", json={"time": at(day(0))}, timeout=120)
    assert ran.status_code == 200, ran.text


@pytest.mark.parametrize(
    "raw",
    [
        '{"order_id":"o-n","customer_id":"c-n","amount":1000,"extra":NaN}',
        '{"order_id":"o-n","customer_id":"c-n","amount":1000,"extra":Infinity}',
        '{"order_id":"o-n","customer_id":"c-n","amount":1000,"extra":-Infinity}',
        '{"order_id":"o-n","customer_id":"c-n","amount":1000,"extra":1e309}',
        '{"order_id":"o-n","customer_id":"c-n","amount":5,"amount":5000000}',
        '{"order_id":"o-n","customer_id":"c-n","amount":1000,"customer":{"name":"a","name":"b"}}',
    ],
)
def test_json_that_is_not_json_is_400_and_writes_nothing(shop: Shop, raw: str) -> None:
    answer = shop.call(
        "POST", "/v1/purchases", data=raw.encode(), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "malformed_json"
    assert shop.call("GET", "/v1/customers/c-n").status_code == 404


@pytest.mark.parametrize("ident", ["\u200b", "\u200b\u200c\u200d", "\ufeff", " \u2060 "])
def test_ids_of_invisible_characters_only_are_refused(shop: Shop, ident: str) -> None:
    body = {"order_id": "o-z", "customer_id": ident, "amount": 1000}
    assert error(shop.call("POST", "/v1/purchases", body)) == (422, "validation_error", "customer_id")
    body = {"order_id": ident, "customer_id": "c-z", "amount": 1000}
    assert error(shop.call("POST", "/v1/purchases", body)) == (422, "validation_error", "order_id")


def test_signed_links_have_one_spelling(shop: Shop) -> None:
    from vafa.messaging import links

    token = links.sign("f", {"m": shop.keys["merchant_id"], "c": "c-f", "o": "o-f", "n": "x"})
    for variant in (token + "==ANY-TEXT", token + "=", token[:-1] + ("B" if token[-1] == "A" else "A")):
        answer = requests.post(f"{shop.base}/v1/feedback/{variant}", json={"score": 5}, timeout=10)
        assert answer.status_code == 404, variant
    assert requests.post(f"{shop.base}/v1/feedback/{token}", json={"score": 5}, timeout=10).status_code == 201


def test_a_zero_amount_order_is_refunded_whole_once(shop: Shop) -> None:
    assert shop.call("POST", "/v1/purchases", {"order_id": "o-0", "customer_id": "c-0", "amount": 0}).ok
    first = shop.call("POST", "/v1/purchases/o-0/refunds", {"refund_id": "rf-1"})
    assert first.status_code == 201, first.text
    again = shop.call("POST", "/v1/purchases/o-0/refunds", {"refund_id": "rf-2"})
    assert error(again)[:2] == (422, "already_refunded")
    assert shop.call("POST", "/v1/purchases/o-0/refunds", {"refund_id": "rf-1"}).json() == first.json()


def test_a_birthday_typed_with_persian_digits_is_accepted(shop: Shop) -> None:
    body = {"name": "سارا", "birthday": {"calendar": "jalali", "date": "۱۳۶۸-۰۵-۱۲"}}
    answer = shop.call("PUT", "/v1/customers/bd-fa", body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["birthday"] == {"calendar": "jalali", "date": "1368-05-12"}
    bad = shop.call("PUT", "/v1/customers/bd-x", {"birthday": {"calendar": "jalali", "date": "۱۳۶۸-۱۳-۱۲"}})
    assert error(bad)[0] == 422 and error(bad)[2] is not None and error(bad)[2].startswith("birthday")


def test_a_phone_in_persian_digits_pasted_unencoded_into_the_query_string_finds_the_customer(
    shop: Shop,
) -> None:
    import socket
    from urllib.parse import urlsplit

    assert shop.call("PUT", "/v1/customers/ph-fa", {"phone": "09121239876"}).status_code == 201
    base = urlsplit(shop.base)
    raw = (
        "GET /v1/customers?phone=۰۹۱۲۱۲۳۹۸۷۶ HTTP/1.1\r\n"
        f"Host: {base.netloc}\r\nAuthorization: Bearer {shop.keys['api_key']}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((base.hostname, base.port), timeout=10) as conn:
        conn.sendall(raw)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), answer[:300]
    assert b'"customer_id":"ph-fa"' in body
