"""`make run`: the whole product on 127.0.0.1:3000 with an embedded AWS stand-in. No Docker, no AWS."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import sys
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vafa.timeutil import iso, parse_instant
from werkzeug.wrappers import Request, Response

from vafa_dev.local.aws import AwsStandIn, use_endpoint
from vafa_dev.local.functions import FunctionRunner
from vafa_dev.local.gateway import Gateway, HttpServer, _error, _json
from vafa_dev.local.queues import QueueDrainer, consumers
from vafa_dev.local.resources import Resolver, create_queues, create_secrets, create_tables
from vafa_dev.local.template import Template, load_template

ROOT = Path(__file__).resolve().parents[3]
log = logging.getLogger("vafa_dev.local")


class LocalStack:
    """Everything `make run` starts, usable from tests as a context manager."""

    def __init__(self, port: int = 3000, host: str = "127.0.0.1", root: Path = ROOT) -> None:
        self.root = root
        self.host, self.port = host, port
        self.aws: AwsStandIn | None = None
        self.endpoint = ""
        self.template: Template | None = None
        self.server: HttpServer | None = None
        self.runner: FunctionRunner | None = None
        self.drainer: QueueDrainer | None = None
        self._schedule_lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> str:
        external = os.environ.get("AWS_ENDPOINT_URL")
        if external:
            self.endpoint = external
        else:
            self.aws = AwsStandIn()
            self.endpoint = self.aws.start()
        use_endpoint(self.endpoint)
        os.environ["VAFA_LOCAL_STACK"] = "1"
        os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
        self.template, resolver = provision(self.root, self.endpoint)
        self.runner = FunctionRunner(self.root, self.template.functions)
        self.drainer = QueueDrainer(self.runner, consumers(self.template, resolver), self.endpoint)
        gateway = Gateway(self.template.routes, self.runner, self.control)
        self.server = HttpServer(gateway, self.host, self.port)
        os.environ["VAFA_PUBLIC_URL"] = self.server.url
        return self.server.start()

    def stop(self) -> None:
        if self.server:
            self.server.stop()
        if self.aws:
            self.aws.stop()

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    # -- control routes (/_local/...) ---------------------------------------------------------
    def control(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError:
            return _error(400, "malformed_json", "the request body is not valid JSON")
        if not isinstance(body, dict):
            return _error(422, "validation_error", "the request body must be a JSON object")
        if request.method == "GET" and parts == ["_local", "health"]:
            return _json(200, {"ok": True})
        if request.method == "GET" and parts == ["_local", "env"]:
            # Lets the admin CLI reach the stand-in's tables with the same code it uses against AWS.
            return _json(
                200,
                {
                    "aws_endpoint": self.endpoint,
                    "table": os.environ.get("VAFA_TABLE", ""),
                    "link_secret_arn": os.environ.get("VAFA_LINK_SECRET_ARN", ""),
                },
            )
        if request.method == "POST" and parts == ["_local", "merchants"]:
            name = body.get("name", "Demo shop")
            if not isinstance(name, str) or not 1 <= len(name) <= 100:
                return _json(
                    422,
                    {
                        "error": {
                            "code": "validation_error",
                            "message": "name: 1-100 characters",
                            "field": "name",
                        }
                    },
                )
            return _json(201, self.create_merchant(name))
        if (
            request.method == "POST"
            and len(parts) == 4
            and parts[:2] == ["_local", "schedules"]
            and parts[3] == "run"
        ):
            raw_time = body.get("time")
            try:
                at = (
                    parse_instant(raw_time)
                    if raw_time is not None
                    else datetime.now(UTC).replace(microsecond=0)
                )
            except (ValueError, TypeError):
                return _json(
                    422,
                    {
                        "error": {
                            "code": "validation_error",
                            "message": "time must be ISO-8601 with offset",
                            "field": "time",
                        }
                    },
                )
            result = self.run_schedule(parts[2], at)
            if result is None:
                return _error(404, "schedule_not_found", f"no scheduled function named {parts[2]!r}")
            return _json(200, result)
        return _error(404, "route_not_found", f"no local route {request.method} {request.path}")

    def create_merchant(self, name: str) -> dict[str, str]:
        """A merchant whose SMS go to the in-memory stand-in, set explicitly: a deployed merchant
        starts with no gateway at all, and nothing pretends to send."""
        from vafa.merchants import create_merchant
        from vafa.program import Program, SmsSettings

        program = Program(sms=SmsSettings(provider="local"))
        return create_merchant(name, datetime.now(UTC), program).as_dict()

    def schedules(self) -> dict[str, str]:
        assert self.template is not None
        return {name: fn.logical_id for fn in self.template.functions.values() for name in fn.schedules()}

    def run_schedule(self, name: str, at: datetime) -> dict[str, Any] | None:
        """Invoke the scheduled function as EventBridge would at `at`, then drain every queue."""
        function = self.schedules().get(name)
        if function is None:
            return None
        assert self.runner is not None and self.drainer is not None
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": iso(at),
            "region": "us-east-1",
            "resources": [f"arn:aws:events:us-east-1:123456789012:rule/{name}"],
            "detail": {},
        }
        with self._schedule_lock:
            result = self.runner.invoke(function, event)
            processed = self.drainer.drain()
        # `result` is what the function itself answered (lots expired, reminders decided and queued,
        # merchants skipped), so a run shows what it did even when it queued nothing.
        return {"function": name, "time": iso(at), "messages_processed": processed, "result": result}


def provision(root: Path, endpoint: str) -> tuple[Template, Resolver]:
    """Create the template's tables, queues and secrets in the stand-in and export the functions' env."""
    template = load_template(root / "template.yaml")
    resolver = Resolver(template, os.environ.get("VAFA_LOCAL_PREFIX", "vafa-local"))
    create_tables(template, resolver, endpoint)
    create_queues(template, resolver, endpoint)
    create_secrets(template, resolver, endpoint)
    for fn in template.functions.values():
        for key, value in resolver.resolve(fn.environment).items():
            os.environ[key] = str(value)
    # The local stack adds loopback to the push allowlist, so the local push service is reachable.
    os.environ["VAFA_PUSH_EXTRA_HOSTS"] = "127.0.0.1,localhost"
    from vafa.store import table

    table.reset()
    return template, resolver


def _banner(url: str, merchant: dict[str, str], demo: str = "") -> str:
    key = merchant["api_key"]
    auth = f'-H "Authorization: Bearer {key}" -H "Content-Type: application/json"'
    return f"""
