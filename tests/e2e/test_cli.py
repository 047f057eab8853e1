"""The admin CLI against the running local stack: create a merchant, use its key, rotate it."""

from __future__ import annotations

import json
import subprocess
import sys

import requests
from vafa_dev.local.stack import LocalStack


def vafa(stack: LocalStack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vafa_dev.cli", "--endpoint", stack.url, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_creates_a_merchant_whose_key_works_and_rotation_revokes_it(stack: LocalStack) -> None:
    created = vafa(stack, "merchant", "create", "CLI shop")
    assert created.returncode == 0, created.stderr
    keys = json.loads(created.stdout)
    auth = {"Authorization": f"Bearer {keys['api_key']}"}
    assert requests.get(f"{stack.url}/v1/program", headers=auth, timeout=10).status_code == 200

    changed = vafa(stack, "program", "set", keys["merchant_id"], '{"cashback_rate_bps": 700}')
    assert changed.returncode == 0, changed.stderr
    assert json.loads(vafa(stack, "program", "show", keys["merchant_id"]).stdout)["cashback_rate_bps"] == 700
    refused = vafa(stack, "program", "set", keys["merchant_id"], '{"cashback_rate_bps": -1}')
    assert refused.returncode == 2 and "cashback_rate_bps" in refused.stderr

    rotated = vafa(stack, "keys", "rotate", keys["merchant_id"], "--kind", "secret")
    assert rotated.returncode == 0, rotated.stderr
    fresh = json.loads(rotated.stdout)["key"]
    assert (
        requests.get(
            f"{stack.url}/v1/program", headers={"Authorization": f"Bearer {fresh}"}, timeout=10
        ).status_code
        == 200
    )
    assert keys["merchant_id"] in json.loads(vafa(stack, "merchant", "list").stdout)


def test_cli_sets_the_sms_gateway_with_its_key_in_ssm_and_prints_the_inbound_url(stack: LocalStack) -> None:
    from vafa.secrets import get_parameter, merchant_secret_name

    keys = json.loads(vafa(stack, "merchant", "create", "SMS shop").stdout)
    done = vafa(
        stack,
        "sms",
        "set",
        keys["merchant_id"],
        "--provider",
        "kavenegar",
        "--sender",
        "10004346",
        "--api-key",
        "k-secret",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "provider": "kavenegar",
        "sender": "10004346",
        "base_url": None,
        "international": None,
        "international_sender_id": None,
    }
    assert "k-secret" not in done.stdout
    assert get_parameter(merchant_secret_name(keys["merchant_id"], "sms-api-key")) == "k-secret"
    url = vafa(stack, "sms", "inbound-url", keys["merchant_id"]).stdout.strip()
    reply = requests.post(url, data={"from": "09120000000", "message": "12"}, timeout=10)
    assert reply.status_code == 200 and reply.json()["action"] == "opt_in"


def test_cli_switches_to_sms_ir_and_sends_foreign_numbers_through_sns(stack: LocalStack) -> None:
    from vafa.secrets import get_parameter, merchant_secret_name

    keys = json.loads(vafa(stack, "merchant", "create", "SMS.ir shop").stdout)
    merchant = keys["merchant_id"]
    first = vafa(
        stack, "sms", "set", merchant, "--provider", "kavenegar", "--base-url", "https://api.kavenegar.com"
    )
    assert first.returncode == 0, first.stderr
    done = vafa(
        stack,
        "sms",
        "set",
        merchant,
        "--provider",
        "smsir",
        "--sender",
        "30007732",
        "--api-key",
        "smsir-secret",
        "--international",
        "sns",
        "--international-sender-id",
        "VafaShop",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "provider": "smsir",
        "sender": "30007732",
        "base_url": None,  # Kavenegar's address override does not follow the merchant to SMS.ir
        "international": "sns",
        "international_sender_id": "VafaShop",
    }
    assert "smsir-secret" not in done.stdout + done.stderr
    assert get_parameter(merchant_secret_name(merchant, "sms-api-key")) == "smsir-secret"
    off = vafa(
        stack, "sms", "set", merchant, "--provider", "smsir", "--sender", "30007732", "--international", "off"
    )
    assert json.loads(off.stdout)["international"] is None
    refused = vafa(stack, "sms", "set", merchant, "--provider", "smsir", "--sender", "3000-SHOP")
    assert refused.returncode == 2 and "SMS.ir line number" in refused.stderr
    abroad = vafa(stack, "sms", "set", merchant, "--provider", "smsir", "--international", "gateway")
    assert abroad.returncode == 2 and "cannot send outside Iran" in abroad.stderr


def test_cli_imports_past_orders_once_with_a_progress_bar(stack: LocalStack, tmp_path: object) -> None:
    from pathlib import Path

    keys = json.loads(vafa(stack, "merchant", "create", "History shop").stdout)
    path = Path(str(tmp_path)) / "orders.csv"
    path.write_text(
        "order_id,customer_id,amount,occurred_at,phone\n"
        "h1,c1,1000000,2025-06-01,09121112222\n"
        "h2,c1,2500000,2025-09-01T10:00:00+03:30,\n"
        "h3,c2,abc,2025-09-01,\n",
        encoding="utf-8",
    )
    first = vafa(stack, "import", keys["merchant_id"], str(path))
    assert first.returncode == 1  # one row was rejected, and said so
    summary = json.loads(first.stdout)
    assert (summary["imported"], summary["rejected"], summary["rejected_rows"][0]["field"]) == (
        2,
        1,
        "amount",
    )
    assert "rows/s" in first.stderr and "100.0%" in first.stderr
    auth = {"Authorization": f"Bearer {keys['api_key']}"}
    customer = requests.get(f"{stack.url}/v1/customers/c1", headers=auth, timeout=10).json()
    assert (customer["purchases_count"], customer["total_spent"], customer["balance"]) == (2, 3_500_000, 0)
    again = json.loads(vafa(stack, "import", keys["merchant_id"], str(path)).stdout)
    assert (again["imported"], again["skipped"]) == (0, 2)
