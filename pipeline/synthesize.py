"""Chunks → cached engine audio: bounded concurrency, the cache first, clear failures."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from . import aio
from .cache import ChunkCache, chunk_key
from .engines import Engine
from .errors import EngineError
from .model import Chunk
from .settings import VoiceSettings


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def close(self) -> None: ...


class NoProgress:
    def start(self, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass
class SynthesisReport:
    chunks: int = 0
    unique: int = 0
    """Distinct texts (identical sentences are synthesized once)."""
    cached: int = 0
    engine_calls: int = 0
    keys: dict[Chunk, str] = field(default_factory=dict)
    """The cache key of every chunk, for the assembly stage to read the audio back."""


def plan(chunks: Sequence[Chunk], engine: Engine, voice: VoiceSettings) -> dict[Chunk, str]:
    version = engine.version
    return {chunk: chunk_key(engine.id, version, voice, chunk.text) for chunk in chunks}


async def _fill(
    todo: list[tuple[str, Chunk]],
    engine: Engine,
    voice: VoiceSettings,
    cache: ChunkCache,
    jobs: int,
    progress: Progress,
    describe: Callable[[Chunk], str],
) -> int:
    """Synthesize what the cache lacks. On the first chunk that fails for good, start nothing new,
    let the requests in flight finish (their audio is cached: a re-run only does what is missing)."""
    queue: asyncio.Queue[tuple[str, Chunk]] = asyncio.Queue()
    for item in todo:
        queue.put_nowait(item)
    failures: list[tuple[Chunk, EngineError]] = []
    calls = 0

    async def worker() -> None:
        nonlocal calls
        while not failures:
            try:
                key, chunk = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            calls += 1
            try:
                speech = await engine.synthesize(chunk.text, voice)
            except EngineError as err:
                failures.append((chunk, err))
                return
            # The cache write is quick local I/O; keeping it on the loop keeps the order simple.
            cache.put(key, speech)
            progress.advance()

    await asyncio.gather(*(worker() for _ in range(min(jobs, len(todo)) or 1)))
    if failures:
        chunk, err = failures[0]
        raise EngineError(
            f"{describe(chunk)} could not be synthesized ({err}); everything finished so far is cached, "
            "so run the same command again when the service is back, or add --engine espeak to render offline."
        )
    return calls


def synthesize(
    chunks: Sequence[Chunk],
    engine: Engine,
    voice: VoiceSettings,
    cache: ChunkCache,
    *,
    jobs: int = 4,
    progress: Progress | None = None,
    describe: Callable[[Chunk], str] = lambda c: f"Section {c.section + 1}, sentence {c.sentence + 1}",
) -> SynthesisReport:
    """Make sure every chunk's audio is in the cache; return their keys and what it cost."""
    keys = plan(chunks, engine, voice)
    first: dict[str, Chunk] = {}
    for chunk, key in keys.items():
        first.setdefault(key, chunk)
    todo = [(key, chunk) for key, chunk in first.items() if key not in cache]
    report = SynthesisReport(chunks=len(chunks), unique=len(first), cached=len(first) - len(todo), keys=keys)
    if todo:
        progress = progress or NoProgress()
        progress.start(len(todo))
        try:
            report.engine_calls = aio.run(_fill(todo, engine, voice, cache, jobs, progress, describe))
        finally:
            progress.close()
    return report
