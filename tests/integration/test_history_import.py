"""Importing past orders: CSV and JSON lines, idempotent re-runs, bad rows, cashback on request, metrics."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vafa.history.rows import read
from vafa.history.writer import import_history, import_with_cashback
from vafa.merchants import ProgramStore
from vafa.metrics.job import metrics_report, run_for_merchant
from vafa.profiles import find_by_phone, read_customer
from vafa.store.models import DueItem

NOW = datetime.now(UTC).replace(microsecond=0)


def day(days_ago: int) -> str:
    return (NOW - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_csv(path: Path) -> Path:
    lines = [
        "order_id,customer_id,amount,occurred_at,refunded_amount,phone,name",
        f"o1,ann,1000000,{day(400)},0,۰۹۱۲ ۱۲۳ ۴۵۶۷,آنا",
        f"o2,ann,2000000,{day(200)},,,",
        f"o3,ann,3000000,{day(20)},,,",
        f"o4,bob,500000,{day(300)},500000,,",  # fully refunded: history, but not a purchase
        f"o5,bob,700000,{day(100)},200000,,",
        "o6,cem,12.5,2025-01-01,,,",  # fraction: rejected
        f"o7,cem,100,{(NOW + timedelta(days=2)).strftime('%Y-%m-%dT%H:%M:%SZ')},,,",  # future: rejected
        "o8,cem,900000,2025-03-21,,,",  # a plain date: midday in the shop's timezone
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(merchant: str, path: Path, fmt: str | None = None, cashback: bool = False) -> dict[str, object]:
    program = ProgramStore(0).get(merchant)
    rows = read(path, fmt, program.timezone, NOW)
    summary = (import_with_cashback if cashback else import_history)(merchant, program, rows, NOW)
    return summary.as_dict()


def test_a_csv_history_imports_once_with_bad_rows_reported(merchant: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "orders.csv")
    first = run(merchant, path)
    assert (first["imported"], first["skipped"], first["rejected"]) == (6, 0, 2)
    assert {(r["row"], r["field"]) for r in first["rejected_rows"]} == {(7, "amount"), (8, "occurred_at")}
    ann = read_customer(merchant, "ann", NOW)
    assert ann["purchases_count"] == 3 and ann["total_spent"] == 6_000_000 and ann["balance"] == 0
    assert ann["first_purchase_at"] == day(400) and ann["last_purchase_at"] == day(20)
    assert ann["phone"] == "+989121234567" and [
        c["customer_id"] for c in find_by_phone(merchant, "+989121234567", NOW)
    ] == ["ann"]
    bob = read_customer(merchant, "bob", NOW)
    assert bob["purchases_count"] == 1 and bob["total_spent"] == 500_000
    assert read_customer(merchant, "cem", NOW)["last_purchase_at"] == "2025-03-21T08:30:00Z"  # 12:00 Tehran
    # Win-back is scheduled from the imported last purchase, like a live one.
    markers = list(DueItem.query(f"M#{merchant}#C#ann", DueItem.SK.startswith("DUE#win_back")))
    assert len(markers) == 1

    again = run(merchant, path)
    assert (again["imported"], again["skipped"]) == (0, 6)
    assert read_customer(merchant, "ann", NOW)["purchases_count"] == 3


def test_json_lines_and_metrics_see_imported_cohorts_on_their_own_months(
    merchant: str, tmp_path: Path
) -> None:
    program = ProgramStore(0).get(merchant)
    run_for_merchant(merchant, program, NOW)  # the merchant's metrics exist before the import
    path = tmp_path / "orders.jsonl"
    rows = [
        {"order_id": "j1", "customer_id": "x", "amount": 100, "occurred_at": day(300)},
        {"order_id": "j2", "customer_id": "x", "amount": 300, "occurred_at": day(280)},
        {"order_id": "j3", "customer_id": "y", "amount": 200, "occurred_at": day(150)},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n", encoding="utf-8")
    summary = run(merchant, path)
    assert (summary["imported"], summary["rejected"]) == (3, 1)
    run_for_merchant(merchant, program, NOW + timedelta(minutes=1))
    report = metrics_report(merchant, (NOW - timedelta(days=400)).date(), NOW.date())
    assert report["customers"]["total"] == 2 and report["purchase_funnel"] == [2, 1]
    months = {c["cohort"]: c["size"] for c in report["cohorts"]}
    assert months[(NOW - timedelta(days=300)).strftime("%Y-%m")] == 1
    assert months[(NOW - timedelta(days=150)).strftime("%Y-%m")] == 1
    assert report["revenue"] == 600


def test_earning_cashback_on_import_goes_through_the_live_purchase_path(
    merchant: str, tmp_path: Path
) -> None:
    path = tmp_path / "recent.jsonl"
    rows = [
        {"order_id": "r1", "customer_id": "z", "amount": 1_000_000, "occurred_at": day(5)},
        {
            "order_id": "r2",
            "customer_id": "z",
            "amount": 1_000_000,
            "occurred_at": day(100),
            "refunded_amount": 1_000_000,
        },
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    summary = run(merchant, path, cashback=True)
    assert summary["imported"] == 2
    z = read_customer(merchant, "z", NOW)
    assert z["balance"] == 50_000  # 5% of r1, kept whole: r2 was refunded in full and earns nothing
    assert z["purchases_count"] == 1 and z["total_spent"] == 1_000_000
    assert run(merchant, path, cashback=True)["skipped"] == 2
    assert read_customer(merchant, "z", NOW)["balance"] == 50_000
