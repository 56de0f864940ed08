"""Engine answers as samples: decoding what an engine returned, and cutting one answer into pieces.

Decoding runs in-process through soundfile (libsndfile reads MP3, WAV and FLAC from memory): one
ffmpeg process per chunk costs about 40 ms. It lives in the speech stage because an engine that reads
several chunks in one request (Edge) must cut its answer back into chunks before they are cached.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

import numpy as np
import soundfile

from .engines import Speech

__all__ = ["cut", "decode_samples"]


class _HelperThread:
    """Runs calls on one daemon thread and waits for each.

    soundfile reads memory through Python callbacks, and cffi prints and swallows any exception raised
    in one: a Ctrl-C landing there would be lost (with a traceback on screen). Decoding here keeps
    KeyboardInterrupt on the caller's thread, raised while it waits. Not a ThreadPoolExecutor: a Ctrl-C
    while it starts a worker can leave that worker unknown to its exit hook, and the process hangs at
    exit waiting for it; a daemon thread never holds up exit.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._calls: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = queue.SimpleQueue()
        self._started = threading.Lock()
        self._thread: threading.Thread | None = None

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with self._started:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name=self._name, daemon=True)
                self._thread.start()
        done: Future[Any] = Future()
        self._calls.put((done, fn, args, kwargs))
        return done.result()

    def _serve(self) -> None:
        while True:
            done, fn, args, kwargs = self._calls.get()
            try:
                done.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # handed to the caller, who raises it
                done.set_exception(exc)


_DECODER = _HelperThread("speechcast-decode")


SPEECH_RATES = (8000, 96000)
"""The sample rates an engine's speech may have (Hz), lowest and highest."""


def decode_samples(speech: Speech) -> tuple[np.ndarray, int]:
    """Decode an engine's audio to mono int16 samples and their sample rate.

    Raises ValueError when the bytes are not audio soundfile can read, or hold no samples: the cache
    treats that as a damaged entry and synthesizes the chunk again.
    """
    try:
        data, rate = _DECODER.run(soundfile.read, io.BytesIO(speech.data), dtype="int16", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError, EOFError) as exc:
        raise ValueError(f"cannot decode {speech.format} audio of {len(speech.data)} bytes: {exc}") from exc
    if data.shape[0] == 0:
        raise ValueError(f"the {speech.format} audio holds no samples")
    if not SPEECH_RATES[0] <= rate <= SPEECH_RATES[1] or data.shape[1] > 2:
        # A header no engine writes (7 channels at 1 Hz) would make minutes of noise of a sentence.
        raise ValueError(f"the {speech.format} audio claims {data.shape[1]} channels at {rate} Hz: no engine speaks so")
    if data.shape[1] > 1:
        data = data.mean(axis=1).round().astype(np.int16)
    return data.reshape(-1), rate


def cut(speech: Speech, seconds: Sequence[float]) -> list[Speech]:
    """`speech` cut at the given times (ascending, inside it) into len(seconds) + 1 pieces, as FLAC.

    Lossless: the pieces hold exactly the decoded samples, in order. Re-encoding them to MP3 would
    add a second generation of loss, and cutting the MP3 itself at frame boundaries would break the
    bit reservoir a real encoder leaves between frames.
    """
    pcm, rate = decode_samples(speech)
    bounds = [0, *(round(t * rate) for t in seconds), pcm.size]
    if any(a >= b for a, b in zip(bounds, bounds[1:])):
        raise ValueError(f"cut times {list(seconds)} do not fall inside {pcm.size / rate:.3f} s of audio")
    pieces = []
    for start, end in zip(bounds, bounds[1:]):
        out = io.BytesIO()
        soundfile.write(out, pcm[start:end], rate, format="FLAC", subtype="PCM_16")
        pieces.append(Speech(out.getvalue(), "flac"))
    return pieces
