"""Part 3: cold-start import time of each function module against a bare boto3 client, fresh interpreters."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from vafa_dev.local.resources import Resolver
from vafa_dev.local.template import Template

RUNS = 5
TARGET_RATIO = 1.3
BASELINE = "import boto3; boto3.client('dynamodb', region_name='us-east-1')"
LOAD_FUNCTION = (
    "import importlib.util,sys; spec=importlib.util.spec_from_file_location('app', {path!r}); "
    "m=importlib.util.module_from_spec(spec); spec.loader.exec_module(m)"
)
_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)$")


@dataclass
class Timing:
    name: str
    code: str
    env: dict[str, str]
    function: str | None = None
    seconds: list[float] = field(default_factory=list)
    error: str | None = None  # the import failed: the last line of its traceback

    @property
    def mean(self) -> float:
        return statistics.fmean(self.seconds) if self.seconds else float("nan")

    @property
    def best(self) -> float:
        return min(self.seconds) if self.seconds else float("nan")

    def ratio(self, baseline: Timing) -> float:
        """Best run against the baseline's best run: the verdict's figure (other load only adds time)."""
        return self.best / baseline.best


@dataclass
class Contributor:
    name: str
    extra_ms: float  # time spent in modules the baseline does not import


@dataclass
class Profile:
    """`-X importtime` of one function, reduced to what the boto3 baseline does not already import."""

    by_package: list[Contributor]
    edges: list[tuple[str, str, float]]  # (first-party importer, imported module, extra ms of its subtree)
    first_party: list[Contributor]


def deployed_env(template: Template, root: Path, function: str | None) -> dict[str, str]:
    """The environment a Lambda of the template sees (tracing on as deployed), region us-east-1."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "POWERTOOLS_", "VAFA_", "LAMBDA_", "_X_AMZN"))
    }
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    if function is None:
        return env
    resolver = Resolver(template, "vafa")
    for fn in template.functions.values():
        if Path(fn.code_uri).name == function:
            env.update({key: str(value) for key, value in resolver.resolve(fn.environment).items()})
            env["AWS_LAMBDA_FUNCTION_NAME"] = fn.logical_id
    env["LAMBDA_TASK_ROOT"] = str(root / "functions" / function)
    env["AWS_EXECUTION_ENV"] = "AWS_Lambda_python3.11"
    env["AWS_REGION"] = "us-east-1"
    return env


class ImportFailed(Exception):
    """The interpreter exited with an error; the message is the traceback's last line."""


def _run(code: str, env: dict[str, str], cwd: Path, *flags: str) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *flags, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise ImportFailed(lines[-1] if lines else f"exit status {done.returncode}")
    return elapsed, done.stderr


def functions(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "functions").iterdir() if (p / "app.py").is_file())


def measure(template: Template, root: Path, runs: int = RUNS) -> list[Timing]:
    """Bare interpreter, baseline and each function; one discarded warm-up, then rounds interleaved."""
    bare_env = deployed_env(template, root, None)
    timings = [
        Timing("`python -c pass` (interpreter start)", "pass", bare_env),
        Timing("boto3 baseline (import + DynamoDB client)", BASELINE, bare_env),
    ]
    for name in functions(root):
        code = LOAD_FUNCTION.format(path=f"functions/{name}/app.py")
        timings.append(Timing(f"`functions/{name}/app.py`", code, deployed_env(template, root, name), name))
    for timing in timings:
        try:
            _run(timing.code, timing.env, root)  # warm-up, discarded: fills the file system cache
        except ImportFailed as exc:
            timing.error = str(exc)
    for _ in range(runs):
        for timing in timings:
            if timing.error is None:
                timing.seconds.append(_run(timing.code, timing.env, root)[0])
    return timings


def baseline_modules(template: Template, root: Path) -> set[str]:
    """Modules the boto3 baseline imports (their time is not the function's own)."""
    _, err = _run(BASELINE, deployed_env(template, root, None), root, "-X", "importtime")
    return {row.name for row in _parse(err)}


@dataclass
class _Row:
    depth: int
    own_ms: float
    name: str
    parent: int | None = None  # index of the importing row; None at the top


def _parse(stderr: str) -> list[_Row]:
    """The `-X importtime` lines in print order, each with the index of the module that imported it."""
    rows: list[_Row] = []
    for line in stderr.splitlines():
        found = _LINE.match(line)
        if found:
            rows.append(_Row(len(found.group(3)) // 2, int(found.group(1)) / 1000, found.group(4)))
    # Children are printed before their parent; a line's parent is the next line with a smaller depth.
    pending: list[int] = []
    for index, row in enumerate(rows):
        while pending and rows[pending[-1]].depth > row.depth:
            rows[pending.pop()].parent = index
        pending.append(index)
    return rows


def _first_party(name: str) -> bool:
    return name.split(".")[0] == "vafa"


def profile(template: Template, root: Path, function: str, baseline: set[str]) -> Profile:
    """What the function imports beyond the baseline, by package and by first-party import."""
    code = LOAD_FUNCTION.format(path=f"functions/{function}/app.py")
    _, err = _run(code, deployed_env(template, root, function), root, "-X", "importtime")
    rows = _parse(err)
    extra = [0.0 if row.name in baseline else row.own_ms for row in rows]
    subtree = list(extra)
    for index, row in enumerate(rows):  # children come first, so their totals are final
        if row.parent is not None:
            subtree[row.parent] += subtree[index]
    packages: dict[str, float] = {}
    for row, ms in zip(rows, extra, strict=True):
        top = row.name.split(".")[0]
        packages[top] = packages.get(top, 0.0) + ms
    edges: list[tuple[str, str, float]] = []
    for index, row in enumerate(rows):
        importer = "app.py" if row.parent is None else rows[row.parent].name
        if (
            (row.parent is None or _first_party(importer))
            and not _first_party(row.name)
            and subtree[index] > 0
        ):
            edges.append((importer, row.name, subtree[index]))
    edges.sort(key=lambda edge: edge[2], reverse=True)
    own = [Contributor(row.name, ms) for row, ms in zip(rows, extra, strict=True) if _first_party(row.name)]
    own.sort(key=lambda c: c.extra_ms, reverse=True)
    by_package = sorted(
        (Contributor(name, ms) for name, ms in packages.items() if ms > 0),
        key=lambda c: c.extra_ms,
        reverse=True,
    )
    return Profile(by_package, edges, own)
