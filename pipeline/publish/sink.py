"""What every encoder of the whole speech shares: PCM handed over block by block from the render's
thread to an encoding thread of the sink's own (through a hand-off either side can give up on, so a
cancel never leaves a thread blocked), a file under a temporary name beside its final one until the
render commits it, and one way to fail (`OutputError`, the partial file gone).

A sink says how it encodes (`_consume`, on its thread), how it completes the file (`_complete`) and
what it must stop or release when aborted (`_stop`). The MP3 and the M4B writers are the two.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import numpy as np

from ..errors import OutputError
from .handoff import Handoff
from .staging import temp_name
from .tags import Chapter

_Sink = TypeVar("_Sink", bound="AudioSink")


class AudioSink(ABC):
    QUEUE_BLOCKS = 4

    def __init__(self, path: Path, sample_rate: int) -> None:
        self.path, self.temp, self.sample_rate = path, temp_name(path), sample_rate
        self.samples = 0
        self._queue: Handoff[np.ndarray] = Handoff(self.QUEUE_BLOCKS)
        self._failed: BaseException | None = None
        self._finished = False
        self._aborting = threading.Lock()
        self._thread: threading.Thread | None = None

    def _start(self, name: str) -> None:
        self._thread = threading.Thread(target=self._run, name=f"{name}:{self.path.name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._consume(self._queue)
        except Exception as exc:
            self._failed = exc
            self._queue.abort()  # give up the hand-off, so write() never blocks

    @abstractmethod
    def _consume(self, queue: Handoff[np.ndarray]) -> None:
        """Encode every block the queue gives until it ends (None); on the sink's own thread."""

    @abstractmethod
    def _complete(self, chapters: Sequence[Chapter], cover: bytes | None) -> None:
        """Make the encoded temporary file whole (headers, chapters, cover)."""

    def _stop(self) -> None:  # noqa: B027 - a hook: most sinks have nothing to stop
        """Stop what encodes, at once (called under the abort lock, before the thread is joined)."""

    def _release(self) -> None:  # noqa: B027 - a hook: most sinks hold nothing more
        """Let go of what the encoder held (after the thread is joined)."""

    def write(self, pcm: bytes | np.ndarray) -> None:
        if self._failed is not None:
            self._raise()
        block = np.frombuffer(pcm, dtype=np.int16) if isinstance(pcm, bytes) else np.ascontiguousarray(pcm, dtype=np.int16)
        self.samples += block.size
        if not self._queue.put(block):  # aborted, or the encoder failed meanwhile
            self._failed = self._failed or OSError("the encoder was stopped")
            self._raise()

    def finish(self, chapters: Sequence[Chapter] = (), cover: bytes | None = None) -> Path:
        """Wait for the encoder and complete the file, which stays under its temporary name (returned)."""
        self._queue.end()
        self._join()
        if self._failed is not None:
            self._raise()
        try:
            self._complete(chapters, cover)
        except Exception as exc:
            self._failed = exc
            self._raise()
        self._finished = True
        return self.temp

    def abort(self) -> None:
        """Stop and delete the partial file; safe to call from two threads at once (a cancel, and
        the encoding thread that then finds the hand-off given up)."""
        self._failed = self._failed or OSError("aborted")
        self._queue.abort()  # wakes the encoder and any thread still writing, at once
        with self._aborting:
            self._stop()
            self._join()
            self._release()
            self.temp.unlink(missing_ok=True)

    def __enter__(self: _Sink) -> _Sink:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is not None or not self._finished:
            self.abort()

    def _join(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def _reason(self) -> str:
        return getattr(self._failed, "strerror", None) or str(self._failed)

    def _raise(self) -> None:
        reason = self._reason()
        self.abort()
        raise OutputError("Encoding {name} failed ({reason}); check the output folder has space and is writable.", name=self.path.name, reason=reason)
