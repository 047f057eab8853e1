"""The WooCommerce plugin's own PHP tests (stand-ins of WordPress/WooCommerce, no server needed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "integrations" / "woocommerce" / "vafa-club" / "tests" / "run.php"


@pytest.mark.skipif(shutil.which("php") is None, reason="php (Debian's php-cli) is not installed")
def test_plugin_php_tests_pass() -> None:
    done = subprocess.run(["php", str(RUN)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
