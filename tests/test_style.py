"""The tools that hold the house style, run as the test suite runs: ruff's lint and format, and
mypy over the package (their settings are in pyproject.toml). A failure names what to run to fix it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CODE = ["pipeline", "tests", "bench"]


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_ruff_finds_nothing() -> None:
    done = run("ruff", "check", *CODE)
    assert done.returncode == 0, "run `ruff check --fix pipeline tests bench`:\n" + done.stdout[-4000:]


def test_the_code_is_formatted() -> None:
    done = run("ruff", "format", "--check", *CODE)
    assert done.returncode == 0, "run `ruff format pipeline tests bench`:\n" + done.stdout[-4000:]


@pytest.mark.slow
def test_mypy_finds_nothing() -> None:
    done = run("mypy")
    assert done.returncode == 0, "mypy (settings in pyproject.toml) found:\n" + done.stdout[-4000:]
