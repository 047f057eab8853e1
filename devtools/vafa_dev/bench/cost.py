"""AWS cost per 1M purchases: the request path (HTTP API, Lambda, DynamoDB, logs) and the work each
purchase causes later (scheduled functions and senders: DynamoDB and SQS), with the price table of
`vafa_dev.bench.prices`.

The request path's inputs, each measured or read where it lives:
- DynamoDB units: the purchase operations of part 2 (computed from item sizes and index projections);
- Lambda: MemorySize and Architectures of the API function in template.yaml; the duration is the CPU
  time of the handler's thread, measured in a separate process that runs `functions/api/app.py` in the
  environment the template gives it (`api_probe.py`), stretched to the CPU share Lambda gives that
  memory, plus the stated DynamoDB latency of each call the operation makes;
- CloudWatch Logs: the bytes that process wrote to stdout and stderr during each purchase (what
  Lambda ships to the function's log group), Lambda's own START/END/REPORT lines, and the HTTP API
  access log line the template's format gives.
"""

from __future__ import annotations

import json
import math
import re
import statistics
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from vafa_dev.bench import engine, prices
from vafa_dev.bench.environment import ROOT, BenchEnvironment
from vafa_dev.bench.imports import deployed_env
from vafa_dev.bench.report import _table
from vafa_dev.bench.scenarios import NEW_CUSTOMER, RETURNING_LATER, Measured
from vafa_dev.bench.scheduled import Scheduled
from vafa_dev.local.aws import DUMMY_CREDENTIALS

SAMPLES = 15  # warm purchases of each kind, after one cold one
PREVIOUS_DAYS = 5  # the returning customers' previous purchase


@dataclass
class Lambda:
    memory_mb: int
    architecture: str
    tracing: bool


@dataclass
class PathFigures:
    """One kind of purchase on the request path."""

    label: str
    cpu_ms: float  # median thread CPU time of a warm invocation, this machine
    wall_ms: float  # median wall time against the stand-in (not AWS)
    function_log_bytes: float
    operations: list[str]  # DynamoDB calls of the operation (part 1)
    wcu: float
    rcu: float
    statuses: list[int]


@dataclass
class RequestPath:
    function: Lambda
    cold_log_bytes: int
    import_log_bytes: int
    platform_log_bytes: int
    access_log_bytes: int
    kinds: list[PathFigures]


def function_settings(env: BenchEnvironment, logical_id: str = "ApiFunction") -> Lambda:
    """MemorySize, architecture and tracing of a function, its own properties over the Globals."""
    raw = env.template.raw
    globals_fn = (raw.get("Globals") or {}).get("Function") or {}
    props = raw["Resources"][logical_id].get("Properties") or {}

    def setting(name: str, default: Any) -> Any:
        return props.get(name, globals_fn.get(name, default))

    return Lambda(
        memory_mb=int(setting("MemorySize", 128)),
        architecture=str((setting("Architectures", ["x86_64"]) or ["x86_64"])[0]),
        tracing=setting("Tracing", "PassThrough") == "Active",
    )


def platform_log_bytes(function: Lambda) -> int:
    """Lambda's own lines per invocation in the text log format (START, END, REPORT and, with active
    tracing, the X-Ray line), with typical values in their fields."""
    request = "8f5b4c3e-1a2b-4c5d-9e8f-0a1b2c3d4e5f"
    lines = [
        f"START RequestId: {request} Version: $LATEST\n",
        f"END RequestId: {request}\n",
        f"REPORT RequestId: {request}\tDuration: 41.27 ms\tBilled Duration: 42 ms\t"
        f"Memory Size: {function.memory_mb} MB\tMax Memory Used: 118 MB\t\n",
    ]
    if function.tracing:
        lines.append(
            "XRAY TraceId: 1-6749f1c2-0a1b2c3d4e5f60718293a4b5\tSegmentId: 0a1b2c3d4e5f6071\tSampled: true\t\n"
        )
    return len("".join(lines).encode())


def access_log_bytes(env: BenchEnvironment) -> int:
    """The HTTP API access log line of one purchase: the template's format with typical values."""
    apis = env.template.resources("AWS::Serverless::HttpApi")
    text = ""
    for props in apis.values():
        text = str(((props.get("AccessLogSettings") or {}).get("Format")) or "")
    values = {
        "requestId": "Kx1fbi7SIAMEbzA=",
        "identity.sourceIp": "203.0.113.45",
        "requestTime": "30/Nov/2026:08:40:12 +0000",
        "httpMethod": "POST",
        "routeKey": "POST /v1/purchases",
        "status": "201",
        "responseLatency": "48",
        "integrationErrorMessage": "-",
    }
    line = re.sub(r"\$context\.([A-Za-z.]+)", lambda m: values.get(m.group(1), "-"), text)
    return len(line.encode()) + 1 if line else 0


