"""The deployed layer carries no pydantic: the whole product must run without it.

A fresh interpreter in which importing pydantic fails starts the local stack and drives the API,
the documentation routes and the scheduled functions; every answer must be the usual one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = r"""
import json, sys
sys.modules["pydantic"] = None  # `import pydantic` now raises ImportError, as in the layer
import requests
from vafa_dev.local.stack import LocalStack

from datetime import UTC, datetime, timedelta
soon = (datetime.now(UTC) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
stack = LocalStack(port=0)
stack.start()
try:
    base = stack.url
    keys = requests.post(f"{base}/_local/merchants", json={"name": "x"}, timeout=30).json()
    auth = {"Authorization": f"Bearer {keys['api_key']}"}
    def call(method, path, body=None, headers=auth):
        return requests.request(method, base + path, json=body, headers=headers, timeout=30).status_code
    purchase = {"order_id": "o", "customer_id": "c", "amount": 100000, "customer": {"phone": "09121234567"}}
    statuses = {
        "purchase": call("POST", "/v1/purchases", purchase),
        "customer": call("GET", "/v1/customers/c"),
        "redemption": call("POST", "/v1/redemptions", {"redemption_id": "r", "customer_id": "c", "amount": 10}),
        "refund": call("POST", "/v1/purchases/o/refunds", {"refund_id": "f"}),
        "program": call("PUT", "/v1/program", {"cashback_rate_bps": 700}),
        "bad body": call("POST", "/v1/purchases", {"order_id": "o", "amount": 1.5}),
        "openapi": call("GET", "/openapi.json", headers={}),
        "docs": call("GET", "/docs", headers={}),
        "segments": call("GET", "/v1/segments"),
        "campaign": call("POST", "/v1/campaigns",
                         {"campaign_id": "k", "name": "n", "segment": "all", "template": {"fa": "سلام"}}),
        "reminders": call("POST", "/_local/schedules/reminders/run", {"time": soon}, {}),
        "metrics": call("POST", "/_local/schedules/metrics/run", {"time": soon}, {}),
        "expiry": call("POST", "/_local/schedules/expiry/run", {"time": soon}, {}),
        "metrics read": call("GET", "/v1/metrics"),
    }
finally:
    stack.stop()
loaded = [name for name, module in sys.modules.items() if name.startswith("pydantic") and module is not None]
print(json.dumps({"statuses": statuses, "loaded": loaded}))
"""


def test_the_product_runs_with_pydantic_absent() -> None:
    # Its own embedded stand-in, as `make run` starts: nothing of this test session's AWS settings.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VAFA_", "POWERTOOLS_"))}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["loaded"] == []
    assert report["statuses"] == {
        "purchase": 201,
        "customer": 200,
        "redemption": 201,
        "refund": 201,
        "program": 200,
        "bad body": 422,
        "openapi": 200,
        "docs": 200,
        "segments": 200,
        "campaign": 201,
        "reminders": 200,
        "metrics": 200,
        "expiry": 200,
        "metrics read": 200,
    }
