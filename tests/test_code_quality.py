"""ruff (lint and format) and mypy run with the test suite, so CI runs them too."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.factories import ROOT

pytestmark = pytest.mark.slow  # linters and the type checker take a while


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "command",
    [
        ("ruff", "check", "src", "tests", "benchmarks", "scripts", "app.py"),
        ("ruff", "format", "--check", "src", "tests", "benchmarks", "scripts", "app.py"),
        ("mypy",),
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_is_clean(command: tuple[str, ...]) -> None:
    if shutil.which(command[0]) is None and run(command[0], "--version").returncode != 0:
        pytest.fail(f"{command[0]} is not installed: install the test extra (pip install -e '.[test]')")
    result = run(*command)
    assert result.returncode == 0, result.stdout + result.stderr
