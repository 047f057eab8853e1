"""The expiry run has a time budget: out of time, it stops between two customers, says so, and the
next run settles the rest — each customer's credit expires once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vafa.jobs.budget import Budget
from vafa.jobs.expiry import run_expiry
from vafa.merchants import ProgramStore, create_merchant
from vafa.profiles import read_customer
from vafa.wallet import operations

NOW = datetime.now(UTC).replace(microsecond=0)


class _Customers(Budget):
    """A budget counted in customers settled, so the test cuts the run at an exact point."""

    def __init__(self, customers: int) -> None:
        super().__init__(0)
        self.left = customers

    def spent(self) -> bool:
        self.left -= 1
        return self.left < 0


def test_an_expiry_run_cut_short_leaves_the_rest_for_the_next_run(isolated_stack: object) -> None:
    merchants = [create_merchant(f"shop-{i}", NOW - timedelta(days=60)).merchant_id for i in range(2)]
    for merchant in merchants:
        program = ProgramStore(0).get(merchant)
        for c in range(3):  # 50,000 each, expired ten days ago
            request = operations.PurchaseRequest(
                f"o{c}", f"c{c}", 1_000_000, NOW - timedelta(days=40), None, None, {}
            )
            operations.record_purchase(merchant, request, program, NOW - timedelta(days=40))
    first = run_expiry(NOW, _Customers(4))
    assert first["cut_short"] is True and (first["customers"], first["expired"]) == (4, 200_000)
    second = run_expiry(NOW + timedelta(minutes=60))
    assert second["cut_short"] is False and (second["customers"], second["expired"]) == (2, 100_000)
    assert run_expiry(NOW + timedelta(minutes=120))["customers"] == 0
    for merchant in merchants:
        for c in range(3):
            assert read_customer(merchant, f"c{c}", NOW)["balance"] == 0
