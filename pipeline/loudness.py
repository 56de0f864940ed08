"""Bring audio to a loudness target with a true-peak ceiling (DESIGN.md §7: −16 LUFS, −1.5 dBTP).

Measurement is ITU-R BS.1770 as pyloudnorm defines it (its K-weighting filters, 400 ms blocks with
75 % overlap, absolute and relative gates), but fed block by block so an hour-long track never has
to exist as one float array. Peaks above the ceiling after the gain are caught by a look-ahead gain
envelope computed from 4× oversampled (true) peaks, which only needs to be evaluated where the
sample peak comes near the ceiling.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import resample_poly, sosfilt

from .audio import AudioSegment, samples, segment

WINDOW_S = 0.005
"""Resolution of the peak limiter's gain envelope."""
HOLD_WINDOWS = 2
"""The envelope ramps over this many windows on each side of a peak (40 ms: no audible pumping)."""
ENCODER_HEADROOM_DB = 0.5
"""The limiter aims this far below the ceiling: MP3 encoding adds a little overshoot of its own."""
INTERSAMPLE_DB = 4.0
"""Windows whose sample peak is this far under the ceiling cannot have a true peak over it."""
OVERSAMPLE = 4
BATCH_SAMPLES = 1 << 20
CONTEXT = 16
"""Samples of context either side when oversampling part of a signal (resample_poly's filter
reaches 10 input samples for a 4× rate change)."""
MAX_PASSES = 6
TOLERANCE_LU = 0.05
MAX_BOOST_DB = 12.0
"""How far the gain may rise above the plain one to make up for limited peaks."""
ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
FULL_SCALE = 32768.0


def _k_weighting(sample_rate: int) -> np.ndarray:
    """The two BS.1770 pre-filters, exactly as pyloudnorm's "K-weighting" meter builds them."""
    stages = (
        pyloudnorm.IIRfilter(4.0, 1 / math.sqrt(2), 1500.0, sample_rate, "high_shelf"),
        pyloudnorm.IIRfilter(0.0, 0.5, 38.0, sample_rate, "high_pass"),
    )
    return np.array([np.r_[s.b * s.passband_gain, s.a] for s in stages], dtype=np.float32)


class _Framer:
    """Cuts a stream into frames of `size` samples and reduces each frame to one number."""

    def __init__(self, size: int, reduce: Callable[[np.ndarray], np.ndarray]) -> None:
        self.size = size
        self.reduce = reduce
        self.rest = np.zeros(0, dtype=np.float32)
        self.values: list[np.ndarray] = []

    def feed(self, x: np.ndarray) -> None:
        x = np.concatenate((self.rest, x)) if self.rest.size else x
        whole = x.size - x.size % self.size
        if whole:
            self.values.append(self.reduce(x[:whole].reshape(-1, self.size)))
        self.rest = x[whole:]

    def result(self, partial: bool) -> np.ndarray:
        """Every frame's value; with `partial`, the short frame at the end counts too."""
        values = list(self.values)
        if partial and self.rest.size:
            values.append(self.reduce(self.rest.reshape(1, -1)))
        return np.concatenate(values) if values else np.zeros(0)


@dataclass(frozen=True)
class Measurement:
    sample_rate: int
    length: int
    powers: np.ndarray
    """Mean square of the K-weighted signal in every `sub_block` samples (100 ms)."""
    sub_block: int
    peaks: np.ndarray
    """Sample peak (0..1 of full scale) of every `window` samples (10 ms)."""
    energy: np.ndarray
    """Mean square of every `window` samples: where in a sub-block its power lies."""
    window: int

    @property
    def integrated(self) -> float:
        """Integrated loudness in LUFS; -inf when nothing passes the gates (silence, under 0.4 s)."""
        return _gated(self.powers)


