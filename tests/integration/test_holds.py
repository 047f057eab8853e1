"""Checkout holds, capture, void, lapse and refunds that give back spent credit, against the AWS
stand-in: real transactions, conditions and the expiry run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from vafa.errors import Conflict, NotFound, ValidationFailed
from vafa.jobs.expiry import run_expiry
from vafa.profiles import read_customer
from vafa.program import Program
from vafa.wallet import operations as ops
from vafa.wallet.store import ledger_page, load_profile

from tests.integration.test_wallet_operations import NOW, assert_wallet_consistent, purchase, refund


def spend(
    merchant: str,
    rid: str,
    amount: int,
    *,
    hold: bool = False,
    order_id: str | None = None,
    order_total: int | None = None,
    at: Any = NOW,
    program: Program | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"redemption_id": rid, "customer_id": "c1", "amount": amount, "hold": hold}
    req = ops.RedemptionRequest(rid, "c1", amount, order_id, body, hold, order_total)
    return ops.redeem(merchant, req, at, program)


def entries(merchant: str) -> list[tuple[str, int]]:
    items, _ = ledger_page(merchant, "c1", 100, None)
    return [(e["type"], e["amount"]) for e in reversed(items)]


def test_a_hold_leaves_the_balance_and_capture_keeps_it(merchant: str) -> None:
    purchase(merchant, "o1", 1_000_000)  # 50,000
    held = spend(merchant, "h1", 20_000, hold=True)
    assert held["status"] == "held" and held["balance"] == 30_000
    assert held["expires_at"] == (NOW + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with pytest.raises(Exception) as short:  # the held credit cannot be spent twice
        spend(merchant, "r2", 30_001)
    assert getattr(short.value, "code", "") == "insufficient_balance"
    captured = ops.capture(merchant, "h1", NOW + timedelta(minutes=5))
    assert captured["status"] == "captured" and captured["balance"] == 30_000
    assert ops.capture(merchant, "h1", NOW + timedelta(minutes=6))["status"] == "captured"
    with pytest.raises(Conflict) as captured_void:
        ops.void(merchant, "h1", NOW + timedelta(minutes=7))
    assert captured_void.value.code == "already_captured"
    # Captured: the lapse no longer touches it.
    assert read_customer(merchant, "c1", NOW + timedelta(hours=2))["balance"] == 30_000
    assert entries(merchant) == [("earn", 50_000), ("redeem", -20_000)]
    assert_wallet_consistent(merchant)


def test_void_returns_the_credit_to_its_lots_and_an_expired_lot_expires_at_once(merchant: str) -> None:
    purchase(merchant, "old", 1_000_000, occurred_at=NOW - timedelta(days=29, hours=23, minutes=50))
    purchase(merchant, "new", 200_000)  # 50,000 expiring in 10 minutes, then 10,000 for 30 days
    spend(merchant, "h1", 55_000, hold=True)
    later = NOW + timedelta(minutes=20)  # the first lot has expired meanwhile
    voided = ops.void(merchant, "h1", later)
    assert voided["status"] == "voided" and voided["balance"] == 10_000
    assert ops.void(merchant, "h1", later)["balance"] == 10_000  # again: the same
    with pytest.raises(Conflict) as refused:
        ops.capture(merchant, "h1", later)
    assert refused.value.code == "hold_expired"
    assert entries(merchant) == [
        ("earn", 50_000),
        ("earn", 10_000),
        ("redeem", -55_000),
        ("release", 55_000),
        ("expire", -50_000),
    ]
    assert_wallet_consistent(merchant)
    with pytest.raises(NotFound):
        ops.void(merchant, "nope", later)


def test_a_lapsed_hold_is_voided_by_any_read_and_by_the_expiry_run(merchant: str) -> None:
    purchase(merchant, "o1", 1_000_000)
    spend(merchant, "h1", 20_000, hold=True)
    spend(merchant, "h2", 10_000, hold=True, at=NOW + timedelta(minutes=1))
    after = NOW + timedelta(minutes=30, seconds=30)
    assert read_customer(merchant, "c1", after)["balance"] == 40_000  # h1 lapsed, h2 still held
    with pytest.raises(Conflict) as lapsed:
        ops.capture(merchant, "h1", after)
    assert lapsed.value.code == "hold_expired"
    ran = run_expiry(NOW + timedelta(minutes=40))
    assert ran["customers"] >= 1
    profile = load_profile(merchant, "c1")
    assert profile is not None and profile.holds is None and int(profile.balance) == 50_000
    with pytest.raises(Conflict):
        ops.capture(merchant, "h2", NOW + timedelta(minutes=41))
    assert [t for t, _ in entries(merchant)] == ["earn", "redeem", "redeem", "release", "release"]
    assert_wallet_consistent(merchant)


def test_a_capture_of_a_lapsed_hold_voids_it_in_the_same_write(merchant: str) -> None:
    purchase(merchant, "o1", 1_000_000)
    spend(merchant, "h1", 20_000, hold=True)
    with pytest.raises(Conflict):
        ops.capture(merchant, "h1", NOW + timedelta(minutes=30))  # at the lapse: lapsed
    profile = load_profile(merchant, "c1")
    assert profile is not None and profile.holds is None and int(profile.balance) == 50_000
    assert ops.void(merchant, "h1", NOW + timedelta(minutes=31))["status"] == "voided"
    assert_wallet_consistent(merchant)


def test_refunds_return_the_share_of_credit_spent_on_the_order(merchant: str) -> None:
    purchase(merchant, "o1", 1_000_000)  # 50,000
    spend(merchant, "r1", 20_000, order_id="o2")  # captured at once
    spend(merchant, "h1", 10_000, order_id="o2", hold=True)
    ops.capture(merchant, "h1", NOW)
    spend(merchant, "h2", 5_000, order_id="o2", hold=True)  # voided: never restored
    ops.void(merchant, "h2", NOW)
    purchase(merchant, "o2", 400_000)  # earns 20,000; balance 40,000
    half = refund(merchant, "o2", "f1", 200_000)
    assert half["credit_restored"] == 15_000 and half["cashback_reversed"] == 10_000
    assert half["balance"] == 45_000
    rest = refund(merchant, "o2", "f2")
    assert rest["credit_restored"] == 15_000 and rest["balance"] == 50_000
    assert refund(merchant, "o2", "f2") == rest  # replay
    assert_wallet_consistent(merchant)


def test_max_redeem_percent_caps_the_share_of_the_order(merchant: str) -> None:
    purchase(merchant, "o1", 1_000_000)
    program = Program(max_redeem_percent=10)
    with pytest.raises(ValidationFailed) as refused:
        spend(merchant, "r1", 10_001, order_total=100_000, program=program)
    assert refused.value.field == "amount"
    assert spend(merchant, "r1", 10_000, order_total=100_000, program=program)["balance"] == 40_000
