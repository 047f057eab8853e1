"""Checkout holds over HTTP against the local stack: hold, capture, void, lapse, refunds that give
back spent credit, and races between them; the wallet is exact afterwards."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from tests.e2e.conftest import Shop


def _wallet_exact(shop: Shop, customer: str) -> int:
    """balance == newest balance_after == sum of the ledger, never negative; returns the balance."""
    balance = int(shop.call("GET", f"/v1/customers/{customer}").json()["balance"])
    ledger = shop.call("GET", f"/v1/customers/{customer}/ledger", params={"limit": 100}).json()["items"]
    assert balance >= 0 and balance == sum(e["amount"] for e in ledger)
    assert ledger[0]["balance_after"] == balance
    return balance


def _earn(shop: Shop, customer: str, order: str, amount: int) -> None:
    made = shop.call("POST", "/v1/purchases", {"order_id": order, "customer_id": customer, "amount": amount})
    assert made.status_code == 201, made.text


def _hold(shop: Shop, customer: str, rid: str, amount: int, **extra: Any) -> requests.Response:
    body = {"redemption_id": rid, "customer_id": customer, "amount": amount, "hold": True, **extra}
    return shop.call("POST", "/v1/redemptions", body)


def test_hold_capture_void_and_their_refusals(shop: Shop) -> None:
    _earn(shop, "c-h", "o-h", 200_000)  # 10,000
    held = _hold(shop, "c-h", "h-1", 4_000)
    assert held.status_code == 201, held.text
    assert held.json()["status"] == "held" and held.json()["balance"] == 6_000 and held.json()["expires_at"]
    assert _hold(shop, "c-h", "h-1", 4_000).json() == held.json()  # a retry: the same answer
    captured = shop.call("POST", "/v1/redemptions/h-1/capture")
    assert captured.status_code == 200 and captured.json()["status"] == "captured"
    assert shop.call("POST", "/v1/redemptions/h-1/capture").status_code == 200
    refused = shop.call("POST", "/v1/redemptions/h-1/void")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "already_captured"

    assert _hold(shop, "c-h", "h-2", 1_000).status_code == 201
    voided = shop.call("POST", "/v1/redemptions/h-2/void")
    assert voided.status_code == 200 and voided.json()["status"] == "voided"
    assert voided.json()["balance"] == 6_000
    assert shop.call("POST", "/v1/redemptions/h-2/void").json()["status"] == "voided"
    late = shop.call("POST", "/v1/redemptions/h-2/capture")
    assert late.status_code == 409 and late.json()["error"]["code"] == "hold_expired"
    missing = shop.call("POST", "/v1/redemptions/nope/capture")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "redemption_not_found"
    plain = shop.call("POST", "/v1/redemptions", {"redemption_id": "r-p", "customer_id": "c-h", "amount": 1})
    assert plain.json()["status"] == "captured"
    ledger = shop.call("GET", "/v1/customers/c-h/ledger").json()["items"]
    assert [(e["type"], e["amount"]) for e in ledger][:3] == [
        ("redeem", -1),
        ("release", 1_000),
        ("redeem", -1_000),
    ]
    assert _wallet_exact(shop, "c-h") == 5_999


def test_max_redeem_percent_and_order_total(shop: Shop) -> None:
    assert shop.call("PUT", "/v1/program", {"max_redeem_percent": 20, "hold_minutes": 15}).status_code == 200
    _earn(shop, "c-m", "o-m", 1_000_000)
    body = {"redemption_id": "r-m", "customer_id": "c-m", "amount": 20_001, "order_total": 100_000}
    over = shop.call("POST", "/v1/redemptions", body)
    assert over.status_code == 422 and over.json()["error"]["field"] == "amount"
    ok = shop.call("POST", "/v1/redemptions", {**body, "amount": 20_000, "hold": True})
    assert ok.status_code == 201
    expires = datetime.fromisoformat(ok.json()["expires_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=14) < expires - datetime.now(UTC) <= timedelta(minutes=15)
    bad = shop.call("POST", "/v1/redemptions", {**body, "order_total": -1})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "order_total"
    assert shop.call("PUT", "/v1/program", {"max_redeem_percent": 0}).status_code == 422


def test_a_hold_racing_a_redemption_never_spends_the_same_credit_twice(shop: Shop) -> None:
    for round_ in range(4):
        customer = f"c-hr{round_}"
        _earn(shop, customer, f"o-hr{round_}", 200_000)  # 10,000

        def go(i: int, customer: str = customer) -> int:
            body = {"redemption_id": f"x-{customer}-{i}", "customer_id": customer, "amount": 6_000}
            return shop.call("POST", "/v1/redemptions", {**body, "hold": i % 2 == 0}).status_code

        with ThreadPoolExecutor(max_workers=4) as pool:
            codes = list(pool.map(go, range(4)))
        assert codes.count(201) == 1 and codes.count(409) == 3
        assert _wallet_exact(shop, customer) == 4_000


def test_a_capture_racing_the_lapse_either_captures_or_voids_never_both(shop: Shop) -> None:
    assert shop.call("PUT", "/v1/program", {"hold_minutes": 1}).status_code == 200
    outcomes = set()
    for round_ in range(4):
        customer = f"c-lap{round_}"
        _earn(shop, customer, f"o-lap{round_}", 200_000)
        held = _hold(shop, customer, f"h-lap{round_}", 3_000)
        lapse = held.json()["expires_at"]
        run_at = (datetime.fromisoformat(lapse.replace("Z", "+00:00")) + timedelta(seconds=1)).isoformat()

        def capture(rid: str = f"h-lap{round_}") -> int:
            return shop.call("POST", f"/v1/redemptions/{rid}/capture").status_code

        def lapse_run(at: str = run_at) -> int:
            return requests.post(
                f"{shop.base}/_local/schedules/expiry/run", json={"time": at}, timeout=60
            ).status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            captured, ran = pool.submit(capture), pool.submit(lapse_run)
            code, _ = captured.result(), ran.result()
        assert ran.result() == 200 and code in (200, 409)
        outcomes.add(code)
        expected = 7_000 if code == 200 else 10_000
        assert _wallet_exact(shop, customer) == expected
        # Whatever won, a second capture agrees with it.
        assert shop.call("POST", f"/v1/redemptions/h-lap{round_}/capture").status_code == code
    assert outcomes  # either outcome is right; the books are exact in both


def test_a_void_racing_a_refund_returns_each_credit_once(shop: Shop) -> None:
    for round_ in range(3):
        c, order = f"c-vr{round_}", f"o-vr{round_}"
        _earn(shop, c, f"seed-{round_}", 2_000_000)  # 100,000
        spent = shop.call(
            "POST",
            "/v1/redemptions",
            {"redemption_id": f"s-{c}", "customer_id": c, "amount": 30_000, "order_id": order},
        )
        assert spent.status_code == 201
        assert _hold(shop, c, f"h-{c}", 20_000, order_id=order).status_code == 201
        _earn(shop, c, order, 400_000)  # earns 20,000: balance 100,000 - 30,000 - 20,000 + 20,000

        def void(rid: str = f"h-{c}") -> requests.Response:
            return shop.call("POST", f"/v1/redemptions/{rid}/void")

        def refund(o: str = order) -> requests.Response:
            return shop.call("POST", f"/v1/purchases/{o}/refunds", {"refund_id": "f-1"})

        with ThreadPoolExecutor(max_workers=2) as pool:
            voided, refunded = pool.submit(void), pool.submit(refund)
            v, r = voided.result(), refunded.result()
        assert v.status_code == 200 and r.status_code == 201, (v.text, r.text)
        # The captured 30,000 comes back whole with the refund; the held 20,000 by its void only.
        assert r.json()["credit_restored"] == 30_000 and r.json()["cashback_reversed"] == 20_000
        assert _wallet_exact(shop, c) == 100_000
