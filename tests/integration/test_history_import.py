"""`vafa import` against the AWS stand-in: history only by default, idempotent, bad rows reported and
never written, cashback through the live purchase path on request, and the metrics job's view of it."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from vafa.insight.metrics.job import metrics_report, run_for_merchant
from vafa.merchants import ProgramStore
from vafa.messaging import kinds
from vafa.profiles import find_by_phone, read_customer
from vafa.program import Program, merge_update
from vafa.store import keys as k
from vafa.store.models import CustomerItem, DueItem, OrderItem
from vafa.wallet.operations import PurchaseRequest, record_purchase
from vafa.wallet.store import ledger_page
from vafa_dev.history import writer
from vafa_dev.history.command import run_import

NOW = datetime.now(UTC).replace(microsecond=0)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def stamp(days: float) -> str:
    return ago(days).strftime("%Y-%m-%dT%H:%M:%SZ")


def run(merchant: str, path: Path, earn: bool = False) -> tuple[int, dict[str, Any], str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_import(merchant, str(path), None, earn_cashback=earn, out=out, err=err, workers=2)
    return code, json.loads(out.getvalue()), err.getvalue()


def order(merchant: str, order_id: str) -> OrderItem | None:
    try:
        return OrderItem.get(k.order_pk(merchant, order_id), k.ORDER)
    except OrderItem.DoesNotExist:
        return None


def profile(merchant: str, customer_id: str) -> CustomerItem:
    return CustomerItem.get(k.customer_pk(merchant, customer_id), k.PROFILE, consistent_read=True)


def win_backs_at(merchant: str, program: Program, when: datetime) -> list[str]:
    due: list[str] = []
    kinds.win_backs(merchant, program, when, lambda customer, _: due.append(customer.customer_id))
    return sorted(due)


CSV = [
    "order_id,customer_id,amount,occurred_at,refunded_amount,phone,name,birthday,note",
    f"a1,ann,1000000,{stamp(400)},,۰۹۱۲ ۱۲۳ ۴۵۶۷,آنا,1370-12-29,first order",
    f"a2,ann,2000000,{stamp(200)},,,,,",
    f"a3,ann,3000000,{stamp(20)},,,,,",
    f"b1,bob,500000,{stamp(300)},500000,,,,refunded in full",
    f"b2,bob,700000,{stamp(100)},200000,,,,",
    "c1,cem,900000,2025-03-21,,,,,a plain date",
    "x1,cem,12.5,2025-01-01,,,,,",  # 8: a fraction
    f"x2,cem,100,{(NOW + timedelta(days=2)).strftime('%Y-%m-%dT%H:%M:%SZ')},,,,,",  # 9: future
    "x3,,100,2025-01-01,,,,,",  # 10: no customer
    "x4,dan,100,2025-01-01,,12345,,,",  # 11: not a phone
    "x5,dan,100,2025-01-01,200,,,,",  # 12: refunded more than paid
    "a2,ann,2000001,2025-01-01,,,,,",  # 13: a2 again with other values
    f"a2,ann,2000000,{stamp(200)},,,,,",  # 14: a2 again, the same: skipped
]


def test_a_csv_history_imports_once_with_bad_rows_named_and_never_written(
    merchant: str, tmp_path: Path
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(CSV) + "\n", encoding="utf-8")
    code, summary, progress = run(merchant, path)
    assert code == 1 and summary["mode"] == "history"
    assert (summary["rows"], summary["imported"], summary["skipped"], summary["rejected"]) == (13, 6, 1, 6)
    assert [(r["row"], r["field"]) for r in summary["rejected_rows"]] == [
        (8, "amount"),
        (9, "occurred_at"),
        (10, "customer_id"),
        (11, "phone"),
        (12, "refunded_amount"),
        (13, "order_id"),
    ]
    assert summary["rows_per_second"] > 0 and "rows/s" in progress and "100.0%" in progress
    for bad in ("x1", "x2", "x3", "x4", "x5"):
        assert order(merchant, bad) is None
    assert int(order(merchant, "a2").amount) == 2_000_000  # type: ignore[union-attr]

    ann = read_customer(merchant, "ann", NOW)
    assert (ann["purchases_count"], ann["total_spent"], ann["balance"], ann["expiring"]) == (
        3,
        6_000_000,
        0,
        [],
    )
    assert (ann["first_purchase_at"], ann["last_purchase_at"]) == (stamp(400), stamp(20))
    assert ann["phone"] == "+989121234567" and ann["name"] == "آنا"
    assert ann["birthday"] == {"calendar": "jalali", "date": "1370-12-29"}
    assert [c["customer_id"] for c in find_by_phone(merchant, "+989121234567", NOW)] == ["ann"]
    assert ledger_page(merchant, "ann", 10, None)[0] == []  # history only: no credit, no ledger
    bob = read_customer(merchant, "bob", NOW)
    assert (bob["purchases_count"], bob["total_spent"]) == (1, 500_000)  # b1 was refunded in full
    assert read_customer(merchant, "cem", NOW)["last_purchase_at"] == "2025-03-21T08:30:00Z"  # noon in Tehran

    # The same keys as the live purchase path: on the merchant's timeline under today, with the day
    # it happened, for the metrics job; no ledger entry (it moved no money).
    stored = order(merchant, "a3")
    assert stored is not None and stored.GSI1PK is None
    assert stored.ActPK == k.activity_pk(merchant, NOW.date().isoformat())
    assert k.timeline_parts(str(stored.ActSK))[1:] == ("order", stamp(20), "ann")
    item = profile(merchant, "ann")
    assert item.MemberPK == k.member_pk(merchant, "ann")
    assert len(json.loads(item.purchase_times or "[]")) == 3

    again_code, again, _ = run(merchant, path)
    assert again_code == 1
    assert (again["imported"], again["skipped"], again["rejected"]) == (0, 7, 6)
    assert read_customer(merchant, "ann", NOW)["purchases_count"] == 3
    assert read_customer(merchant, "bob", NOW)["total_spent"] == 500_000


def test_imported_customers_are_won_back_fixed_and_personal(merchant: str, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(CSV[:7]) + "\n", encoding="utf-8")
    assert run(merchant, path)[0] == 0
    store = ProgramStore(0)
    fixed = store.get(merchant)  # win-back after 30 days without a purchase
    markers = list(DueItem.query(k.customer_pk(merchant, "ann"), DueItem.SK.startswith("DUE#win_back")))
    assert [m.due_at for m in markers] == [stamp(20 - 30)]  # 30 days after ann's last order
    assert "bob" in win_backs_at(merchant, fixed, NOW + timedelta(minutes=1))  # last order 100 days ago
    assert "ann" in win_backs_at(merchant, fixed, NOW + timedelta(days=11))  # 20 + 11 > 30 days

    # Personal win-back reads ann's own rhythm (gaps of 200 and 180 days) from the imported orders.
    personal = Program.model_validate(merge_update(fixed, {"reminders": {"win_back_mode": "personal"}}))
    store.put(merchant, personal, NOW)
    path.write_text("\n".join([CSV[0], f"a4,ann,100,{stamp(15)},,,,,"]) + "\n", encoding="utf-8")
    assert run(merchant, path)[0] == 0
    assert "ann" not in win_backs_at(merchant, personal, NOW + timedelta(days=40))
    assert "ann" in win_backs_at(merchant, personal, NOW + timedelta(days=300))


def test_json_lines_count_in_the_metrics_on_their_own_months(merchant: str, tmp_path: Path) -> None:
    program = ProgramStore(0).get(merchant)
    run_for_merchant(merchant, program, NOW)  # the merchant's metrics ran before the import
    live = {"order_id": "live-1", "customer_id": "zed", "amount": 400}
    record_purchase(merchant, PurchaseRequest("live-1", "zed", 400, ago(2), None, None, live), program, NOW)
    path = tmp_path / "orders.jsonl"
    lines = [
        {"order_id": "j1", "customer_id": "xan", "amount": 100, "occurred_at": stamp(300)},
        {"order_id": "j2", "customer_id": "xan", "amount": 300, "occurred_at": stamp(270)},
        {"order_id": "j3", "customer_id": "yas", "amount": 200, "occurred_at": stamp(150)},
        {"order_id": "j4", "customer_id": "zed", "amount": 50, "occurred_at": stamp(240)},  # older than live
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n", encoding="utf-8")
    code, summary, _ = run(merchant, path)
    assert (code, summary["imported"], summary["rejected_rows"]) == (
        1,
        4,
        [{"row": 5, "field": None, "reason": "not a JSON object"}],
    )
    # After the import by the real clock: the import records its orders when it runs, which on a slow
    # machine can be minutes after this module's NOW.
    run_for_merchant(merchant, program, datetime.now(UTC) + timedelta(minutes=5))
    report = metrics_report(merchant, ago(400).date(), NOW.date())
    assert report["customers"]["total"] == 3 and report["purchase_funnel"][:2] == [3, 2]
    cohorts = {c["cohort"]: c["size"] for c in report["cohorts"]}
    assert cohorts == {
        ago(300).strftime("%Y-%m"): 1,
        ago(240).strftime("%Y-%m"): 1,  # zed's first purchase is now the imported one
        ago(150).strftime("%Y-%m"): 1,
    }
    assert report["revenue"] == 100 + 300 + 200 + 50 + 400
    zed = read_customer(merchant, "zed", NOW)
    assert (zed["purchases_count"], zed["first_purchase_at"], zed["balance"]) == (2, stamp(240), 20)


def test_earning_cashback_goes_through_the_live_purchase_path(merchant: str, tmp_path: Path) -> None:
    path = tmp_path / "recent.jsonl"
    lines = [
        {"order_id": "r1", "customer_id": "zoe", "amount": 1_000_000, "occurred_at": stamp(5)},
        {"order_id": "r2", "customer_id": "zoe", "amount": 2_000_000, "occurred_at": stamp(100)},
        {
            "order_id": "r3",
            "customer_id": "zoe",
            "amount": 600_000,
            "occurred_at": stamp(3),
            "refunded_amount": 200_000,
        },
        {
            "order_id": "r4",
            "customer_id": "zoe",
            "amount": 900_000,
            "occurred_at": stamp(2),
            "refunded_amount": 900_000,
        },
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    code, summary, _ = run(merchant, path, earn=True)
    assert (code, summary["mode"], summary["imported"]) == (0, "earn_cashback", 4)
    # 5% of r1 and of what zoe kept of r3 are open; r2's credit expired 70 days ago; r4 earns nothing.
    assert summary["cashback_earned"] == 50_000 + 100_000 + 20_000
    zoe = read_customer(merchant, "zoe", NOW)
    assert zoe["balance"] == 70_000 and sorted(lot["amount"] for lot in zoe["expiring"]) == [20_000, 50_000]
    assert (zoe["purchases_count"], zoe["total_spent"]) == (3, 1_000_000 + 2_000_000 + 400_000)
    entries, _ = ledger_page(merchant, "zoe", 20, None)
    assert sorted((e["type"], e["amount"], e["ref"]) for e in entries) == sorted(
        [
            ("earn", 100_000, "r2"),
            ("expire", -100_000, "earn:r2"),
            ("earn", 50_000, "r1"),
            ("earn", 20_000, "r3"),
        ]
    )
    again_code, again, _ = run(merchant, path, earn=True)
    assert (again_code, again["imported"], again["skipped"], again["cashback_earned"]) == (0, 0, 4, 0)
    assert read_customer(merchant, "zoe", NOW)["balance"] == 70_000


def test_many_customers_share_transactions_and_a_big_customer_is_split(merchant: str, tmp_path: Path) -> None:
    lines = ["order_id,customer_id,amount,occurred_at"]
    lines += [f"s{n},c{n % 150},{1000 + n},{stamp(1 + n % 300)}" for n in range(450)]
    lines += [f"w{n},whale,10,{stamp(1 + n)}" for n in range(120)]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, summary, _ = run(merchant, path)
    assert (code, summary["imported"], summary["customers_created"]) == (0, 570, 151)
    whale = read_customer(merchant, "whale", NOW)
    assert (whale["purchases_count"], whale["total_spent"]) == (120, 1200)
    c7 = read_customer(merchant, "c7", NOW)
    assert c7["purchases_count"] == 3 and c7["total_spent"] == sum(1000 + n for n in (7, 157, 307))


def test_a_live_purchase_landing_mid_import_is_counted_once_with_the_history(
    merchant: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = ProgramStore(0).get(merchant)
    live = {"order_id": "live", "customer_id": "eve", "amount": 5000}
    original = writer._read
    raced: list[bool] = []

    def read_then_race(*args: Any, **kwargs: Any) -> Any:
        found = original(*args, **kwargs)
        if not raced:  # the shop records a purchase after the import read eve's profile
            raced.append(True)
            request = PurchaseRequest("live", "eve", 5000, NOW, None, None, live)
            record_purchase(merchant, request, program, NOW)
        return found

    monkeypatch.setattr(writer, "_read", read_then_race)
    path = tmp_path / "eve.csv"
    path.write_text(
        f"order_id,customer_id,amount,occurred_at\ne1,eve,100,{stamp(50)}\ne2,eve,200,{stamp(40)}\n",
        encoding="utf-8",
    )
    code, summary, _ = run(merchant, path)
    assert (code, summary["imported"]) == (0, 2)
    eve = read_customer(merchant, "eve", NOW)
    assert (eve["purchases_count"], eve["total_spent"], eve["balance"]) == (3, 5300, 250)
    assert eve["first_purchase_at"] == stamp(50)


def test_a_file_without_a_required_column_or_merchant_writes_nothing(merchant: str, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(f"order_id,customer_id,occurred_at\nn1,nia,{stamp(3)}\n", encoding="utf-8")
    err = io.StringIO()
    assert run_import(merchant, str(path), out=io.StringIO(), err=err, quiet=True) == 2
    assert "amount" in err.getvalue() and order(merchant, "n1") is None
    err = io.StringIO()
    assert run_import("no-such-merchant", str(path), out=io.StringIO(), err=err) == 2
    assert "no merchant" in err.getvalue()
