"""Part 8: the Lambda layer as `sam build` builds it, its size, and each function's cold import from it.

The layer is built by `shared/Makefile` into a temporary directory for this machine's architecture (the
deployed one is arm64; the x86_64 build of the same pinned packages, measured on this x86_64 machine, is
the honest proxy: same files, same byte code, other native wheels). Each function is then imported in a
fresh `python -I -S` (no site-packages: only the function's folder, the layer and the packages the
python3.11 runtime provides, as tests/lint/test_layer.py does), with the environment the template
gives it, against `import boto3; boto3.client("dynamodb")` from the same bare environment. The
function's figure includes creating the DynamoDB client its data layer uses (PynamoDB's), as the
baseline creates one; a second figure adds a client for every other AWS service its policies name.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vafa_dev.bench.imports import RUNS, TARGET_RATIO, ImportFailed, Timing, deployed_env, functions
from vafa_dev.local.template import Template

RUNTIME_SDK = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six.py", "urllib3")
TARGET_MB = 45.0
TOOLING = ("vafa_dev", "vafa/local", "vafa/bench", "vafa/demo.py", "moto", "pytest", "botocore", "boto3")
# SAM policy templates -> the service whose client the function would create
POLICY_SERVICES = {
    "SQS": "sqs",
    "AWSSecretsManager": "secretsmanager",
    "SSM": "ssm",
    "SNS": "sns",
    "SES": "ses",
    "DynamoDB": "dynamodb",
}
_SKIP_SERVICES = {"xray", "logs", "cloudwatch", "dynamodb"}  # no client made by the code, or counted apart
_PATH = "import sys; sys.path[:0] = sys.argv[1:]\n"
_LOAD = (
    "import importlib.util; spec = importlib.util.spec_from_file_location('app', {path!r}); "
    "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
)
# The DynamoDB client the function's data layer creates on its first call (PynamoDB's connection).
_DYNAMODB = (
    "try:\n"
    "    from vafa.store import table as _t; _t.connection().client\n"
    "except (ImportError, AttributeError):\n"
    "    import boto3; boto3.client('dynamodb')\n"
)


@dataclass
class LayerFunction:
    function: str
    services: list[str]  # other services its policies name
    timing: Timing


@dataclass
class Layer:
    arch: str
    size_bytes: int
    files: int
    tooling: list[str]  # development tooling or a second SDK found in the layer
    compiled: bool
    build_seconds: float
    baseline: Timing
    bare: Timing
    functions: list[LayerFunction] = field(default_factory=list)
    error: str | None = None

    @property
    def size_mb(self) -> float:
        return self.size_bytes / 1e6

    def worst(self) -> float:
        ratios = [f.timing.ratio(self.baseline) for f in self.functions if f.timing.error is None]
        return max(ratios) if ratios else float("nan")


def build(root: Path, out: Path) -> Path:
    arch = os.uname().machine
    out.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["make", "-s", "build-VafaLayer", f"ARCH={arch}", f"ARTIFACTS_DIR={out}", f"PYTHON={sys.executable}"],
        cwd=root / "shared",
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"layer build failed: {(done.stdout + done.stderr)[-1500:]}")
    return out / "python"


def services(template: Template, function: str) -> list[str]:
    """AWS services other than DynamoDB the function's policies let it call."""
    logical = next(fn.logical_id for fn in template.functions.values() if Path(fn.code_uri).name == function)
    policies = (template.raw["Resources"][logical].get("Properties") or {}).get("Policies") or []
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                for prefix, service in POLICY_SERVICES.items():
                    if key.startswith(prefix) and key.endswith("Policy"):
                        found.add(service)
                if key == "Action":
                    for action in [inner] if isinstance(inner, str) else inner:
                        found.add(str(action).split(":")[0])
                else:
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(policies)
    return sorted(found - _SKIP_SERVICES)


def _size(path: Path) -> tuple[int, int]:
    files = [f for f in path.rglob("*") if f.is_file()]
    return sum(f.stat().st_size for f in files), len(files)