def _event(gateway: Any, body: dict[str, Any], api_key: str) -> dict[str, Any]:
    """The HTTP API (payload 2.0) event of one purchase, as the local gateway builds it."""
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    builder = EnvironBuilder(
        method="POST",
        path="/v1/purchases",
        base_url="https://api.example.ir",
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers=[("Authorization", f"Bearer {api_key}"), ("Content-Type", "application/json")],
    )
    request = Request(builder.get_environ())
    matched = gateway.match("POST", "/v1/purchases")
    assert matched, "no POST /v1/purchases route in the template"
    route, params = matched
    return cast(dict[str, Any], gateway.event(request, route, params, request.get_data()))


def _body(number: int, order: str) -> dict[str, Any]:
    return {
        "order_id": order,
        "customer_id": engine._customer(number),
        "amount": 1_000_000,
        "customer": {"phone": engine._phone(number), "name": "سارا رضایی"},
    }


def request_path(env: BenchEnvironment, operations: list[Measured]) -> RequestPath:
    from vafa.merchants import ProgramStore, create_merchant

    from vafa_dev.local.gateway import Gateway

    table = env.use_table("vafa-bench-cost")
    now = datetime.now(UTC)  # the API function takes its time from the clock
    created = create_merchant("Bench cost", now - timedelta(days=30))
    program = ProgramStore(0).get(created.merchant_id)
    gateway = Gateway(env.template.routes, cast(Any, None), None)
    returning = range(100, 100 + SAMPLES)
    for n in returning:  # their previous purchase, days ago (in-process: the clock cannot go back)
        engine._purchase(
            created.merchant_id, program, n, f"before-{n}", now - timedelta(days=PREVIOUS_DAYS), None
        )
    invocations = [{"label": "cold", "event": _event(gateway, _body(0, "cold-0"), created.api_key)}]
    for i, n in enumerate(returning):
        invocations.append(
            {"label": "new", "event": _event(gateway, _body(1 + i, f"new-{i}"), created.api_key)}
        )
        invocations.append(
            {"label": "returning", "event": _event(gateway, _body(n, f"again-{n}"), created.api_key)}
        )
    function = function_settings(env)
    probe_env = deployed_env(env.template, ROOT, "api")
    probe_env.update(DUMMY_CREDENTIALS)
    probe_env.update(AWS_ENDPOINT_URL=env.endpoint, VAFA_TABLE=table)
    spec = {
        "app": str(ROOT / "functions" / "api" / "app.py"),
        "memory_mb": function.memory_mb,
        "invocations": invocations,
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "devtools" / "vafa_dev" / "bench" / "api_probe.py")],
        input=json.dumps(spec),
        env=probe_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"api probe failed: {done.stderr[-1500:]}")
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    measured = answer["invocations"]
    by_label = {m.label: m for m in operations}
    kinds = []
    for label, operation in (("new", NEW_CUSTOMER), ("returning", RETURNING_LATER)):
        mine = [m for m in measured if m["label"] == label]
        op = by_label.get(operation)
        kinds.append(
            PathFigures(
                label=operation,
                cpu_ms=statistics.median(m["cpu_ms"] for m in mine),
                wall_ms=statistics.median(m["wall_ms"] for m in mine),
                function_log_bytes=statistics.median(m["log_bytes"] for m in mine),
                operations=op.recording.operations() if op else [],
                wcu=op.capacity.total_wcu if op else math.nan,
                rcu=op.capacity.rcu if op else math.nan,
                statuses=sorted({int(m["status"] or 0) for m in mine}),
            )
        )
    cold = next(m for m in measured if m["label"] == "cold")
    return RequestPath(
        function=function,
        cold_log_bytes=int(cold["log_bytes"]),
        import_log_bytes=int(answer["import_log_bytes"]),
        platform_log_bytes=platform_log_bytes(function),
        access_log_bytes=access_log_bytes(env),
        kinds=kinds,
    )


# -- the arithmetic -----------------------------------------------------------------------------------
MILLION = 1_000_000


def duration_ms(path: RequestPath, kind: PathFigures) -> float:
    """Estimated Lambda duration: CPU stretched to the memory's CPU share, plus DynamoDB waits."""
    stretch = max(1.0, prices.FULL_VCPU_MB / path.function.memory_mb)
    return kind.cpu_ms * stretch + sum(prices.latency_ms(op) for op in kind.operations)


