"""The test session never reads or writes the developer's own folders, module-scoped fixtures included."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.paths import cache_dir, config_dir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def seen_by_a_module_fixture() -> tuple[Path, Path, Path]:
    """What a module-scoped fixture (run before any function-scoped one) sees."""
    return config_dir(), cache_dir(), Path(os.environ["SPEECHCAST_TEST_SHOTS"])


def test_a_module_fixture_sees_sealed_folders(seen_by_a_module_fixture: tuple[Path, Path, Path]) -> None:
    home = Path.home().resolve()
    for folder in seen_by_a_module_fixture:
        resolved = folder.resolve()
        assert not resolved.is_relative_to(home / ".config") and not resolved.is_relative_to(home / ".cache"), folder
        assert not resolved.is_relative_to(ROOT), f"{folder} is inside the repository"
    assert os.environ["SPEECHCAST_EDGE_URL"].startswith("ws://127.0.0.1:")
