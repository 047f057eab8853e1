"""`vafa migrate` on a table written in the earlier layout: lots and ledger entries as items of their
own, orders listed per customer under GSI1, profiles with long attribute names and the birthday on
the DueIndex. After it, every read, write and schedule works on the customer as before."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from vafa.jobs.expiry import expire_merchant
from vafa.merchants import ProgramStore
from vafa.messaging import kinds
from vafa.profiles import read_customer
from vafa.store import keys as k
from vafa.store.table import connection
from vafa.timeutil import iso
from vafa.wallet import operations as ops
from vafa.wallet.store import ledger_page
from vafa_dev.migrate import migrate

from tests.clock import TODAY

NOW = datetime.combine(TODAY, time(9, 0), UTC)


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def _old_layout(merchant: str) -> None:
    """One customer as the earlier version left them: 20,000 earned on two orders, 5,000 spent."""
    cpk = k.customer_pk(merchant, "c1")
    first, second = NOW - timedelta(days=20), NOW - timedelta(days=5)
    born = date(1990, TODAY.month, TODAY.day) if (TODAY.month, TODAY.day) != (2, 29) else date(1992, 2, 29)
    items: list[dict[str, Any]] = [
        {
            "PK": _s(cpk),
            "SK": _s(k.PROFILE),
            "kind": _s("customer"),
            "customer_id": _s("c1"),
            "phone": _s("+989121234567"),
            "locale": _s("fa"),
            "consent": {"M": {"sms": {"BOOL": True}, "email": {"BOOL": False}, "push": {"BOOL": False}}},
            "birthday": {"M": {"calendar": _s("gregorian"), "date": _s(born.isoformat())}},
            "balance": _n(15_000),
            "seq": _n(3),
            "purchases_count": _n(2),
            "total_spent": _n(400_000),
            "first_purchase_at": _s(iso(first)),
            "last_purchase_at": _s(iso(second)),
            "next_expiry": _s(iso(first + timedelta(days=30))),
            "purchase_times": _s(json.dumps([iso(first), iso(second)])),
            "created_at": _s(iso(first)),
            "updated_at": _s(iso(second)),
            "version": _n(4),
            "GSI1PK": _s(k.phone_key(merchant, "+989121234567")),
            "GSI1SK": _s("c1"),
            "MemberPK": _s(k.member_pk(merchant, "c1")),
            "MemberSK": _s("c1"),
            "ActPK": _s(f"M#{merchant}#ACT#{second.date().isoformat()}"),
            "ActSK": _s("c1"),
            "DuePK": _s(k.due_pk(merchant, "birthday")),
            "DueSK": _s(f"gregorian:{born.month:02d}-{born.day:02d}#c1"),
        }
    ]
    for order_id, at, remaining in (("o1", first, 5_000), ("o2", second, 10_000)):
        expires = iso(at + timedelta(days=30))
        items.append(
            {
                "PK": _s(cpk),
                "SK": _s(f"LOT#{expires}#earn:{order_id}"),
                "kind": _s("lot"),
                "lot_id": _s(f"earn:{order_id}"),
                "source": _s("earn"),
                "ref": _s(order_id),
                "amount": _n(10_000),
                "remaining": _n(remaining),
                "earned_at": _s(iso(at)),
                "expires_at": _s(expires),
                "DuePK": _s(k.due_pk(merchant, "expiry")),
                "DueSK": _s(f"{expires}#c1#earn:{order_id}"),
            }
        )
        items.append(
            {
                "PK": _s(k.order_pk(merchant, order_id)),
                "SK": _s(k.ORDER),
                "kind": _s("order"),
                "order_id": _s(order_id),
                "customer_id": _s("c1"),
                "amount": _n(200_000),
                "cashback": _n(10_000),
                "occurred_at": _s(iso(at)),
                "request_hash": _s("x"),
                "response": _s("{}"),
                "refunded_amount": _n(0),
                "GSI1PK": _s(f"M#{merchant}#CORD#c1"),
                "GSI1SK": _s(f"{iso(at)}#{order_id}"),
            }
        )
    for seq, (kind, amount, balance, at, ref) in enumerate(
        [
            ("earn", 10_000, 10_000, first, "o1"),
            ("redeem", -5_000, 5_000, first + timedelta(days=1), "r1"),
            ("earn", 10_000, 15_000, second, "o2"),
        ],
        start=1,
    ):
        items.append(
            {
                "PK": _s(cpk),
                "SK": _s(f"LEDGER#{seq:012d}"),
                "kind": _s("ledger"),
                "type": _s(kind),
                "amount": _n(amount),
                "balance_after": _n(balance),
                "at": _s(iso(at)),
                "ref": _s(ref),
                "recorded_at": _s(iso(at)),
            }
        )
    items.append(
        {
            "PK": _s(cpk),
            "SK": _s("DUE#feedback#o2"),
            "kind": _s("due"),
            "due_kind": _s("feedback"),
            "ref": _s("o2"),
            "due_at": _s(iso(second + timedelta(days=2))),
            "DuePK": _s(k.due_pk(merchant, "feedback")),
            "DueSK": _s(f"{iso(second + timedelta(days=2))}#c1"),
        }
    )
    from vafa.config import settings

    for item in items:
        connection().client.put_item(TableName=settings().table_name, Item=item)


def test_the_earlier_layout_reads_writes_and_schedules_the_same_after_migrating(merchant: str) -> None:
    _old_layout(merchant)
    report = migrate(NOW, [merchant])
    assert (report.profiles_migrated, report.lots_folded, report.ledger_entries) == (1, 2, 3)
    assert (report.orders_on_timeline, report.markers_dropped, report.skipped) == (2, 1, [])

    customer = read_customer(merchant, "c1", NOW)
    assert (customer["balance"], customer["purchases_count"], customer["total_spent"]) == (15_000, 2, 400_000)
    assert [lot["amount"] for lot in customer["expiring"]] == [5_000, 10_000]
    rows, _ = ledger_page(merchant, "c1", 10, None)
    assert [(r["type"], r["amount"], r["balance_after"]) for r in rows] == [
        ("earn", 10_000, 15_000),
        ("redeem", -5_000, 5_000),
        ("earn", 10_000, 10_000),
    ]

    # Spending continues the same sequence, from the soonest-expiring lot.
    request = ops.RedemptionRequest("r2", "c1", 6_000, None, {"r": 2})
    assert ops.redeem(merchant, request, NOW)["balance"] == 9_000
    rows, _ = ledger_page(merchant, "c1", 1, None)
    assert rows[0]["type"] == "redeem" and rows[0]["balance_after"] == 9_000

    # The older lot's rest expires on its day, through the profile's new due key.
    assert expire_merchant(merchant, NOW + timedelta(days=11)) == (0, 0)  # the older lot was spent whole
    assert expire_merchant(merchant, NOW + timedelta(days=26)) == (1, 9_000)  # the rest of the newer one
    after = read_customer(merchant, "c1", NOW + timedelta(days=26))
    assert after["balance"] == 0 and after["expiring"] == []

    # The birthday moved index and is still found; a second run changes nothing.
    program = ProgramStore(0).get(merchant)
    greeted: list[str] = []
    kinds.birthdays(merchant, program, NOW, lambda c, _: greeted.append(c.customer_id))
    assert greeted == ["c1"]
    again = migrate(NOW, [merchant])
    assert (again.profiles_migrated, again.lots_folded, again.markers_dropped) == (0, 0, 0)
    assert len(ledger_page(merchant, "c1", 100, None)[0]) == 5  # 3 migrated, a redemption, an expiry