def log_bytes(path: RequestPath, kind: PathFigures) -> float:
    return kind.function_log_bytes + path.platform_log_bytes + path.access_log_bytes


def request_costs(path: RequestPath, kind: PathFigures) -> dict[str, float]:
    """USD per 1M purchases of this kind, by item."""
    billed_s = math.ceil(duration_ms(path, kind)) / 1000  # billed per 1 ms
    gb_s = billed_s * path.function.memory_mb / 1024 * MILLION
    duration_price = (
        prices.LAMBDA_ARM64_GB_S if path.function.architecture == "arm64" else prices.LAMBDA_X86_GB_S
    )
    return {
        "HTTP API": prices.cost(prices.HTTP_API, MILLION),
        "Lambda requests": prices.cost(prices.LAMBDA_REQUESTS, MILLION),
        "Lambda duration": prices.cost(duration_price, gb_s),
        "DynamoDB writes": prices.cost(prices.DYNAMODB_WRITE, kind.wcu * MILLION),
        "DynamoDB reads": prices.cost(prices.DYNAMODB_READ, kind.rcu * MILLION),
        "CloudWatch Logs": prices.cost(prices.LOGS_INGESTED, log_bytes(path, kind) * MILLION),
    }


def scheduled_costs(work: Scheduled) -> dict[str, float]:
    """USD per 1M purchases of the work they cause later (DynamoDB and SQS, as the issue counts it)."""
    return {
        "DynamoDB writes": prices.cost(prices.DYNAMODB_WRITE, work.per_purchase("wcu") * MILLION),
        "DynamoDB reads": prices.cost(prices.DYNAMODB_READ, work.per_purchase("rcu") * MILLION),
        "SQS": prices.cost(prices.SQS_REQUESTS, work.per_purchase("sqs") * MILLION),
    }


def headline(path: RequestPath) -> float:
    """The request path's cost per 1M purchases for a returning customer on a later day."""
    kind = next(k for k in path.kinds if k.label == RETURNING_LATER)
    return sum(request_costs(path, kind).values())


# -- the report ---------------------------------------------------------------------------------------
def _usd(value: float) -> str:
    return f"${value:,.2f}"


def request_section(path: RequestPath) -> list[str]:
    items = list(request_costs(path, path.kinds[0]))
    rows = []
    for item in items:
        row = [item]
        for kind in path.kinds:
            row.append(_usd(request_costs(path, kind)[item]))
        rows.append(row)
    totals = [sum(request_costs(path, kind).values()) for kind in path.kinds]
    rows.append(["**Total per 1M purchases**", *(f"**{_usd(t)}**" for t in totals)])
    inputs = [
        ["DynamoDB calls (part 1)", *(", ".join(k.operations) or "—" for k in path.kinds)],
        ["Write / read units (part 2)", *(f"{k.wcu:g} / {k.rcu:g}" for k in path.kinds)],
        ["Handler CPU, warm (median, this machine)", *(f"{k.cpu_ms:.1f} ms" for k in path.kinds)],
        [
            "Handler wall time against the stand-in (median; not AWS)",
            *(f"{k.wall_ms:.0f} ms" for k in path.kinds),
        ],
        ["Estimated Lambda duration", *(f"{duration_ms(path, k):.0f} ms" for k in path.kinds)],
        [
            "Function log output per purchase (measured)",
            *(f"{k.function_log_bytes:.0f} B" for k in path.kinds),
        ],
        [
            "+ Lambda START/END/REPORT lines + HTTP API access log line",
            *(f"{path.platform_log_bytes} + {path.access_log_bytes} B" for _ in path.kinds),
        ],
        ["HTTP status of the measured purchases", *(", ".join(map(str, k.statuses)) for k in path.kinds)],
    ]
    share = {item: sum(request_costs(path, k)[item] for k in path.kinds) / sum(totals) for item in items}
    top = max(share, key=lambda item: share[item])
    stretch = prices.FULL_VCPU_MB / path.function.memory_mb
    names = ["", *(k.label.removeprefix("(a) purchase, ") for k in path.kinds)]
    return [
        "### Request path: `POST /v1/purchases`",
        "",
        f"The API function as deployed: {path.function.memory_mb} MB, {path.function.architecture} "
        f"(template.yaml), tracing {'Active' if path.function.tracing else 'off'}. `functions/api/app.py` runs "
        "in its own process with the environment the template gives it (log level INFO, Powertools as "
        "deployed) against the bench's stand-in: one cold purchase, then "
        f"{SAMPLES} purchases of each kind, alternating; the returning customers bought {PREVIOUS_DAYS} days "
        "earlier. **Lambda duration** = the handler thread's CPU time (this machine, x86_64) × "
        f"{prices.FULL_VCPU_MB} / {path.function.memory_mb} = {stretch:.2f} (Lambda's CPU share at that "
        "memory) + each DynamoDB call at its stated latency (TransactWriteItems "
        f"{prices.latency_ms('TransactWriteItems'):g} ms, BatchGetItem {prices.latency_ms('BatchGetItem'):g} ms, "
        f"others {prices.DEFAULT_LATENCY_MS:g} ms), billed per 1 ms. **Logs** = what the function wrote during "
        f"the purchase (measured) + Lambda's START/END/REPORT{'/XRAY' if path.function.tracing else ''} lines "
        "+ the HTTP API access log line of the template's format. The cold invocation wrote "
        f"{path.cold_log_bytes} B and the import {path.import_log_bytes} B (once per container; not counted). "
        "Not counted: API-key and program cache misses (one GetItem each per container and TTL), X-Ray "
        "(active tracing records a trace per sampled request: $5.00 per million traces recorded beyond the "
        "free 100,000 a month; default sampling is the first request each second and 5% of the rest), and "
        "cold starts' init time.",
        "",
        *_table(names, inputs),
        "",
        *_table(["USD per 1M purchases", *names[1:]], rows),
        "",
        f"Largest item: {top} ({100 * share[top]:.0f}% of the total).",
        "",
    ]