Vafa is running at {url}   (API docs: {url}/docs · OpenAPI: {url}/openapi.json)

Demo merchant {merchant["merchant_id"]}
  api_key  {key}
  site_key {merchant["site_key"]}

Try it:
  curl -s {auth} -X POST {url}/v1/purchases \\
       -d '{{"order_id": "o-1001", "customer_id": "c-42", "amount": 1250000, "customer": {{"phone": "۰۹۱۲ ۱۲۳ ۴۵۶۷", "name": "سارا"}}}}'
  curl -s {auth} {url}/v1/customers/c-42
  curl -s {auth} -X POST {url}/v1/redemptions \\
       -d '{{"redemption_id": "r-1", "customer_id": "c-42", "amount": 20000}}'
  curl -s {auth} -X POST {url}/v1/purchases/o-1001/refunds -d '{{"refund_id": "rf-1"}}'
  curl -s {auth} "{url}/v1/customers/c-42/ledger"
  curl -s {auth} "{url}/v1/customers?phone=09121234567"
  # a second order, then the expiry run 31 days from now (its credit lives 30 days):
  curl -s {auth} -X POST {url}/v1/purchases -d '{{"order_id": "o-1002", "customer_id": "c-42", "amount": 800000}}'
  curl -s -X POST {url}/_local/schedules/expiry/run -d "{{\\"time\\": \\"$(date -u -d '+31 days' +%Y-%m-%dT%H:%M:%SZ)\\"}}"

Dashboard: {url}/dashboard  (sign in with the api_key above, or a link from
  .venv/bin/vafa --endpoint {url} dashboard-link {merchant["merchant_id"]})
{demo}
Press Ctrl+C to stop.
"""


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = int(os.environ.get("PORT", "3000"))
    stack = LocalStack(port=port)
    url = stack.start()
    speedups = contextlib.ExitStack()
    if stack.aws is not None:  # the embedded stand-in runs in this process: see vafa_dev.local.speedups
        from vafa_dev.local.speedups import fast_stand_in

        speedups.enter_context(fast_stand_in())
    if os.environ.get("VAFA_DEMO", "1") not in ("", "0"):
        merchant, demo = _demo_shop(stack)
    else:
        merchant = stack.create_merchant("Demo shop")
        demo = "  `make run DEMO=1` starts with a demo shop that has a year of history.\n"
    print(_banner(url, merchant, demo), flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
        speedups.close()
        sys.exit(0)


def _demo_shop(stack: LocalStack) -> tuple[dict[str, str], str]:
    """The demo merchant with a year of history (`vafa_dev.demo`); its keys and the banner's lines."""
    from vafa_dev.demo import create_demo_shop
    from vafa_dev.local.speedups import in_process_calls

    print(
        "Seeding the demo shop: a year of orders, reminders and metrics (about half a minute) …", flush=True
    )
    with contextlib.ExitStack() as calls:
        server = getattr(stack.aws, "_server", None)
        if server is not None:  # our own requests go straight to the embedded stand-in's app
            calls.enter_context(in_process_calls(stack.endpoint, server.app))
        shop = create_demo_shop(stack.run_schedule)
    orders = shop["history_orders"] + shop["live_orders"]
    note = (
        f"  The demo shop has a year of history: {shop['customers']} customers, {orders:,} orders, messages\n"
        f"  and clicks (seeded in {shop['seconds']:.0f} s). Open {stack.url}/dashboard and sign in with the\n"
        "  api_key above. `make run DEMO=0` (or VAFA_DEMO=0) starts with an empty shop instead.\n"
    )
    return shop["merchant"], note


if __name__ == "__main__":
    main()
