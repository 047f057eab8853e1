"""Part 4: purchases per second over HTTP through the local stack (the stand-in, not AWS)."""

from __future__ import annotations

import os
import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests

from vafa_dev.bench.capacity import count_items
from vafa_dev.bench.environment import BenchEnvironment
from vafa_dev.local.rollback import per_item_rollback
from vafa_dev.local.stack import LocalStack

PURCHASES = 300
THREADS = 4
CUSTOMERS = 100
STOCK_SAMPLE = 5  # sequential purchases afterwards on moto's stock whole-table rollback


@dataclass
class Throughput:
    purchases: int
    threads: int
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]
    dynamodb_calls: int
    stand_in_requests: int
    first_half_rps: float = 0.0
    second_half_rps: float = 0.0
    operations: dict[str, int] = field(default_factory=dict)
    table_items: int = 0
    stock_latencies: list[float] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.purchases / self.seconds

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]


def _body(index: int) -> dict[str, Any]:
    customer = index % CUSTOMERS
    return {
        "order_id": f"http-o-{index}",
        "customer_id": f"http-c-{customer}",
        "amount": 250_000 + 1_000 * (index % 7),
        "customer": {"phone": f"0912{1_000_000 + customer:07d}", "name": f"مشتری {customer}"},
    }


def run(env: BenchEnvironment, purchases: int = PURCHASES, threads: int = THREADS) -> Throughput:
    """Start the local stack on the benchmark's stand-in, create a merchant, then POST purchases."""
    os.environ["VAFA_LOCAL_PREFIX"] = "vafa-bench-http"
    stack = LocalStack(port=0)
    url = stack.start()
    try:
        keys = requests.post(f"{url}/_local/merchants", json={"name": "Bench HTTP shop"}, timeout=30)
        keys.raise_for_status()
        auth = {"Authorization": f"Bearer {keys.json()['api_key']}"}
        # Warm-up (not timed): imports the API function and fills the key and program caches.
        warm = requests.post(f"{url}/v1/purchases", json=_body(-1), headers=auth, timeout=60)
        assert warm.status_code == 201, warm.text
        latencies: list[float] = []
        finished: list[float] = []
        statuses: dict[int, int] = {}
        lock = threading.Lock()
        next_index = iter(range(purchases))

        def worker() -> None:
            session = requests.Session()
            session.headers.update(auth)
            while True:
                with lock:
                    index = next(next_index, None)
                if index is None:
                    return
                start = time.perf_counter()
                answer = session.post(f"{url}/v1/purchases", json=_body(index), timeout=60)
                end = time.perf_counter()
                with lock:
                    latencies.append(end - start)
                    finished.append(end)
                    statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1

        workers = [threading.Thread(target=worker, name=f"bench-client-{i}") for i in range(threads)]
        with per_item_rollback(), env.recorder.record() as recording:
            began = time.perf_counter()
            for thread in workers:
                thread.start()
            for thread in workers:
                thread.join()
            elapsed = time.perf_counter() - began
        table = os.environ["VAFA_TABLE"]
        table_items = count_items(env.raw, table)
        stock: list[float] = []
        for index in range(purchases, purchases + STOCK_SAMPLE):
            start = time.perf_counter()
            answer = requests.post(f"{url}/v1/purchases", json=_body(index), headers=auth, timeout=60)
            stock.append(time.perf_counter() - start)
            assert answer.status_code == 201, answer.text
    finally:
        stack.stop()
        os.environ.pop("VAFA_LOCAL_STACK", None)
    finished.sort()
    half = len(finished) // 2
    operations: dict[str, int] = {}
    for name in recording.operations():
        operations[name] = operations.get(name, 0) + 1
    return Throughput(
        purchases=purchases,
        threads=threads,
        seconds=elapsed,
        latencies=latencies,
        statuses=statuses,
        dynamodb_calls=recording.round_trips,
        stand_in_requests=len(recording.server_requests),
        first_half_rps=half / (finished[half - 1] - began) if half else 0.0,
        second_half_rps=(len(finished) - half) / (finished[-1] - finished[half - 1]) if half else 0.0,
        operations=operations,
        table_items=table_items,
        stock_latencies=stock,
    )