def scheduled_section(work: Scheduled) -> list[str]:
    rows = [
        [
            f.function,
            str(f.runs),
            str(f.busy),
            f"{f.idle_calls} calls, {f.idle_wcu:g} WCU, {f.idle_rcu:g} RCU",
            f"{f.calls / work.purchases:.2f}",
            f"{f.wcu / work.purchases:.2f}",
            f"{f.rcu / work.purchases:.2f}",
            f"{f.sqs / work.purchases:.2f}",
            ", ".join(f"{name} ×{count}" for name, count in f.operations.most_common()) or "—",
        ]
        for f in work.functions
    ]
    rows.append(
        [
            "**Per purchase**",
            "",
            "",
            "",
            f"**{work.per_purchase('calls'):.2f}**",
            f"**{work.per_purchase('wcu'):.2f}**",
            f"**{work.per_purchase('rcu'):.2f}**",
            f"**{work.per_purchase('sqs'):.2f}**",
            "",
        ]
    )
    costs = scheduled_costs(work)
    decided = ", ".join(
        f"{key} {value / work.purchases:.2f}" for key, value in sorted(work.decisions.items())
    )
    return [
        "### Work each purchase causes later (default program)",
        "",
        f"{work.purchases} first purchases by customers with a phone and SMS consent, spread over a shop day; "
        "the default program with the local SMS gateway. Then the template's scheduled functions, invoked "
        f"through their handlers every {work.step_hours} hours for {work.days} days ({work.instants} instants), "
        "and after each instant the queue runner drains the queues into the senders (their clock set to the "
        "instant). A function's cheapest run is its idle cost (paid per merchant whatever its customers); "
        "the table shows what its runs cost above that, per purchase. Empty receives are left out (on AWS "
        "the event source mapping polls whatever the traffic). Units are computed as in part 2. "
        f"Local run time {work.seconds:.0f} s.",
        "",
        *_table(
            [
                "Function",
                "Runs",
                "Busy runs",
                "Idle run",
                "Calls / purchase",
                "WCU / purchase",
                "RCU / purchase",
                "SQS requests / purchase",
                "Calls above idle (all purchases)",
            ],
            rows,
        ),
        "",
        f"Messages per purchase: {work.delivered / work.purchases:.2f} SMS delivered; decisions per purchase: "
        f"{decided or '—'}.",
        "",
        f"**Cost per 1M purchases: {_usd(sum(costs.values()))}** ("
        + ", ".join(f"{name} {_usd(value)}" for name, value in costs.items())
        + "). Not counted: the scheduled and sender functions' Lambda time, and the SMS gateways' own fees. "
        "SQS batching depends on how many messages a run finds: at 15-minute runs and low volume, batches "
        "are smaller than here.",
        "",
    ]


def render(path: RequestPath | None, work: Scheduled | None) -> list[str]:
    lines = [
        "## 7. AWS cost per 1M purchases",
        "",
        *prices.table_lines(),
        "",
    ]
    lines += request_section(path) if path else ["Request path: not measured (failed).", ""]
    lines += scheduled_section(work) if work else ["Scheduled work: not measured (failed).", ""]
    return lines
