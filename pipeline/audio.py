"""Decode what an engine returned into PCM, and trim it (DESIGN.md §7).

Decoding runs in-process through soundfile (libsndfile reads MP3, WAV and FLAC from memory): one
ffmpeg process per chunk costs about 40 ms, and pydub's `from_file` needs ffmpeg and ffprobe, which
speechcast does without (pydub only holds the PCM here).
"""

from __future__ import annotations

import io
import queue
import threading
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

import numpy as np
import soundfile

with warnings.catch_warnings():
    # pydub warns at import when no ffmpeg is installed: it is needed only for files, not held PCM.
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment

from .engines import Speech

__all__ = ["AudioSegment", "cut", "decode", "samples", "segment", "trim"]

SAMPLE_WIDTH = 2
"""Every clip is 16-bit mono from here on."""


def segment(pcm: np.ndarray | bytes, sample_rate: int) -> AudioSegment:
    """A mono 16-bit AudioSegment over int16 samples (or their raw bytes)."""
    data = pcm if isinstance(pcm, bytes) else np.ascontiguousarray(pcm, dtype=np.int16).tobytes()
    return AudioSegment(data=data, sample_width=SAMPLE_WIDTH, frame_rate=sample_rate, channels=1)


def samples(seg: AudioSegment) -> np.ndarray:
    """The int16 samples of a mono 16-bit segment, without copying."""
    return np.frombuffer(seg.raw_data, dtype=np.int16)


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
        self._calls: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = (
            queue.SimpleQueue()
        )
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


def decode(speech: Speech) -> AudioSegment:
    """Decode an engine's audio to mono 16-bit PCM at its own sample rate.

    Raises ValueError when the bytes are not audio soundfile can read, or hold no samples: the cache
    treats that as a damaged entry and synthesizes the chunk again.
    """
    try:
        data, rate = _DECODER.run(soundfile.read, io.BytesIO(speech.data), dtype="int16", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError, EOFError) as exc:
        raise ValueError(f"cannot decode {speech.format} audio of {len(speech.data)} bytes: {exc}") from exc
    if data.shape[0] == 0:
        raise ValueError(f"the {speech.format} audio holds no samples")
    if data.shape[1] > 1:
        data = data.mean(axis=1).round().astype(np.int16)
    return segment(data.reshape(-1), rate)


def cut(speech: Speech, seconds: Sequence[float]) -> list[Speech]:
    """`speech` cut at the given times (ascending, inside it) into len(seconds) + 1 pieces, as FLAC.

    Lossless: the pieces hold exactly the decoded samples, in order. Re-encoding them to MP3 would
    add a second generation of loss, and cutting the MP3 itself at frame boundaries would break the
    bit reservoir a real encoder leaves between frames.
    """
    seg = decode(speech)
    pcm = samples(seg)
    bounds = [0, *(round(t * seg.frame_rate) for t in seconds), pcm.size]
    if any(a >= b for a, b in zip(bounds, bounds[1:])):
        raise ValueError(f"cut times {list(seconds)} do not fall inside {pcm.size / seg.frame_rate:.3f} s of audio")
    pieces = []
    for start, end in zip(bounds, bounds[1:]):
        out = io.BytesIO()
        soundfile.write(out, pcm[start:end], seg.frame_rate, format="FLAC", subtype="PCM_16")
        pieces.append(Speech(out.getvalue(), "flac"))
    return pieces


def trim(seg: AudioSegment, threshold_db: float = -50.0, margin_ms: int = 25) -> AudioSegment:
    """Cut leading and trailing silence, keeping `margin_ms` either side so soft consonants stay.

    A clip that is silent throughout is returned whole: it still stands for a chunk, and a chunk's
    subtitle must not shrink to nothing.
    """
    seg = seg.set_channels(1).set_sample_width(SAMPLE_WIDTH)
    pcm = samples(seg)
    threshold = 32768.0 * 10.0 ** (threshold_db / 20.0)
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > threshold)
    if loud.size == 0:
        return seg
    margin = round(margin_ms * seg.frame_rate / 1000)
    first = max(int(loud[0]) - margin, 0)
    last = min(int(loud[-1]) + 1 + margin, pcm.size)
    if first == 0 and last == pcm.size:
        return seg
    return seg._spawn(seg.raw_data[first * SAMPLE_WIDTH : last * SAMPLE_WIDTH])
