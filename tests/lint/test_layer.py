"""The Lambda layer is the product: built as `sam build` builds it (shared/Makefile), it holds the
`vafa` package and its dependencies compiled, no development tooling and no second AWS SDK, stays
under 45 MB, and every function imports from it with only the runtime's SDK beside it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_SDK = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six.py", "urllib3")


@pytest.fixture(scope="module")
def layer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    # Built for this machine's architecture so it can be imported here; the deployed one is arm64.
    out = tmp_path_factory.mktemp("layer")
    arch = os.uname().machine
    build = subprocess.run(
        ["make", "-s", "build-VafaLayer", f"ARCH={arch}", f"ARTIFACTS_DIR={out}", f"PYTHON={sys.executable}"],
        cwd=ROOT / "shared",
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    yield out / "python"


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def test_the_layer_holds_the_product_compiled_without_tooling_or_a_second_sdk(layer: Path) -> None:
    names = {p.name for p in layer.iterdir()}
    assert "vafa" in names and "vafa_dev" not in names
    assert not names & {"boto3", "botocore", "s3transfer", "moto", "pytest"}
    assert not (layer / "vafa" / "local").exists() and not (layer / "vafa" / "bench").exists()
    assert (layer / "cryptography" / "__init__.pyc").exists()  # dependencies ship compiled
    assert not list((layer / "pynamodb").rglob("*.py"))
    assert list((layer / "vafa" / "__pycache__").glob("*.pyc"))
    assert _size(layer) <= 45_000_000, f"{_size(layer) / 1e6:.1f} MB"


@pytest.mark.parametrize("function", sorted(p.parent.name for p in (ROOT / "functions").glob("*/app.py")))
def test_every_function_imports_from_the_layer_and_the_runtimes_sdk_alone(
    layer: Path, function: str, tmp_path: Path
) -> None:
    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    sdk = tmp_path / "runtime"
    sdk.mkdir()
    for name in RUNTIME_SDK:  # what the python3.11 Lambda runtime provides
        (sdk / name).symlink_to(site / name)
    code = (
        "import sys; sys.path[:0] = sys.argv[1:]; import app; import pynamodb, pywebpush, phonenumbers; "
        "assert sys.modules['vafa'].__file__.startswith(sys.argv[2]), sys.modules['vafa'].__file__"
    )
    env = {"PATH": os.environ["PATH"], "AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "true"}
    answer = subprocess.run(
        # -S: none of this virtualenv's packages, only the layer and the runtime's SDK
        [sys.executable, "-I", "-S", "-c", code, str(ROOT / "functions" / function), str(layer), str(sdk)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert answer.returncode == 0, answer.stderr[-2000:]
