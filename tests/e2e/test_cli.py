"""The admin CLI against the running local stack: create a merchant, use its key, rotate it."""

from __future__ import annotations

import json
import subprocess
import sys

import requests
from vafa.local.stack import LocalStack


def vafa(stack: LocalStack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vafa.cli", "--endpoint", stack.url, *args],
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
    assert json.loads(done.stdout) == {"provider": "kavenegar", "sender": "10004346", "base_url": None}
    assert "k-secret" not in done.stdout
    assert get_parameter(merchant_secret_name(keys["merchant_id"], "sms-api-key")) == "k-secret"
    url = vafa(stack, "sms", "inbound-url", keys["merchant_id"]).stdout.strip()
    reply = requests.post(url, data={"from": "09120000000", "message": "12"}, timeout=10)
    assert reply.status_code == 200 and reply.json()["action"] == "opt_in"
