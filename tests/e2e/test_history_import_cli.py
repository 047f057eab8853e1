"""`vafa import` (the installed console script) against the running local stack, checked over the API."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from vafa_dev.local.stack import LocalStack

from tests.e2e.conftest import Shop

VAFA = str(Path(sys.executable).with_name("vafa"))
NOW = datetime.now(UTC).replace(microsecond=0)


def stamp(days: int) -> str:
    return (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def vafa_import(stack: LocalStack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [VAFA, "--endpoint", stack.url, "import", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_console_script_imports_history_that_the_api_and_the_metrics_show(
    stack: LocalStack, shop: Shop, tmp_path: Path
) -> None:
    merchant = shop.keys["merchant_id"]
    path = tmp_path / "orders.jsonl"
    rows = [
        {
            "order_id": "h1",
            "customer_id": "nava",
            "amount": 4_000_000,
            "occurred_at": stamp(250),
            "phone": "09351112233",
        },
        {
            "order_id": "h2",
            "customer_id": "nava",
            "amount": 6_000_000,
            "occurred_at": stamp(120),
            "name": "نوا",
        },
        {
            "order_id": "h3",
            "customer_id": "omid",
            "amount": 2_500_000,
            "occurred_at": stamp(60),
            "refunded_amount": 500_000,
        },
        {"order_id": "h4", "customer_id": "omid", "amount": "lots", "occurred_at": stamp(30)},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")

    first = vafa_import(stack, merchant, str(path))
    assert first.returncode == 1, first.stderr  # one row rejected, the others imported
    summary = json.loads(first.stdout)
    assert (summary["mode"], summary["imported"], summary["skipped"]) == ("history", 3, 0)
    assert summary["rejected_rows"] == [
        {"row": 4, "field": "amount", "reason": summary["rejected_rows"][0]["reason"]}
    ]
    assert "rows/s" in first.stderr and summary["rows_per_second"] > 0

    nava = shop.call("GET", "/v1/customers/nava").json()
    assert (nava["purchases_count"], nava["total_spent"], nava["balance"]) == (2, 10_000_000, 0)
    assert (nava["phone"], nava["name"], nava["last_purchase_at"]) == ("+989351112233", "نوا", stamp(120))
    assert shop.call("GET", "/v1/customers/nava/ledger").json()["items"] == []
    assert (
        shop.call("GET", "/v1/customers", params={"phone": "۰۹۳۵۱۱۱۲۲۳۳"}).json()["items"][0]["customer_id"]
        == "nava"
    )

    again = vafa_import(stack, merchant, str(path), "--quiet")
    assert again.returncode == 1 and again.stderr == ""
    assert (json.loads(again.stdout)["imported"], json.loads(again.stdout)["skipped"]) == (0, 3)

    ran = requests.post(
        f"{stack.url}/_local/schedules/metrics/run",
        json={"time": datetime.now(UTC).isoformat()},  # after the import: what it recorded is behind the run
        timeout=120,
    )
    assert ran.status_code == 200
    metrics = shop.call(
        "GET",
        "/v1/metrics",
        params={"from": (NOW - timedelta(days=400)).date().isoformat(), "to": NOW.date().isoformat()},
    ).json()
    assert metrics["customers"]["total"] == 2 and metrics["purchase_funnel"][:2] == [2, 1]
    cohorts = {c["cohort"]: c["size"] for c in metrics["cohorts"]}
    assert cohorts[(NOW - timedelta(days=250)).strftime("%Y-%m")] == 1
    assert cohorts[(NOW - timedelta(days=60)).strftime("%Y-%m")] == 1


def test_earning_cashback_on_import_is_opt_in_and_shows_in_the_wallet(
    stack: LocalStack, shop: Shop, tmp_path: Path
) -> None:
    merchant = shop.keys["merchant_id"]
    path = tmp_path / "recent.csv"
    path.write_text(
        f"order_id,customer_id,amount,occurred_at\ne1,pari,2000000,{stamp(4)}\ne2,pari,1000000,{stamp(90)}\n",
        encoding="utf-8",
    )
    done = vafa_import(stack, merchant, str(path), "--earn-cashback", "--workers", "1")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["mode"], summary["imported"], summary["cashback_earned"]) == ("earn_cashback", 2, 150_000)
    pari = shop.call("GET", "/v1/customers/pari").json()
    assert pari["balance"] == 100_000 and [lot["amount"] for lot in pari["expiring"]] == [100_000]
    ledger = shop.call("GET", "/v1/customers/pari/ledger").json()["items"]
    assert sorted((e["type"], e["amount"]) for e in ledger) == [
        ("earn", 50_000),
        ("earn", 100_000),
        ("expire", -50_000),
    ]

    nobody = vafa_import(stack, "no-such-merchant", str(path))
    assert nobody.returncode == 2 and "no merchant" in nobody.stderr
