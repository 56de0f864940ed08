"""The chunk cache: engine output stored by what produced it, so no sentence is paid for twice.

An entry's name is the SHA-256 of (engine, engine version, voice, rate, pitch, volume, text);
its content is a SHA-256 of the audio followed by the audio itself, so a damaged entry is noticed
on read and synthesized again instead of being played. Entries are written to a temporary name
and renamed into place, so a killed render never leaves a partial entry behind; the temporary
file it may leave is cleared by a later render once it is surely abandoned.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

from ..errors import OutputError
from ..settings import VoiceSettings
from .engines import Speech

_DIGEST = 32
_FORMATS = ("mp3", "wav", "flac")
_TEMP_PREFIX, _TEMP_SUFFIX = ".tmp-", ".part"
STALE_TEMP_SECONDS = 3600
"""A write takes milliseconds; a temporary file this old belongs to a render that was killed
(one still running, sharing the cache, may own a younger one)."""


def chunk_key(engine: str, engine_version: str, voice: VoiceSettings, text: str) -> str:
    fields = [engine, engine_version, voice.voice, voice.rate, voice.pitch, voice.volume, text]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()


class ChunkCache:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def ensure_writable(self) -> None:
        """Create the folder, prove it takes files, and clear what killed renders left in it."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.root):
                pass
        except OSError as err:
            raise OutputError(
                "The cache folder {root} cannot be written ({strerror}): pass --cache-dir with a writable folder.", root=self.root, strerror=err.strerror
            ) from None
        abandoned = time.time() - STALE_TEMP_SECONDS
        for temp in self.root.glob(f"??/{_TEMP_PREFIX}*{_TEMP_SUFFIX}"):
            try:
                if temp.stat().st_mtime < abandoned:
                    temp.unlink()
            except OSError:  # another render cleared it first
                continue

    def _path(self, key: str, fmt: str) -> Path:
        return self.root / key[:2] / f"{key}.{fmt}"

    def get(self, key: str) -> Speech | None:
        """The stored speech, or None when absent or damaged (a damaged entry is deleted)."""
        for fmt in _FORMATS:
            path = self._path(key, fmt)
            try:
                blob = path.read_bytes()
            except FileNotFoundError:
                continue
            data = blob[_DIGEST:]
            if len(blob) > _DIGEST and hashlib.sha256(data).digest() == blob[:_DIGEST]:
                return Speech(data=data, format=fmt)
            self.discard(key)
            return None
        return None

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def put(self, key: str, speech: Speech) -> None:
        """Store `speech` unless an entry is already there: the first writer wins, so renders sharing
        the cache all play the same audio even from an engine that varies run to run (espeak-ng)."""
        if speech.format not in _FORMATS:
            raise ValueError(f"cannot cache audio of format {speech.format!r}")
        path = self._path(key, speech.format)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(hashlib.sha256(speech.data).digest())
                    out.write(speech.data)
                try:
                    os.link(tmp, path)  # fails if another render stored this chunk first: keep theirs
                except FileExistsError:
                    pass
                except OSError:  # a file system without hard links: last writer wins instead
                    os.replace(tmp, path)
            finally:
                Path(tmp).unlink(missing_ok=True)
        except OSError as err:
            raise OutputError(
                "Could not write to the cache folder {root} ({strerror}): free some space or pass --cache-dir.", root=self.root, strerror=err.strerror
            ) from None

    def discard(self, key: str) -> None:
        for fmt in _FORMATS:
            self._path(key, fmt).unlink(missing_ok=True)

    def size(self) -> tuple[int, int]:
        """(entries, bytes) in the cache."""
        entries = total = 0
        if self.root.is_dir():
            for path in self.root.glob("??/*"):
                if path.suffix[1:] in _FORMATS:
                    entries += 1
                    total += path.stat().st_size
        return entries, total
