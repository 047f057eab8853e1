"""`make bench`: round trips, capacity, import time, throughput and expiry growth; writes the report."""

from __future__ import annotations

import os
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from vafa_dev.bench import engine, environment, growth, history_import, imports, report, scenarios, throughput
from vafa_dev.local.template import load_template

ROOT = environment.ROOT
OUTPUT = ROOT / "docs" / "benchmarks.md"
T = TypeVar("T")


def _step(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _part(name: str, failures: dict[str, str], run: Callable[[], T]) -> T | None:
    """Run one part; a failure is reported (and fails the exit status) without losing the other parts."""
    try:
        return run()
    except Exception as exc:
        traceback.print_exc()
        failures[name] = f"{type(exc).__name__}: {exc}"
        return None


def main(output: Path = OUTPUT) -> int:
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    started = time.perf_counter()
    load = os.getloadavg()[0]
    template = load_template(environment.TEMPLATE)
    _step("3/5 import times in fresh interpreters (first, on a quiet machine)")
    timings = imports.measure(template, ROOT)
    baseline = timings[1]
    over = [
        t.function
        for t in timings
        if t.function and t.error is None and t.ratio(baseline) > imports.TARGET_RATIO
    ]
    profiles: dict[str, imports.Profile] = {}
    if over:
        modules = imports.baseline_modules(template, ROOT)
        for function in over:
            _step(f"    -X importtime of {function}")
            profiles[function] = imports.profile(template, ROOT, function, modules)
    failures: dict[str, str] = {}
    env = environment.start()
    try:
        _step("1-2/5 round trips and capacity units per operation")
        operations = _part("operations", failures, lambda: scenarios.run(env)) or []
        _step("4/5 HTTP throughput through the local stack")
        through = _part("throughput", failures, lambda: throughput.run(env))
        _step("5/5 expiry job at 100 and 2,000 customers")
        grown = _part("growth", failures, lambda: growth.run(env)) or []
        _step("6/6 reminders and metrics runs at 1,000 and 50,000 customers; SQS per message; sender speed")
        engine_parts = _part("engine", failures, lambda: engine.run(env))
    finally:
        env.stop()
    failures.update({m.label: m.error for m in operations if m.error})
    seconds = time.perf_counter() - started
    text = report.render(seconds, load, operations, timings, profiles, through, grown, failures)
    if engine_parts:
        text += "\n" + engine.render(engine_parts)
    output.parent.mkdir(parents=True, exist_ok=True)
    text = history_import.carry_over(
        output, text
    )  # measured on its own: python -m vafa_dev.bench.history_import
    output.write_text(text, encoding="utf-8")
    print(text)
    _step(f"wrote {output.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
