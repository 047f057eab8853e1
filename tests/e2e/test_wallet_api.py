"""A shop's integration, end to end over HTTP: earn, spend, refund, look up, and every refusal."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.conftest import Shop


def test_purchase_earns_redemption_spends_refund_takes_back(shop: Shop) -> None:
    made = shop.call(
        "POST",
        "/v1/purchases",
        {
            "order_id": "o-1",
            "customer_id": "c-1",
            "amount": 1_250_000,
            "customer": {"phone": "۰۹۱۲ ۱۲۳ ۴۵۶۷", "name": "سارا", "consent": {"sms": True}},
        },
    )
    assert made.status_code == 201, made.text
    assert made.json()["cashback_earned"] == 62_500
    assert made.json()["balance"] == 62_500

    customer = shop.call("GET", "/v1/customers/c-1").json()
    assert customer["phone"] == "+989121234567"
    assert customer["name"] == "سارا"
    assert customer["balance"] == 62_500
    assert customer["purchases_count"] == 1 and customer["total_spent"] == 1_250_000
    assert customer["expiring"] == [{"amount": 62_500, "expires_at": made.json()["cashback_expires_at"]}]

    spent = shop.call(
        "POST", "/v1/redemptions", {"redemption_id": "r-1", "customer_id": "c-1", "amount": 20_000}
    )
    assert spent.status_code == 201 and spent.json()["balance"] == 42_500

    back = shop.call("POST", "/v1/purchases/o-1/refunds", {"refund_id": "f-1"})
    assert back.status_code == 201
    assert back.json()["cashback_reversed"] == 42_500 and back.json()["balance"] == 0

    ledger = shop.call("GET", "/v1/customers/c-1/ledger", params={"limit": 2}).json()
    assert [(e["type"], e["amount"], e["balance_after"]) for e in ledger["items"]] == [
        ("reverse", -42_500, 0),
        ("redeem", -20_000, 42_500),
    ]
    rest = shop.call("GET", "/v1/customers/c-1/ledger", params={"cursor": ledger["next_cursor"]}).json()
    assert [(e["type"], e["balance_after"]) for e in rest["items"]] == [("earn", 62_500)]
    assert rest["next_cursor"] is None

    found = shop.call("GET", "/v1/customers", params={"phone": "+98 912-123-4567"}).json()
    assert [c["customer_id"] for c in found["items"]] == ["c-1"]


def test_retries_replay_the_first_answer_and_a_changed_body_conflicts(shop: Shop) -> None:
    body = {"order_id": "o-9", "customer_id": "c-9", "amount": 300_000}
    first = shop.call("POST", "/v1/purchases", body)
    again = shop.call("POST", "/v1/purchases", body)
    assert again.status_code == 201 and again.json() == first.json()
    conflict = shop.call("POST", "/v1/purchases", {**body, "amount": 300_001})
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "idempotency_conflict"
    assert shop.call("GET", "/v1/customers/c-9").json()["balance"] == 15_000


def test_customer_put_creates_then_updates_and_validates_birthdays(shop: Shop) -> None:
    created = shop.call(
        "PUT",
        "/v1/customers/c-b",
        {"phone": "09351234567", "birthday": {"calendar": "jalali", "date": "1370-12-29"}, "locale": "fa"},
    )
    assert created.status_code == 201
    updated = shop.call("PUT", "/v1/customers/c-b", {"email": "Sara@Example.COM"})
    assert updated.status_code == 200
    assert updated.json()["email"] == "Sara@example.com"
    assert updated.json()["birthday"] == {"calendar": "jalali", "date": "1370-12-29"}
    bad = shop.call("PUT", "/v1/customers/c-b", {"birthday": {"calendar": "jalali", "date": "1405-12-30"}})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "birthday.date"
    assert shop.call("GET", "/v1/customers/c-b").json()["birthday"]["date"] == "1370-12-29"


@pytest.mark.parametrize("amount", [10.5, "1000", True, -5, None, 10**16])
def test_money_that_is_not_a_non_negative_integer_is_refused_and_nothing_is_written(
    shop: Shop, amount: object
) -> None:
    answer = shop.call("POST", "/v1/purchases", {"order_id": "o-x", "customer_id": "c-x", "amount": amount})
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "amount"
    assert shop.call("GET", "/v1/customers/c-x").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"order_id": "o", "customer_id": "c", "amount": 1, "occurred_at": "2999-01-01T00:00:00Z"},
            "occurred_at",
        ),
        (
            {"order_id": "o", "customer_id": "c", "amount": 1, "occurred_at": "2026-02-30T00:00:00Z"},
            "occurred_at",
        ),
        (
            {"order_id": "o", "customer_id": "c", "amount": 1, "occurred_at": "2026-01-01T00:00:00"},
            "occurred_at",
        ),
        (
            {"order_id": "o", "customer_id": "c", "amount": 1, "customer": {"phone": "12345"}},
            "customer.phone",
        ),
        ({"order_id": "", "customer_id": "c", "amount": 1}, "order_id"),
        ({"order_id": "o\u0007", "customer_id": "c", "amount": 1}, "order_id"),
        ({"order_id": "   ", "customer_id": "c", "amount": 1}, "order_id"),
        ({"order_id": "o", "customer_id": "c", "amount": 1, "cart_id": "k\n"}, "cart_id"),
        ({"customer_id": "c", "amount": 1}, "order_id"),
    ],
)
def test_invalid_purchases_name_the_field(shop: Shop, body: dict[str, object], field: str) -> None:
    answer = shop.call("POST", "/v1/purchases", body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field
    assert shop.call("GET", "/v1/customers/c").status_code == 404


def test_malformed_huge_and_deeply_nested_bodies_get_4xx_not_5xx(shop: Shop) -> None:
    url = shop.base + "/v1/purchases"
    malformed = shop.http.post(url, data='{"order_id": "o",', headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "malformed_json"
    huge = shop.http.post(
        url, data='{"x": "' + "a" * 200_000 + '"}', headers={"Content-Type": "application/json"}
    )
    assert huge.status_code == 413
    nested = shop.http.post(url, data="[" * 5000 + "]" * 5000, headers={"Content-Type": "application/json"})
    assert nested.status_code == 400
    not_object = shop.call("POST", "/v1/purchases", [1, 2])
    assert not_object.status_code == 422


@pytest.mark.parametrize(
    ("method", "path", "raw"),
    [
        ("POST", "/v1/purchases", '{"order_id": "o\\ud800", "customer_id": "c-s", "amount": 5}'),
        (
            "POST",
            "/v1/purchases",
            '{"order_id": "o-s", "customer_id": "c-s", "amount": 5, "customer": {"name": "\\udfff"}}',
        ),
        ("POST", "/v1/redemptions", '{"redemption_id": "r\\ud800", "customer_id": "c-s", "amount": 1}'),
        ("PUT", "/v1/program", '{"shop_name": "\\ud800"}'),
        ("PUT", "/v1/customers/c-s", '{"name": "x\\ud800"}'),
    ],
)
def test_lone_surrogate_escapes_are_malformed_and_change_nothing(
    shop: Shop, method: str, path: str, raw: str
) -> None:
    headers = {"Content-Type": "application/json"}
    before = shop.call("GET", "/v1/program").json()["shop_name"]
    answer = shop.http.request(method, shop.base + path, data=raw.encode(), headers=headers, timeout=30)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "malformed_json"
    assert shop.call("GET", "/v1/customers/c-s").status_code == 404
    assert shop.call("GET", "/v1/program").json()["shop_name"] == before
    paired = '{"order_id": "o-e", "customer_id": "c-e", "amount": 5, "customer": {"name": "\\ud83d\\ude00"}}'
    emoji = shop.http.post(shop.base + "/v1/purchases", data=paired.encode(), headers=headers, timeout=30)
    assert emoji.status_code == 201 and shop.call("GET", "/v1/customers/c-e").json()["name"] == "\U0001f600"


def test_keys_are_required_and_merchants_cannot_see_each_other(shop: Shop, stack) -> None:
    assert requests.get(shop.base + "/v1/program", timeout=10).status_code == 401
    wrong = requests.get(
        shop.base + "/v1/program", headers={"Authorization": "Bearer vafa_sk_mnope_x"}, timeout=10
    )
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"
    site_as_secret = requests.get(
        shop.base + "/v1/program", headers={"Authorization": f"Bearer {shop.keys['site_key']}"}, timeout=10
    )
    assert site_as_secret.status_code == 401

    shop.call("POST", "/v1/purchases", {"order_id": "o-s", "customer_id": "secret-c", "amount": 100_000})
    other = Shop(
        shop.base, requests.post(f"{shop.base}/_local/merchants", json={"name": "x"}, timeout=10).json()
    )
    assert other.call("GET", "/v1/customers/secret-c").status_code == 404
    assert other.call("POST", "/v1/purchases/o-s/refunds", {"refund_id": "f"}).status_code == 404
    assert (
        other.call(
            "POST", "/v1/redemptions", {"redemption_id": "r", "customer_id": "secret-c", "amount": 1}
        ).status_code
        == 404
    )
    assert shop.call("GET", "/v1/customers/secret-c").json()["balance"] == 5_000


def test_twenty_four_concurrent_redemptions_never_spend_the_same_money_twice(shop: Shop) -> None:
    shop.call("POST", "/v1/purchases", {"order_id": "o-race", "customer_id": "c-race", "amount": 200_000})
    assert shop.call("GET", "/v1/customers/c-race").json()["balance"] == 10_000

    def spend(i: int) -> int:
        return shop.call(
            "POST", "/v1/redemptions", {"redemption_id": f"r-{i}", "customer_id": "c-race", "amount": 1_000}
        ).status_code

    with ThreadPoolExecutor(max_workers=24) as pool:
        codes = list(pool.map(spend, range(24)))
    assert codes.count(201) == 10
    assert codes.count(409) == 14
    customer = shop.call("GET", "/v1/customers/c-race").json()
    assert customer["balance"] == 0
    ledger = shop.call("GET", "/v1/customers/c-race/ledger", params={"limit": 100}).json()["items"]
    assert sum(e["amount"] for e in ledger) == 0
    assert ledger[0]["balance_after"] == 0


def test_concurrent_copies_of_one_order_count_once(shop: Shop) -> None:
    body = {"order_id": "o-dup", "customer_id": "c-dup", "amount": 400_000}
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda _: shop.call("POST", "/v1/purchases", body), range(12)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.text for a in answers}) == 1
    customer = shop.call("GET", "/v1/customers/c-dup").json()
    assert customer["balance"] == 20_000 and customer["purchases_count"] == 1


def test_scheduled_expiry_through_the_local_control_route(shop: Shop) -> None:
    shop.call(
        "POST",
        "/v1/purchases",
        {"order_id": "o-e", "customer_id": "c-e", "amount": 100_000, "occurred_at": "2026-10-01T10:00:00Z"},
    )
    ran = requests.post(
        f"{shop.base}/_local/schedules/expiry/run", json={"time": "2026-11-01T00:00:00Z"}, timeout=30
    )
    assert ran.status_code == 200 and ran.json()["function"] == "expiry"
    ledger = shop.call("GET", "/v1/customers/c-e/ledger").json()["items"]
    assert [(e["type"], e["amount"]) for e in ledger] == [("expire", -5_000), ("earn", 5_000)]
    assert requests.post(f"{shop.base}/_local/schedules/nope/run", json={}, timeout=10).status_code == 404


def test_program_partial_update_changes_only_what_it_names(shop: Shop) -> None:
    updated = shop.call(
        "PUT", "/v1/program", {"cashback_rate_bps": 1_000, "reminders": {"win_back_after_days": None}}
    )
    assert updated.status_code == 200
    program = shop.call("GET", "/v1/program").json()
    assert program["cashback_rate_bps"] == 1_000
    assert program["reminders"]["win_back_after_days"] is None
    assert program["reminders"]["expiry_days_before"] == [3, 1]
    bad = shop.call("PUT", "/v1/program", {"cashback_rate_bps": 10.5})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "cashback_rate_bps"
    bad_tz = shop.call("PUT", "/v1/program", {"timezone": "Mars/Olympus"})
    assert bad_tz.status_code == 422 and bad_tz.json()["error"]["field"] == "timezone"
    earned = shop.call("POST", "/v1/purchases", {"order_id": "o-p", "customer_id": "c-p", "amount": 100_000})
    assert earned.json()["cashback_earned"] == 10_000


def test_openapi_document_describes_every_route_of_the_contract(shop: Shop) -> None:
    document = requests.get(shop.base + "/openapi.json", timeout=10).json()
    for path in [
        "/v1/program",
        "/v1/customers/{customer_id}",
        "/v1/customers",
        "/v1/customers/{customer_id}/ledger",
        "/v1/purchases",
        "/v1/purchases/{order_id}/refunds",
        "/v1/redemptions",
    ]:
        assert path in document["paths"], path
    assert requests.get(shop.base + "/docs", timeout=10).status_code == 200


def test_program_templates_override_defaults_and_unknown_placeholders_are_refused(shop: Shop) -> None:
    ok = shop.call(
        "PUT", "/v1/program", {"templates": {"win_back": {"fa": {"sms": "{name} جان، برگرد! {link}"}}}}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["templates"]["win_back"]["fa"]["sms"] == "{name} جان، برگرد! {link}"
    bad = shop.call(
        "PUT", "/v1/program", {"templates": {"win_back": {"fa": {"sms": "{name.__class__} {secret}"}}}}
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"].startswith("templates")
    assert (
        shop.call("GET", "/v1/program").json()["templates"]["win_back"]["fa"]["sms"].startswith("{name} جان")
    )


def test_browser_routes_answer_cors_preflight(shop: Shop) -> None:
    answer = requests.options(
        f"{shop.base}/v1/push-subscriptions",
        timeout=10,
        headers={
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-site-key",
        },
    )
    assert answer.status_code == 204
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "x-site-key" in answer.headers["Access-Control-Allow-Headers"].lower()
