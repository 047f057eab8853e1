"""History import rate: `vafa import` of a generated file against the local stack, and its DynamoDB calls.

    .venv/bin/python -m vafa_dev.bench.history_import --orders 20000 --write docs/benchmarks.md

Starts the local stack in this process (as `make run` does, without the demo shop), creates a
merchant, writes a CSV of past orders (a quarter as many customers as orders, two years of dates,
sorted by time as shops export them), and runs the installed `vafa` console script against the
stack's endpoint, twice: the first run imports everything, the second finds everything there. The
rate is the one `vafa import` prints (rows read per second of the whole run); the stand-in counts
the requests it serves by DynamoDB API, which are what AWS would see. It measures two stand-ins:
moto as the tests run it, and moto with the speed-ups `make run` turns on (`vafa_dev.local.speedups`).

With `--write`, the "History import" section of the file is replaced (or added at the end);
`make bench` keeps that section when it rewrites the file (`carry_over`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HEADING = "## History import"


@dataclass
class Run:
    label: str
    summary: dict[str, Any]
    wall_seconds: float
    calls: Counter[str]

    @property
    def rate(self) -> int:
        return int(self.summary["rows_per_second"])


def write_orders(path: Path, orders: int, seed: int = 20_000) -> None:
    """`orders` past orders by orders/4 customers over two years, oldest first, some with contacts."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    customers = max(1, orders // 4)
    rows = []
    for n in range(orders):
        at = now - timedelta(seconds=rng.randrange(1, 730 * 86400))
        customer = rng.randrange(customers)
        refunded = rng.choice((0,) * 30 + (1,))
        amount = rng.randrange(50, 5000) * 10_000
        rows.append((at, f"H-{n + 1:07d}", f"C-{customer:06d}", amount, amount if refunded else 0))
    rows.sort()
    lines = ["order_id,customer_id,amount,occurred_at,refunded_amount,phone,name"]
    for at, order_id, customer_id, amount, refunded in rows:
        number = int(customer_id[2:])
        phone = f"0912{number:07d}" if number % 2 else ""
        name = f"مشتری {number}" if number % 3 else ""
        lines.append(
            f"{order_id},{customer_id},{amount},{at:%Y-%m-%dT%H:%M:%SZ},{refunded or ''},{phone},{name}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@contextlib.contextmanager
def counting_requests() -> Iterator[Counter[str]]:
    """DynamoDB requests the embedded stand-in serves, by API (`BatchGetItem`, `TransactWriteItems`, ...)."""
    from vafa_dev.local import aws

    seen: Counter[str] = Counter()
    original = aws._OneAtATime.__call__

    def call(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("DynamoDB_"):
            seen[target.split(".")[-1]] += 1
        return original(self, environ, start_response)

    aws._OneAtATime.__call__ = call  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        aws._OneAtATime.__call__ = original  # type: ignore[method-assign]


def _import(url: str, merchant: str, path: Path, label: str) -> Run:
    vafa = str(Path(sys.executable).with_name("vafa"))
    with counting_requests() as calls:
        started = time.monotonic()
        done = subprocess.run(
            [vafa, "--endpoint", url, "import", merchant, str(path), "--quiet"],
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"vafa import exited {done.returncode}: {done.stderr.strip()[-500:]}")
    return Run(label, json.loads(done.stdout), wall, Counter(calls))


def measure(orders: int, workdir: Path, only: str | None = None) -> list[Run]:
    """One local stack (stand-in included); per stand-in configuration a new merchant imports twice."""
    from vafa_dev.local.speedups import fast_stand_in
    from vafa_dev.local.stack import LocalStack

    os.environ.pop("AWS_ENDPOINT_URL", None)
    path = workdir / f"orders-{orders}.csv"
    write_orders(path, orders)
    runs: list[Run] = []
    stack = LocalStack(port=0)
    stack.start()
    try:
        for fast in (False, True):
            if only and only != ("fast" if fast else "stock"):
                continue
            kind = "make run stand-in (speed-ups on)" if fast else "stock stand-in"
            print(f"[bench] {kind}: importing {orders:,} orders", file=sys.stderr)
            with fast_stand_in() if fast else contextlib.nullcontext():
                merchant = stack.create_merchant(f"Import bench ({kind})")["merchant_id"]
                for label in ("first run", "same file again"):
                    runs.append(_import(stack.url, merchant, path, f"{kind}, {label}"))
                    print(f"[bench]   {label}: {runs[-1].rate:,} rows/s", file=sys.stderr)
    finally:
        stack.stop()
    return runs


def _calls(run: Run) -> str:
    dynamo = {k: v for k, v in run.calls.items() if k[:1].isupper() and k != "GetParameter"}
    per_thousand = {k: v * 1000 / max(run.summary["rows"], 1) for k, v in dynamo.items()}
    return ", ".join(f"{k} {per_thousand[k]:.1f}" for k in sorted(dynamo, key=lambda k: -dynamo[k]))


def render(orders: int, runs: list[Run], command: str) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        HEADING,
        "",
        f"Measured {when} on {os.cpu_count()} CPUs (1-minute load average at the start: "
        f"{os.getloadavg()[0]:.2f}) with:",
        "",
        "```bash",
        command,
        "```",
        "",
        f"`vafa import` (the installed console script, in its own process, over HTTP) of a CSV of "
        f"{orders:,} past orders by {orders // 4:,} customers against the local stack started in the "
        "benchmark's process, history only (the default). *Rows/s* is what `vafa import` reports: rows "
        "read per second of the whole run. The stand-in serves one request at a time; its figures are "
        "the stand-in's, not DynamoDB's. The requests per 1,000 rows are what AWS would see.",
        "",
        "| Stand-in, run | Imported | Skipped | Seconds | Rows/s | DynamoDB requests per 1,000 rows |",
        "|---|---|---|---|---|---|",
    ]
    for run in runs:
        s = run.summary
        lines.append(
            f"| {run.label} | {s['imported']:,} | {s['skipped']:,} | {s['seconds']:.1f} | "
            f"**{run.rate:,}** | {_calls(run)} |"
        )
    lines += [
        "",
        "Each chunk of 500 rows costs one consistent BatchGetItem per 100 keys (its order ids and its "
        "customers' profiles), then TransactWriteItems of up to 100 items, several customers to a "
        "transaction, four at a time (`--workers`). A re-run reads and writes nothing else. On "
        "DynamoDB the rate is bounded by those round trips (a few milliseconds each) and the table's "
        "write capacity: a transaction writes each item at 2 WCU.",
        "",
    ]
    return "\n".join(lines)


def replace_section(text: str, section: str) -> str:
    """The document with its History import section replaced by `section` (or `section` appended)."""
    start = text.find(HEADING)
    if start == -1:
        return text.rstrip("\n") + "\n\n" + section
    end = text.find("\n## ", start + len(HEADING))
    tail = text[end + 1 :] if end != -1 else ""
    return text[:start] + section + ("\n" + tail if tail else "")


def carry_over(path: Path, text: str) -> str:
    """For `make bench`: keep the History import section the current file has in the rewritten text."""
    if not path.exists() or HEADING in text:
        return text
    current = path.read_text(encoding="utf-8")
    start = current.find(HEADING)
    if start == -1:
        return text
    end = current.find("\n## ", start + len(HEADING))
    section = current[start : end + 1 if end != -1 else len(current)]
    return replace_section(text, section.rstrip("\n") + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vafa_dev.bench.history_import", description=__doc__)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--write", type=Path, help="replace the History import section of this file")
    parser.add_argument("--only", choices=["stock", "fast"], help="measure one stand-in only")
    args = parser.parse_args(argv)
    command = ".venv/bin/python -m vafa_dev.bench.history_import " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    with tempfile.TemporaryDirectory(prefix="vafa-import-bench-") as workdir:
        runs = measure(args.orders, Path(workdir), args.only)
    section = render(args.orders, runs, command.strip())
    print(section)
    if args.write:
        current = args.write.read_text(encoding="utf-8") if args.write.exists() else "# Vafa benchmarks\n"
        args.write.write_text(replace_section(current, section), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
