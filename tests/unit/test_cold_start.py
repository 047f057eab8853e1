"""What a cold start loads: no function may pull in pydantic or Powertools' OpenAPI models.

Those two were most of the API function's import time (docs/benchmarks.md, part 3); the time itself
is measured by `make bench`, this only keeps them from creeping back in.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = sorted(path.parent.name for path in (ROOT / "functions").glob("*/app.py"))
HEAVY = ("pydantic", "aws_lambda_powertools.event_handler.openapi.models", "aws_xray_sdk")
PROBE = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("app", {path!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in ("pydantic", "aws_xray_sdk")
                        or name.startswith("aws_lambda_powertools.event_handler.openapi.models"))))
"""


@pytest.mark.parametrize("function", FUNCTIONS)
def test_function_module_loads_without_heavy_packages(function: str) -> None:
    code = PROBE.format(path=str(ROOT / "functions" / function / "app.py"))
    env = {"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1", "LAMBDA_TASK_ROOT": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert [name for name in loaded if name.startswith(HEAVY)] == []


def test_the_probe_sees_a_heavy_import_when_there_is_one() -> None:
    code = "import pydantic\n" + PROBE.format(path=str(ROOT / "functions" / FUNCTIONS[0] / "app.py"))
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert "pydantic" in json.loads(result.stdout.strip().splitlines()[-1])
