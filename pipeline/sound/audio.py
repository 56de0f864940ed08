"""Clips as pydub segments: what an engine returned, decoded, and trimmed of its own silence.

pydub only holds the PCM here: its `from_file` needs ffmpeg and ffprobe, which speechcast does
without (decoding is the speech stage's, in soundfile). Every clip is trimmed before our own pauses
are added, so the pauses are the only silence between sentences.
"""

from __future__ import annotations

import warnings

import numpy as np

with warnings.catch_warnings():
    # pydub warns at import when no ffmpeg is installed: it is needed only for files, not held PCM.
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment

from ..speech.engines import Speech
from ..speech.pcm import decode_samples

__all__ = ["AudioSegment", "decode", "samples", "segment", "trim"]

SAMPLE_WIDTH = 2
"""Every clip is 16-bit mono from here on."""


def segment(pcm: np.ndarray | bytes, sample_rate: int) -> AudioSegment:
    """A mono 16-bit AudioSegment over int16 samples (or their raw bytes)."""
    data = pcm if isinstance(pcm, bytes) else np.ascontiguousarray(pcm, dtype=np.int16).tobytes()
    return AudioSegment(data=data, sample_width=SAMPLE_WIDTH, frame_rate=sample_rate, channels=1)


def samples(seg: AudioSegment) -> np.ndarray:
    """The int16 samples of a mono 16-bit segment, without copying."""
    return np.frombuffer(seg.raw_data, dtype=np.int16)


def decode(speech: Speech) -> AudioSegment:
    """Decode an engine's audio to mono 16-bit PCM at its own sample rate.

    Raises ValueError when the bytes are not audio soundfile can read, or hold no samples: the cache
    treats that as a damaged entry and synthesizes the chunk again.
    """
    return segment(*decode_samples(speech))


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
