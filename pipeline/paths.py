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


LEXICON_NAME = "pronunciations.toml"
"""How words are read (speechcast pronounce): in the config folder, and beside a manuscript."""


def lexicon_files(manuscript: Path | None) -> list[Path]:
    """The lexicon files that hold for `manuscript`, earlier ones giving way: the user's, then the
    one beside the manuscript (here, not in text/readings, so an unchanged render can fingerprint
    them without loading the readings)."""
    files = [config_dir() / LEXICON_NAME, *([manuscript.parent / LEXICON_NAME] if manuscript is not None else [])]
    return [path for path in dict.fromkeys(files) if path.is_file()]


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
