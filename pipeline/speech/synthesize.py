"""Chunks → cached engine audio: bounded concurrency, the cache first, clear failures."""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from .. import aio
from ..errors import Cancelled, EngineError, SpeechcastError
from ..model import Chunk
from ..settings import VoiceSettings
from .cache import ChunkCache, chunk_key
from .engines import Engine, Speech

T = TypeVar("T")


class Progress(Protocol):
    """Told how many chunks the engine must speak (`cached` more are in the cache already), then of
    each request answered (`advance` by its chunks), then that synthesis is over.

    `writing()` gives the count of the next phase, laying out, measuring and encoding the audio
    (it runs alongside synthesis, taking each chunk once it is spoken): its `start` gives the total
    work in shares, `advance` the shares done, `close` says the files are written."""

    def start(self, total: int, cached: int = 0) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def close(self) -> None: ...
    def writing(self) -> Progress: ...


class NoProgress:
    def start(self, total: int, cached: int = 0) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass

    def writing(self) -> Progress:
        return self


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
    return {chunk: chunk_key(engine.id, version, voice, chunk.spoken) for chunk in chunks}


Batch = list[tuple[str, Chunk]]
"""Chunks (with their cache keys) that go to the engine in one request."""


def batches(todo: Sequence[tuple[str, Chunk]], engine: Engine, jobs: int) -> list[Batch]:
    """`todo` in order, cut into requests of at most `engine.request_chars` characters.

    The requests are made about equal in size, and as many as a multiple of `jobs`, so that all
    connections finish together instead of one working alone on the last long request.
    """
    limit = engine.request_chars
    if limit <= 0 or len(todo) < 2:
        return [[item] for item in todo]
    total = sum(len(chunk.spoken) for _, chunk in todo)
    count = math.ceil(math.ceil(total / limit) / jobs) * jobs
    target = total / count
    out: list[Batch] = []
    size = done = 0
    slot = -1
    for item in todo:
        length = len(item[1].spoken)
        # A chunk belongs to the request its middle falls in, when the text is laid out in
        # `count` equal stretches.
        here = int((done + length / 2) // target)
        if here == slot and size + length <= limit:
            out[-1].append(item)
            size += length
        else:
            out.append([item])
            size = length
        slot = here
        done += length
    return out


class Synthesis:
    """Synthesizes what the cache lacks on a thread of its own, in manuscript order, so the
    assembly of the first sections can start while later ones are still being spoken.

    On the first chunk that fails for good it starts nothing new and lets the requests in flight
    finish (their audio is cached: a re-run only does what is missing).
    """

    def __init__(
        self,
        chunks: Sequence[Chunk],
        engine: Engine,
        voice: VoiceSettings,
        cache: ChunkCache,
        *,
        jobs: int = 4,
        progress: Progress | None = None,
        describe: Callable[[Chunk], str] = lambda c: f"Section {c.section + 1}, sentence {c.sentence + 1}",
    ) -> None:
        self.engine, self.voice, self.cache, self.jobs, self.describe = engine, voice, cache, jobs, describe
        self.progress = progress or NoProgress()
        keys = plan(chunks, engine, voice)
        first: dict[str, Chunk] = {}
        for chunk, key in keys.items():
            first.setdefault(key, chunk)
        self.todo = [(key, chunk) for key, chunk in first.items() if key not in cache]
        self.report = SynthesisReport(chunks=len(chunks), unique=len(first), cached=len(first) - len(self.todo), keys=keys)
        self._ready = {key: threading.Event() for key, _ in self.todo}
        self._failure: SpeechcastError | None = None
        self._stop = threading.Event()
        self._running: tuple[asyncio.AbstractEventLoop | None, asyncio.Task[None] | None] = (None, None)
        self._thread = threading.Thread(target=self._run, name="speechcast-synthesis", daemon=True)

    def start(self) -> Synthesis:
        self.progress.start(len(self.todo), self.report.cached)
        if self.todo:
            self._thread.start()
        else:
            self.progress.close()
        return self

    def wait(self, key: str, cancel: threading.Event | None = None) -> None:
        """Block until the audio of `key` is in the cache; raise the run's failure if it never will
        be, and Cancelled as soon as `cancel` is set."""
        ready = self._ready.get(key)
        if ready is not None:
            while not ready.wait(0.05 if cancel else None):
                if cancel is not None and cancel.is_set():
                    break
        if cancel is not None and cancel.is_set():
            raise Cancelled("The render was cancelled: nothing was written; finished chunks are cached.")
        if self._failure is not None and (ready is None or not self.cache.get(key)):
            raise self._failure

    def audio(self, chunk: Chunk, use: Callable[[Speech], T], cancel: threading.Event | None = None) -> T:
        """The chunk's audio once it is spoken, through `use` (a decoder, a check): from the cache, or
        spoken here when the cache has lost it. Audio `use` refuses with ValueError (a damaged cache
        entry) is thrown away and spoken again; refused twice, it is an EngineError naming the chunk."""
        key = self.report.keys[chunk]
        self.wait(key, cancel)
        for _ in range(2):
            speech = self.cache.get(key)
            if speech is not None:
                try:
                    return use(speech)
                except ValueError:
                    self.cache.discard(key)  # damaged audio: speak it again rather than play garbage
                    self.report.cached = max(self.report.cached - 1, 0)  # and do not count it as read from the cache
            self.cache.put(key, aio.run(self.engine.synthesize(chunk.spoken, self.voice)))
            self.report.engine_calls += 1
        raise EngineError("{where} gave audio that cannot be decoded, twice: try another voice or engine.", where=self.describe(chunk))

    def finish(self) -> SynthesisReport:
        """Wait for the whole run (raising its failure); afterwards every chunk is in the cache."""
        if self._thread.is_alive():
            self._thread.join()
        if self._failure is not None:
            raise self._failure
        return self.report

    def cancel(self) -> None:
        """Stop now, abandoning the requests in flight (a shared request can take seconds); what
        finished is cached."""
        self._stop.set()
        loop, task = self._running
        if loop is not None and task is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already finished
                loop.call_soon_threadsafe(task.cancel)
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        try:
            aio.run(self._fill())
        except BaseException as err:
            self._failure = err if isinstance(err, SpeechcastError) else EngineError("Synthesis stopped: {err}", err=err)
        finally:
            self.progress.close()
            for ready in self._ready.values():
                ready.set()  # waiters wake and see the failure

    async def _fill(self) -> None:
        self._running = (asyncio.get_running_loop(), asyncio.current_task())
        queue = deque(batches(self.todo, self.engine, self.jobs))
        failures: list[tuple[Chunk, EngineError]] = []

        async def worker() -> None:
            while queue and not failures and not self._stop.is_set():
                batch = queue.popleft()
                self.report.engine_calls += 1
                try:
                    speeches = await self.engine.synthesize_many([chunk.spoken for _, chunk in batch], self.voice)
                except EngineError as err:
                    if len(batch) == 1:
                        failures.append((batch[0][1], err))
                        return
                    # Ask for each chunk alone: the failure then names the very sentence, and
                    # the others are saved.
                    queue.extendleft([item] for item in reversed(batch))
                    continue
                # The cache write is quick local I/O; keeping it on the loop keeps the order simple.
                for (key, _), speech in zip(batch, speeches, strict=True):
                    self.cache.put(key, speech)
                    self._ready[key].set()
                self.progress.advance(len(batch))

        await asyncio.gather(*(worker() for _ in range(min(self.jobs, len(self.todo)) or 1)))
        if failures:
            chunk, err = failures[0]
            raise EngineError(
                "{describe} could not be synthesized. {err} Everything finished so far is cached, so the next run only does the rest.",
                describe=self.describe(chunk),
                err=err,
            )


def synthesize(chunks: Sequence[Chunk], engine: Engine, voice: VoiceSettings, cache: ChunkCache, **options: Any) -> SynthesisReport:
    """Make sure every chunk's audio is in the cache (options as Synthesis takes them); return
    their keys and what it cost."""
    return Synthesis(chunks, engine, voice, cache, **options).start().finish()