class Meter:
    """Streaming BS.1770 integrated loudness plus per-window sample peaks of int16 mono audio."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.length = 0
        self.window = max(round(sample_rate * WINDOW_S), 1)
        self._sos = _k_weighting(sample_rate)
        self._state = np.zeros((self._sos.shape[0], 2), dtype=np.float32)
        # 100 ms sub-blocks: a 400 ms gating block at 75 % overlap is the mean of four of them.
        self._power = _Framer(round(sample_rate / 10), _mean_square)
        self._peaks = _Framer(self.window, lambda f: np.max(np.abs(f), axis=1))
        self._energy = _Framer(self.window, _mean_square)

    def feed(self, pcm: np.ndarray) -> None:
        x = pcm.astype(np.float32) / FULL_SCALE
        weighted, self._state = sosfilt(self._sos, x, zi=self._state)
        self._power.feed(weighted.astype(np.float32))
        self._peaks.feed(x)
        self._energy.feed(x)
        self.length += pcm.size

    def result(self) -> Measurement:
        return Measurement(
            self.sample_rate, self.length, self._power.result(partial=False), self._power.size,
            self._peaks.result(partial=True).astype(np.float32), self._energy.result(partial=True).astype(np.float32), self.window,
        )


def _mean_square(frames: np.ndarray) -> np.ndarray:
    return np.mean(np.square(frames, dtype=np.float64), axis=1)


def _gated(sub_powers: np.ndarray) -> float:
    if sub_powers.size < 4:
        return -math.inf
    blocks = np.convolve(sub_powers, np.full(4, 0.25), mode="valid")
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10 * np.log10(blocks)
    passed = blocks[levels >= ABSOLUTE_GATE]
    if passed.size == 0:
        return -math.inf
    relative = -0.691 + 10 * math.log10(passed.mean()) + RELATIVE_GATE
    passed = blocks[(levels >= ABSOLUTE_GATE) & (levels > relative)]
    return -0.691 + 10 * math.log10(passed.mean())


def measure(blocks: Iterable[np.ndarray], sample_rate: int) -> Measurement:
    """Measure int16 mono audio handed over in consecutive blocks."""
    meter = Meter(sample_rate)
    for block in blocks:
        meter.feed(block)
    return meter.result()


def oversampled(x: np.ndarray) -> np.ndarray:
    """|x| at 4× the rate (0..1 of full scale): its maximum is the true peak (BS.1770 annex 2)."""
    return np.abs(resample_poly(x.astype(np.float32) / FULL_SCALE, OVERSAMPLE, 1))


@dataclass(frozen=True)
class GainPlan:
    """What to multiply each sample by: a constant gain, and a limiter envelope where peaks need it."""

    gain: float
    window: int
    envelope: np.ndarray | None
    """Per-window factor ≤ 1 (None: no window needs limiting)."""

    def apply(self, pcm: np.ndarray, start: int) -> np.ndarray:
        """The int16 samples of `pcm`, which begins `start` samples into the measured audio."""
        y = pcm.astype(np.float32) * np.float32(self.gain)
        if self.envelope is not None:
            # One window either side, so the interpolation runs on across block boundaries.
            first = max(start // self.window - 1, 0)
            last = (start + pcm.size - 1) // self.window + 2
            env = self.envelope[first:last]
            if env.size and env.min() < 1.0:
                centres = (np.arange(first, first + env.size) + 0.5) * self.window
                y *= np.interp(np.arange(start, start + pcm.size), centres, env).astype(np.float32)
        return np.clip(np.rint(y), -FULL_SCALE, FULL_SCALE - 1).astype(np.int16)


def plan(
    m: Measurement,
    read: Callable[[int, int], np.ndarray],
    target_lufs: float = -16.0,
    true_peak_db: float = -1.5,
) -> GainPlan:
    """The gain that brings `m` to `target_lufs`, limited so no true peak passes `true_peak_db`.

    Limiting lowers the loudness a little, so the gain is raised and the limit recomputed until the
    estimate lands on the target (or the boost cap is reached: the ceiling always wins).
    `read(start, count)` returns samples of the measured audio (clipped to its length); it is called
    only around windows whose peaks come near the ceiling.
    """
    if not math.isfinite(m.integrated):
        return GainPlan(1.0, m.window, _Limiter(m, read, true_peak_db).envelope(1.0))
    nominal = 10 ** ((target_lufs - m.integrated) / 20)
    limiter = _Limiter(m, read, true_peak_db)
    gain = nominal
    for _ in range(MAX_PASSES):
        envelope = limiter.envelope(gain)
        if envelope is None:
            break
        miss = target_lufs - _gated(m.powers * gain**2 * limiter.power_kept(envelope))
        better = min(gain * 10 ** (miss / 20), nominal * 10 ** (MAX_BOOST_DB / 20))
        if abs(miss) < TOLERANCE_LU or better <= gain:
            break
        gain = better
    else:
        envelope = limiter.envelope(gain)
    return GainPlan(gain, m.window, envelope)


class _Limiter:
    """True peaks per window, oversampled lazily where a gain brings them near the ceiling."""

    def __init__(self, m: Measurement, read: Callable[[int, int], np.ndarray], true_peak_db: float) -> None:
        self.m = m
        self.read = read
        self.ceiling = 10 ** ((true_peak_db - ENCODER_HEADROOM_DB) / 20)
        self.peaks = m.peaks.copy()
        self.exact = np.zeros(self.peaks.size, dtype=bool)
        centres = np.arange(self.peaks.size) * m.window + m.window // 2
        self.sub_of_window = np.minimum(centres // m.sub_block, max(m.powers.size - 1, 0)).astype(np.int32)

    def _refine(self, gain: float) -> None:
        m = self.m
        near = np.flatnonzero(~self.exact & (self.peaks * gain > self.ceiling * 10 ** (-INTERSAMPLE_DB / 20)))
        self.exact[near] = True
        # Runs with their context are oversampled together (one filter design, few calls); the
        # context keeps each run's filter from reaching into its neighbour's samples.
        batch: list[tuple[int, int, np.ndarray]] = []
        size = 0
        for first, last in _runs(near):
            lo = max(first * m.window - CONTEXT, 0)
            samples = self.read(lo, min((last + 1) * m.window + CONTEXT, m.length) - lo)
            batch.append((first, last, samples))
            size += samples.size
            if size >= BATCH_SAMPLES:
                self._oversample(batch)
                batch, size = [], 0
        if batch:
            self._oversample(batch)

    def _oversample(self, batch: list[tuple[int, int, np.ndarray]]) -> None:
        w = self.m.window
        up = oversampled(np.concatenate([samples for _, _, samples in batch]))
        offset = 0
        for first, last, samples in batch:
            lo = max(first * w - CONTEXT, 0)
            own = up[offset : offset + OVERSAMPLE * (min((last + 1) * w, self.m.length) - lo)]
            edges = OVERSAMPLE * (np.arange(first, last + 1) * w - lo)
            self.peaks[first : last + 1] = np.maximum(self.peaks[first : last + 1], np.maximum.reduceat(own, edges))
            offset += OVERSAMPLE * samples.size

    def envelope(self, gain: float) -> np.ndarray | None:
        """Per-window factor keeping `gain` × signal under the ceiling (None: nothing to limit)."""
        self._refine(gain)
        needed = np.minimum(1.0, self.ceiling / np.maximum(self.peaks * gain, 1e-12))
        if needed.size == 0 or needed.min() >= 1.0:
            return None
        # A minimum over ±(H+1) windows, then a mean over ±H: smooth, and never above what any window
        # that a sample's interpolation touches requires.
        held = minimum_filter1d(needed, size=2 * HOLD_WINDOWS + 3, mode="nearest")
        return uniform_filter1d(held, size=2 * HOLD_WINDOWS + 1, mode="nearest").astype(np.float32)

    def power_kept(self, envelope: np.ndarray) -> np.ndarray:
        """The share of each 100 ms sub-block's power left after `envelope` (power-weighted)."""
        n, energy = self.m.powers.size, self.m.energy
        kept = np.bincount(self.sub_of_window, weights=energy * envelope.astype(np.float64) ** 2, minlength=n)[:n]
        total = np.bincount(self.sub_of_window, weights=energy, minlength=n)[:n]
        return np.where(total > 0, kept / np.where(total > 0, total, 1.0), 1.0)


def _runs(indices: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive runs [(first, last), ...] in sorted window indices."""
    if indices.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(indices) > 1)
    starts = np.r_[indices[0], indices[breaks + 1]]
    ends = np.r_[indices[breaks], indices[-1]]
    return list(zip(starts.tolist(), ends.tolist()))


def normalize(seg: AudioSegment, target_lufs: float = -16.0, true_peak_db: float = -1.5) -> AudioSegment:
    """`seg` (mono 16-bit) at `target_lufs` with true peaks under `true_peak_db`.

    Silence and audio too short to measure keep their level; only their peaks are limited.
    """
    pcm = samples(seg)
    m = measure([pcm], seg.frame_rate)
    p = plan(m, lambda start, count: pcm[start : start + count], target_lufs, true_peak_db)
    return segment(p.apply(pcm, 0), seg.frame_rate)


def integrated_loudness(seg: AudioSegment) -> float:
    return measure([samples(seg)], seg.frame_rate).integrated
