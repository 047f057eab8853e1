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

from vafa_dev.bench import (
    cost,
    engine,
    environment,
    goals,
    growth,
    history_import,
    imports,
    layer,
    report,
    scale,
    scenarios,
    scheduled,
    throughput,
)
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


PARTS = ("imports", "layer", "operations", "throughput", "growth", "engine", "cost", "scheduled", "scale")


def _only(argv: list[str]) -> set[str]:
    """`--only cost,scale`: run those parts, print their sections, leave docs/benchmarks.md alone."""
    if "--only" not in argv:
        return set(PARTS)
    chosen = set(argv[argv.index("--only") + 1].split(","))
    unknown = chosen - set(PARTS)
    if unknown:
        raise SystemExit(f"unknown parts {sorted(unknown)}; choose from {', '.join(PARTS)}")
    if "cost" in chosen:
        chosen.add("operations")  # the request path's units are the operations'
    return chosen


def main(output: Path = OUTPUT, argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    argv = sys.argv[1:] if argv is None else argv
    only = _only(argv)
    if len(only) < len(PARTS):
        return partial(only)
    started = time.perf_counter()
    load = os.getloadavg()[0]
    template = load_template(environment.TEMPLATE)
    _step("3/9 import times in fresh interpreters (first, on a quiet machine)")
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
    _step("8/9 the layer built by shared/Makefile: size, cold import from it")
    built = _part("layer", failures, lambda: layer.measure(template, ROOT))
    env = environment.start()
    try:
        _step("1-2/9 round trips and capacity units per operation")
        operations = _part("operations", failures, lambda: scenarios.run(env)) or []
        _step("4/9 HTTP throughput through the local stack")
        through = _part("throughput", failures, lambda: throughput.run(env))
        _step("5/9 expiry job at 100 and 2,000 customers")
        grown = _part("growth", failures, lambda: growth.run(env)) or []
        _step("6/9 reminders and metrics runs at 1,000 and 50,000 customers; SQS per message; sender speed")
        engine_parts = _part("engine", failures, lambda: engine.run(env))
        _step("7/9 cost per 1M purchases: the request path, then the scheduled work over the days after")
        path = _part("cost", failures, lambda: cost.request_path(env, operations))
        work = _part("scheduled", failures, lambda: scheduled.run(env))
        _step("9/9 reminders with many due, and the run after it")
        scaled = _part("scale", failures, lambda: scale.run(env))
    finally:
        env.stop()
    failures.update({m.label: m.error for m in operations if m.error})
    seconds = time.perf_counter() - started
    text = report.render(seconds, load, operations, timings, profiles, through, grown, failures)
    issue = goals.render(goals.Parts(operations, path, work, scaled, built, engine_parts))
    text = _after_summary(text, "\n".join(issue))
    if engine_parts:
        text += "\n" + engine.render(engine_parts)
    text += "\n" + "\n".join([*cost.render(path, work), *layer.render(built), *scale.render(scaled)])
    output.parent.mkdir(parents=True, exist_ok=True)
    text = history_import.carry_over(
        output, text
    )  # measured on its own: python -m vafa_dev.bench.history_import
    output.write_text(text, encoding="utf-8")
    print(text)
    _step(f"wrote {output.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s")
    return 1 if failures else 0


def _after_summary(text: str, section: str) -> str:
    """The issue's table at the top: before the Summary (after the header)."""
    marker = "## Summary"
    if marker not in text:
        return text + "\n" + section
    head, tail = text.split(marker, 1)
    return head + section + "\n" + marker + tail


def partial(only: set[str]) -> int:
    """Some parts only (`--only`): their sections on stdout; docs/benchmarks.md is not touched."""
    template = load_template(environment.TEMPLATE)
    failures: dict[str, str] = {}
    out: list[str] = []
    built = _part("layer", failures, lambda: layer.measure(template, ROOT)) if "layer" in only else None
    if "imports" in only:
        out += report.imports_section(imports.measure(template, ROOT), {})
    env = environment.start()
    path = work = scaled = engine_parts = None
    operations: list[scenarios.Measured] = []
    try:
        if "operations" in only:
            operations = _part("operations", failures, lambda: scenarios.run(env)) or []
            out += report.capacity(operations)
        if "throughput" in only:
            through = _part("throughput", failures, lambda: throughput.run(env))
            out += report.throughput_section(through) if through else []
        if "growth" in only:
            out += report.growth_section(_part("growth", failures, lambda: growth.run(env)) or [])
        if "engine" in only:
            engine_parts = _part("engine", failures, lambda: engine.run(env))
            out += [engine.render(engine_parts)] if engine_parts else []
        if "cost" in only:
            path = _part("cost", failures, lambda: cost.request_path(env, operations))
        if "scheduled" in only:
            work = _part("scheduled", failures, lambda: scheduled.run(env))
        if "scale" in only:
            scaled = _part("scale", failures, lambda: scale.run(env))
    finally:
        env.stop()
    if {"cost", "scheduled"} & only:
        out += cost.render(path, work)
    if "layer" in only:
        out += layer.render(built)
    if "scale" in only:
        out += scale.render(scaled)
    out = goals.render(goals.Parts(operations, path, work, scaled, built, engine_parts)) + out
    print("\n".join(out))
    for name, error in failures.items():
        print(f"[bench] {name} failed: {error}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