def measure(template: Template, root: Path, runs: int = RUNS) -> Layer:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="vafa-bench-layer-") as tmp:
        layer = build(root, Path(tmp) / "build")
        build_seconds = time.perf_counter() - started
        size, count = _size(layer)
        tooling = [name for name in TOOLING if (layer / name).exists()]
        compiled = bool(list((layer / "vafa").rglob("*.pyc"))) and not list(
            (layer / "pynamodb").rglob("*.py")
        )
        site = Path(next(p for p in sys.path if p.endswith("site-packages")))
        sdk = Path(tmp) / "runtime"
        sdk.mkdir()
        for name in RUNTIME_SDK:  # what the python3.11 Lambda runtime provides
            if (site / name).exists():
                (sdk / name).symlink_to(site / name)
        bare_env = deployed_env(template, root, None)
        base_args = [str(layer), str(sdk)]
        baseline = Timing(
            "boto3 baseline",
            _PATH + "import boto3; boto3.client('dynamodb', region_name='us-east-1')",
            bare_env,
        )
        bare = Timing("`python -I -S -c pass`", "pass", bare_env)
        measured: list[tuple[Timing, list[str]]] = [(bare, base_args), (baseline, base_args)]
        result = Layer(os.uname().machine, size, count, tooling, compiled, build_seconds, baseline, bare)
        for name in functions(root):
            env = deployed_env(template, root, name)
            code = _PATH + _LOAD.format(path=str(root / "functions" / name / "app.py")) + _DYNAMODB
            others = services(template, name)
            args = [str(root / "functions" / name), *base_args]
            entry = LayerFunction(name, others, Timing(name, code, env, name))
            result.functions.append(entry)
            measured.append((entry.timing, args))
        for timing, args in measured:  # one discarded warm-up each: fills the file system cache
            try:
                _bare_run(timing, root, args)
            except ImportFailed as exc:
                timing.error = str(exc)
        for _ in range(runs):
            for timing, args in measured:
                if timing.error is None:
                    timing.seconds.append(_bare_run(timing, root, args))
    return result


def _bare_run(timing: Timing, root: Path, args: list[str]) -> float:
    """`python -I -S -c code args...`: no site-packages, no user site, no PYTHON* variables."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", timing.code, *args],
        env=timing.env,
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise ImportFailed(lines[-1] if lines else f"exit status {done.returncode}")
    return elapsed


def render(layer: Layer | None) -> list[str]:
    from vafa_dev.bench.report import _table

    if layer is None:
        return ["## 8. The built layer", "", "Not measured (failed).", ""]
    base = layer.baseline
    rows = [
        [
            "`python -I -S -c pass`",
            f"{layer.bare.best * 1000:.0f}",
            f"{layer.bare.ratio(base):.2f}×",
            "",
            "",
        ],
        ["boto3 baseline (import + DynamoDB client)", f"{base.best * 1000:.0f}", "1.00×", "", ""],
    ]
    for f in layer.functions:
        if f.timing.error:
            rows.append([f"`functions/{f.function}`", "—", "—", "—", f"import failed: `{f.timing.error}`"])
            continue
        ratio = f.timing.ratio(base)
        rows.append(
            [
                f"`functions/{f.function}`",
                f"{f.timing.best * 1000:.0f}",
                f"{ratio:.2f}×",
                ", ".join(f.services) or "—",
                ("✓" if ratio <= TARGET_RATIO else "✗") + f" ≤ {TARGET_RATIO}×",
            ]
        )
    size_mark = "✓" if layer.size_mb <= TARGET_MB else "✗"
    return [
        "## 8. The built layer: size and cold import from it",
        "",
        f"`make -C shared build-VafaLayer ARCH={layer.arch}` (what `sam build` runs, for this machine's "
        f"architecture; {layer.build_seconds:.0f} s) into a temporary directory. **The deployed layer is "
        f"arm64; this is the {layer.arch} build of the same pinned packages measured on this {layer.arch} "
        "machine — the honest proxy (same files and byte code, other native wheels).**",
        "",
        f"- Size: **{layer.size_mb:.1f} MB** unpacked ({layer.files:,} files; {size_mark} target ≤ {TARGET_MB:g} MB).",
        f"- Development tooling or a second AWS SDK in it: {', '.join(layer.tooling) or 'none'}; "
        f"compiled: {'yes' if layer.compiled else 'no'}.",
        "",
        f"Each line is a fresh `python -I -S` ({len(base.seconds)} timed runs after one discarded warm-up, rounds "
        "interleaved; best run shown and judged) with only the function's folder, the layer and the runtime's "
        "SDK (boto3, botocore, s3transfer, jmespath, dateutil, six, urllib3 from this virtualenv) on its path, "
        "in the environment the template gives the function (tracing as deployed). A function's line loads "
        "`app.py` as Lambda does and then creates the DynamoDB client its data layer uses (the baseline "
        "creates one too); the clients of the other services its policies name are created only on the "
        "paths that use them, so they are listed, not timed.",
        "",
        *_table(
            [
                "Module",
                "Best (ms)",
                "× baseline",
                "Other services in its policies",
                "Target",
            ],
            rows,
        ),
        "",
    ]
