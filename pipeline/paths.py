"""Where speechcast keeps user files. Environment variables let tests and users move them."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def config_dir() -> Path:
    """User presets live in <config_dir>/voices/*.toml."""
    env = os.environ.get("SPEECHCAST_CONFIG_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_config_dir("speechcast"))


def cache_dir() -> Path:
    env = os.environ.get("SPEECHCAST_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("speechcast"))


def writable_base(folder: Path) -> Path:
    """The nearest existing folder at or above `folder`, proven to take files; creates nothing.

    Raises OSError (NotADirectoryError where a file stands in the way) when `folder` could not be
    written or created.
    """
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise NotADirectoryError(20, "Not a directory", str(existing))
    with tempfile.TemporaryFile(dir=existing):
        pass
    return existing
