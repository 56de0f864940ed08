"""Where speechcast keeps user files. Environment variables let tests and users move them."""

from __future__ import annotations

import os
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
