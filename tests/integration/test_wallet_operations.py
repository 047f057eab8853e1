"""The wallet operations against the AWS stand-in: real PynamoDB transactions and conditions."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from vafa.errors import IdempotencyConflict, InsufficientBalance, NotFound, ValidationFailed
from vafa.jobs.expiry import run_expiry
from vafa.profiles import read_customer
from vafa.program import Program
from vafa.timeutil import iso
from vafa.wallet import operations as ops
from vafa.wallet.store import ledger_page, load_profile, lots_of

from tests.clock import TODAY

NOW = datetime.combine(TODAY, time(10, 0), UTC)  # the real today: any date the suite runs on
PROGRAM = Program()


def purchase(
    merchant: str,
    order_id: str,
    amount: int,
    customer: str = "c1",
    at: datetime = NOW,
    occurred_at: datetime | None = None,
) -> dict[str, Any]:
    body = {"order_id": order_id, "customer_id": customer, "amount": amount}
    req = ops.PurchaseRequest(order_id, customer, amount, occurred_at, None, None, body)
    return ops.record_purchase(merchant, req, PROGRAM, at)


def redeem(merchant: str, rid: str, amount: int, customer: str = "c1", at: datetime = NOW) -> dict[str, Any]:
    body = {"redemption_id": rid, "customer_id": customer, "amount": amount}
    return ops.redeem(merchant, ops.RedemptionRequest(rid, customer, amount, None, body), at)


def refund(
    merchant: str, order_id: str, rid: str, amount: int | None = None, at: datetime = NOW
) -> dict[str, Any]:
    body: dict[str, Any] = {"refund_id": rid} | ({"amount": amount} if amount is not None else {})
    return ops.refund(merchant, ops.RefundRequest(order_id, rid, amount, body), at)


def assert_wallet_consistent(merchant: str, customer: str = "c1") -> int:
    """balance == sum of open lots == balance_after of the newest ledger entry, and never negative."""
    profile = load_profile(merchant, customer)
    assert profile is not None
    ledger, cursor = ledger_page(merchant, customer, 100, None)
    while cursor:
        more, cursor = ledger_page(merchant, customer, 100, cursor)
        ledger += more
    balance = int(profile.balance)
    assert balance >= 0
    assert balance == sum(lot.remaining for lot in lots_of(profile))
    assert balance == sum(int(e["amount"]) for e in ledger)
    if ledger:
        assert int(ledger[0]["balance_after"]) == balance  # newest first
    return balance


def test_purchase_earns_floored_cashback_as_a_lot_expiring_after_the_program_days(merchant: str) -> None:
    answer = purchase(merchant, "o1", 1_999_999)
    assert answer["cashback_earned"] == 99_999
    assert answer["cashback_expires_at"] == iso(NOW + timedelta(days=30))
    assert answer["balance"] == 99_999
    assert assert_wallet_consistent(merchant) == 99_999


def test_replayed_purchase_returns_the_original_answer_and_changes_nothing(merchant: str) -> None:
    first = purchase(merchant, "o1", 100_000)
    again = purchase(merchant, "o1", 100_000, at=NOW + timedelta(hours=1))
    assert again == first
    assert assert_wallet_consistent(merchant) == 5_000
    with pytest.raises(IdempotencyConflict):
        purchase(merchant, "o1", 200_000)


def test_redemption_spends_soonest_expiring_lots_first(merchant: str) -> None:
    purchase(merchant, "old", 100_000, occurred_at=NOW - timedelta(days=20))  # 5,000 expiring in 10 days
    purchase(merchant, "new", 200_000)  # 10,000 expiring in 30 days
    redeem(merchant, "r1", 7_000)
    profile = load_profile(merchant, "c1")
    assert profile is not None
    assert [(lot.lot_id, lot.remaining) for lot in lots_of(profile)] == [("earn:new", 8_000)]
    assert assert_wallet_consistent(merchant) == 8_000


def test_redeeming_more_than_the_balance_spends_nothing(merchant: str) -> None:
    purchase(merchant, "o1", 100_000)
    with pytest.raises(InsufficientBalance):
        redeem(merchant, "r1", 5_001)
    assert assert_wallet_consistent(merchant) == 5_000


def test_a_lot_past_expiry_cannot_be_spent_before_the_expiry_job_runs(merchant: str) -> None:
    purchase(merchant, "o1", 100_000)
    later = NOW + timedelta(days=30, seconds=1)
    with pytest.raises(InsufficientBalance):
        redeem(merchant, "r1", 1, at=later)
    assert read_customer(merchant, "c1", later)["balance"] == 0
    assert assert_wallet_consistent(merchant) == 0


def test_refund_reverses_cashback_proportionally_and_never_below_zero(merchant: str) -> None:
    purchase(merchant, "o1", 1_000_000)  # 50,000
    redeem(merchant, "r1", 30_000)
    part = refund(merchant, "o1", "f1", 333_333)
    assert part["cashback_reversed"] == 16_666
    assert part["balance"] == 20_000 - 16_666
    rest = refund(merchant, "o1", "f2")
    assert rest["amount"] == 666_667
    assert rest["cashback_reversed"] == 3_334
    assert rest["cashback_unrecovered"] == 33_334 - 3_334
    assert rest["balance"] == 0
    assert assert_wallet_consistent(merchant) == 0
    with pytest.raises(ValidationFailed):
        refund(merchant, "o1", "f3", 1)


def test_refund_of_unknown_order_is_not_found(merchant: str) -> None:
    with pytest.raises(NotFound):
        refund(merchant, "nope", "f1")


def test_expiry_job_expires_each_lot_once_and_is_safe_to_rerun(merchant: str) -> None:
    purchase(merchant, "o1", 100_000)
    purchase(merchant, "o2", 100_000, occurred_at=NOW - timedelta(days=25))
    run_at = NOW + timedelta(days=6)
    first = run_expiry(run_at)
    assert first["expired"] >= 5_000
    rerun = run_expiry(run_at)
    assert assert_wallet_consistent(merchant) == 5_000
    rows, _ = ledger_page(merchant, "c1", 10, None)
    assert [row["type"] for row in rows].count("expire") == 1
    assert rerun["expired"] == 0 or rerun["customers"] == 0
    profile = load_profile(merchant, "c1")
    assert profile is not None and len(lots_of(profile)) == 1


def test_tenant_isolation_same_ids_in_two_merchants_never_mix(merchant: str) -> None:
    from vafa.merchants import create_merchant

    other = create_merchant("Other", NOW).merchant_id
    purchase(merchant, "o1", 100_000)
    purchase(other, "o1", 300_000)
    assert read_customer(merchant, "c1", NOW)["balance"] == 5_000
    assert read_customer(other, "c1", NOW)["balance"] == 15_000
    with pytest.raises(NotFound):
        read_customer(other, "c2", NOW)
