"""Thousands of random wallet histories; the invariants are checked after every step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from vafa.wallet import domain

START = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Order:
    amount: int
    cashback: int
    lot_id: str
    refunded: int = 0
    reversal_due: int = 0


@dataclass
class Wallet:
    """An in-memory wallet driven only through the pure rules the real store uses."""

    lots: list[domain.Lot] = field(default_factory=list)
    ledger: list[tuple[str, int, int]] = field(default_factory=list)  # (type, amount, balance_after)
    balance: int = 0

    def apply(self, change: domain.Change) -> None:
        self.lots = domain.apply(self.lots, change)
        for entry in change.entries:
            self.balance += entry.amount
            self.ledger.append((entry.type, entry.amount, self.balance))


class WalletHistory(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = START
        self.wallet = Wallet()
        self.orders: dict[str, Order] = {}
        self.redemptions: dict[str, int] = {}
        self.next_id = 0

    def _settle(self, change: domain.Change) -> None:
        domain.expire_due(self.wallet.lots, self.now, change)

    @rule(
        amount=st.integers(0, 5_000_000),
        rate=st.integers(0, 10_000),
        days=st.integers(1, 60),
        back=st.integers(0, 90),
    )
    def purchase(self, amount: int, rate: int, days: int, back: int) -> None:
        self.next_id += 1
        order_id = f"o{self.next_id}"
        occurred = self.now - timedelta(days=back)
        change = domain.Change()
        self._settle(change)
        cashback = domain.cashback_for(amount, rate)
        lot_id = f"earn:{order_id}"
        if cashback:
            expires = domain.expiry_for(occurred, days)
            lot = domain.Lot(lot_id, "earn", order_id, cashback, cashback, occurred, expires)
            change.new_lots.append(lot)
            change.entries.append(domain.Entry("earn", cashback, occurred, order_id))
            if expires <= self.now:
                change.lot_takes[lot_id] = cashback
                change.entries.append(domain.Entry("expire", -cashback, expires, lot_id))
        self.wallet.apply(change)
        self.orders[order_id] = Order(amount, cashback, lot_id)

    @rule(amount=st.integers(1, 400_000))
    def redeem(self, amount: int) -> None:
        self.next_id += 1
        change = domain.Change()
        self._settle(change)
        before = domain.spendable(self.wallet.lots, self.now)
        taken = domain.take(self.wallet.lots, amount, self.now, change)
        if taken < amount:
            # Insufficient: the request is refused and nothing at all is written.
            assert before < amount
            return
        change.entries.append(domain.Entry("redeem", -amount, self.now, f"r{self.next_id}"))
        self.wallet.apply(change)
        self.redemptions[f"r{self.next_id}"] = amount

    @precondition(lambda self: bool(self.orders))
    @rule(data=st.data())
    def refund(self, data: st.DataObject) -> None:
        order_id = data.draw(st.sampled_from(sorted(self.orders)))
        order = self.orders[order_id]
        left = order.amount - order.refunded
        if left <= 0:
            return
        amount = data.draw(st.integers(1, left))
        change = domain.Change()
        self._settle(change)
        due = domain.reversal_due(order.cashback, order.amount, order.refunded + amount)
        owed = due - order.reversal_due
        balance_before = self.wallet.balance + change.delta
        reversed_now = domain.reverse(self.wallet.lots, order.lot_id, owed, self.now, change)
        if reversed_now:
            change.entries.append(domain.Entry("reverse", -reversed_now, self.now, order_id))
        assert reversed_now == min(owed, balance_before)
        self.wallet.apply(change)
        order.refunded += amount
        order.reversal_due = due

    @rule(days=st.integers(0, 40), hours=st.integers(0, 23))
    def time_passes(self, days: int, hours: int) -> None:
        self.now += timedelta(days=days, hours=hours)

    @rule()
    def expiry_job(self) -> None:
        change = domain.Change()
        self._settle(change)
        self.wallet.apply(change)
        # Running it again at the same time changes nothing.
        again = domain.Change()
        self._settle(again)
        assert again.entries == []

    @invariant()
    def balance_equals_open_lots_and_last_ledger_entry(self) -> None:
        wallet = self.wallet
        assert wallet.balance >= 0
        assert wallet.balance == sum(lot.remaining for lot in wallet.lots)
        assert wallet.balance == sum(amount for _, amount, _ in wallet.ledger)
        if wallet.ledger:
            assert wallet.ledger[-1][2] == wallet.balance
        assert all(lot.remaining > 0 for lot in wallet.lots)

    @invariant()
    def total_refund_never_exceeds_order_and_reversal_is_proportional(self) -> None:
        for order in self.orders.values():
            assert order.refunded <= order.amount
            if order.amount:
                assert order.reversal_due == order.cashback * order.refunded // order.amount


WalletHistory.TestCase.settings = settings(max_examples=300, stateful_step_count=40, deadline=None)
TestWalletHistory = WalletHistory.TestCase


def test_cashback_floors_and_respects_cap_and_minimum() -> None:
    assert domain.cashback_for(1_999, 500) == 99
    assert domain.cashback_for(1_000_000, 500, max_cashback=20_000) == 20_000
    assert domain.cashback_for(90_000, 500, min_purchase_amount=100_000) == 0
    assert domain.cashback_for(0, 500) == 0


def test_spending_takes_soonest_expiring_lot_first_and_skips_expired() -> None:
    now = START
    lots = [
        domain.Lot("late", "earn", "a", 100, 100, now, now + timedelta(days=30)),
        domain.Lot("soon", "earn", "b", 100, 100, now, now + timedelta(days=3)),
        domain.Lot("gone", "earn", "c", 100, 100, now - timedelta(days=40), now - timedelta(days=1)),
    ]
    change = domain.Change()
    assert domain.take(lots, 150, now, change) == 150
    assert change.lot_takes == {"soon": 100, "late": 50}


def test_refund_reversal_is_proportional_and_floored() -> None:
    assert domain.reversal_due(50_000, 1_000_000, 333_333) == 16_666
    assert domain.reversal_due(50_000, 1_000_000, 1_000_000) == 50_000
