"""Bring audio to a loudness target with a true-peak ceiling (−16 LUFS, −1.5 dBTP: the podcast norm).

Measurement is ITU-R BS.1770 as pyloudnorm defines it (its K-weighting filters, 400 ms blocks with
75 % overlap, absolute and relative gates), but fed block by block so an hour-long track never has
to exist as one float array. Peaks above the ceiling after the gain are caught by a look-ahead gain
envelope computed from 4× oversampled (true) peaks, which only needs to be evaluated where the
sample peak comes near the ceiling.

Only numpy: importing scipy.signal took most of a second of every render. Both filters run as FIRs
through numpy's FFT: the K-weighting IIR's impulse response (cut where it has decayed below float
precision) and the same Kaiser-windowed sinc that scipy's resample_poly designs for 4× oversampling.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

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
CONTEXT_TAPS = 10
"""How far the 4× interpolator reaches either side, in original samples."""
CONTEXT = 16
"""Samples of context either side when oversampling part of a signal (more than CONTEXT_TAPS)."""
MAX_PASSES = 6
TOLERANCE_LU = 0.05
MAX_BOOST_DB = 12.0
"""How far the gain may rise above the plain one to make up for limited peaks."""
ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
FULL_SCALE = 32768.0


FFT_SIZE = 1 << 15
"""Of the FIR convolutions: the fastest size here for 22–48 kHz, with every segment of a block
transformed in one numpy call."""
CALL_SAMPLES = 1 << 20
"""Samples filtered per numpy call: bounds the memory one call takes (about 20 MB with 4 filters)."""
KWEIGHT_PRECISION = 1e-9
"""The K-weighting impulse response is cut where what is left of it sums to less than this."""
KWEIGHT_MAX_TAPS = 1 << 13
"""Enough up to 96 kHz (about 4,800 taps are needed at 48 kHz)."""


def _biquad_response(b: tuple[float, float, float], a: tuple[float, float, float], x: list[float]) -> list[float]:
    y: list[float] = []
    x1 = x2 = y1 = y2 = 0.0
    for x0 in x:
        y0 = (b[0] * x0 + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2) / a[0]
        y.append(y0)
        x1, x2, y1, y2 = x0, x1, y0, y1
    return y


@functools.cache
def _k_weighting(sample_rate: int) -> np.ndarray:
    """The impulse response of the two BS.1770 pre-filters, the biquads pyloudnorm's "K-weighting"
    meter builds from the Audio EQ Cookbook: a +4 dB high shelf at 1500 Hz (Q 1/√2), then a high
    pass at 38 Hz (Q 0.5)."""
    w = 2 * math.pi * 1500.0 / sample_rate
    gain, alpha, cos = 10 ** (4.0 / 40), math.sin(w) / (2 / math.sqrt(2)), math.cos(w)
    lift = 2 * math.sqrt(gain) * alpha
    shelf = (
        (gain * ((gain + 1) + (gain - 1) * cos + lift), -2 * gain * ((gain - 1) + (gain + 1) * cos), gain * ((gain + 1) + (gain - 1) * cos - lift)),
        ((gain + 1) - (gain - 1) * cos + lift, 2 * ((gain - 1) - (gain + 1) * cos), (gain + 1) - (gain - 1) * cos - lift),
    )  # fmt: skip
    w = 2 * math.pi * 38.0 / sample_rate
    alpha, cos = math.sin(w) / (2 * 0.5), math.cos(w)
    high_pass = (((1 + cos) / 2, -(1 + cos), (1 + cos) / 2), (1 + alpha, -2 * cos, 1 - alpha))
    impulse = [1.0] + [0.0] * (KWEIGHT_MAX_TAPS - 1)
    h = np.array(_biquad_response(*high_pass, _biquad_response(*shelf, impulse)))
    remaining = np.cumsum(np.abs(h[::-1]))[::-1]  # what the response still holds from each tap on
    spent = np.flatnonzero(remaining < KWEIGHT_PRECISION)
    return h[: spent[0] if spent.size else h.size].astype(np.float32)


def _fir(x: np.ndarray, spectra: np.ndarray, taps: int) -> np.ndarray:
    """The full linear convolutions (x.size + taps - 1 samples) of float32 `x` with each FIR of at
    most `taps` taps whose FFT_SIZE-point real FFTs are the rows of `spectra` (overlap-add)."""
    filters = spectra.shape[0]
    out = np.zeros((filters, x.size + taps - 1), dtype=np.float32)
    step = FFT_SIZE - taps + 1
    per_call = step * max(1, CALL_SAMPLES // step)
    for first in range(0, x.size, per_call):
        part = x[first : first + per_call]
        n = -(-part.size // step)
        segments = np.zeros((n, step), dtype=np.float32)
        segments.reshape(-1)[: part.size] = part
        # (segment, filter, sample): each segment's convolution is step + taps - 1 = FFT_SIZE long
        y = np.fft.irfft(np.fft.rfft(segments, FFT_SIZE)[:, None, :] * spectra, FFT_SIZE).transpose(1, 0, 2)
        local = np.zeros((filters, (n + 1) * step), dtype=np.float32)
        local[:, : n * step].reshape(filters, n, step)[:] = y[:, :, :step]
        local[:, step:].reshape(filters, n, step)[:, :, : taps - 1] += y[:, :, step : step + taps - 1]
        end = min(first + local.shape[1], out.shape[1])
        out[:, first:end] += local[:, : end - first]
    return out


class _KWeighting:
    """The K-weighting filter over a stream: each block's output, the filter's memory carried on."""

    def __init__(self, sample_rate: int) -> None:
        h = _k_weighting(sample_rate)
        self.taps = h.size
        self.spectrum = np.fft.rfft(h, FFT_SIZE)[None, :]
        self.tail = np.zeros(self.taps - 1, dtype=np.float32)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        y = _fir(x, self.spectrum, self.taps)[0]
        y[: self.tail.size] += self.tail
        self.tail = y[x.size :].copy()
        return y[: x.size]


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
        self._weight = _KWeighting(sample_rate)
        # 100 ms sub-blocks: a 400 ms gating block at 75 % overlap is the mean of four of them.
        self._power = _Framer(round(sample_rate / 10), _mean_square)
        self._peaks = _Framer(self.window, lambda f: np.max(np.abs(f), axis=1))
        self._energy = _Framer(self.window, _mean_square)

    def feed(self, pcm: np.ndarray) -> None:
        x = pcm.astype(np.float32) / FULL_SCALE
        self._power.feed(self._weight(x))
        self._peaks.feed(x)
        self._energy.feed(x)
        self.length += pcm.size

    def result(self) -> Measurement:
        return Measurement(
            self.sample_rate,
            self.length,
            self._power.result(partial=False),
            self._power.size,
            self._peaks.result(partial=True).astype(np.float32),
            self._energy.result(partial=True).astype(np.float32),
            self.window,
        )


def _mean_square(frames: np.ndarray) -> np.ndarray:
    # float32 sums of squares are good to a part in 10^6 here, and ten times faster than float64
    return (np.einsum("ij,ij->i", frames, frames) / frames.shape[1]).astype(np.float64)


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


@functools.cache
def _interpolator() -> np.ndarray:
    """FFT_SIZE-point spectra of the 4 phases of a 4× interpolating FIR: the one scipy's resample_poly
    designs (a sinc cut at the original Nyquist, Kaiser window β 5, 10 original samples either side).
    Phase r gives the samples r/4 of the way from each original sample to the next."""
    reach = CONTEXT_TAPS * OVERSAMPLE
    t = np.arange(2 * reach + 1) - reach
    h = np.sinc(t / OVERSAMPLE) * np.kaiser(t.size, 5.0)
    h *= OVERSAMPLE / h.sum()
    phases = np.zeros((OVERSAMPLE, 2 * CONTEXT_TAPS + 1), dtype=np.float32)
    for r in range(OVERSAMPLE):
        phases[r, : h[r::OVERSAMPLE].size] = h[r::OVERSAMPLE]
    return np.fft.rfft(phases, FFT_SIZE)


def oversampled(x: np.ndarray) -> np.ndarray:
    """|x| at 4× the rate (0..1 of full scale): its maximum is the true peak (BS.1770 annex 2)."""
    phases = _fir(x.astype(np.float32) / FULL_SCALE, _interpolator(), 2 * CONTEXT_TAPS + 1)
    # Phase r's output n + CONTEXT_TAPS is the interpolated sample at n + r/4.
    return np.abs(phases[:, CONTEXT_TAPS : CONTEXT_TAPS + x.size].T.reshape(-1))


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


def plan(m: Measurement, read: Callable[[int, int], np.ndarray], target_lufs: float = -16.0, true_peak_db: float = -1.5) -> GainPlan:
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
        up = oversampled(np.concatenate([pcm for _, _, pcm in batch]))
        offset = 0
        for first, last, pcm in batch:
            lo = max(first * w - CONTEXT, 0)
            own = up[offset : offset + OVERSAMPLE * (min((last + 1) * w, self.m.length) - lo)]
            edges = OVERSAMPLE * (np.arange(first, last + 1) * w - lo)
            self.peaks[first : last + 1] = np.maximum(self.peaks[first : last + 1], np.maximum.reduceat(own, edges))
            offset += OVERSAMPLE * pcm.size

    def envelope(self, gain: float) -> np.ndarray | None:
        """Per-window factor keeping `gain` × signal under the ceiling (None: nothing to limit)."""
        self._refine(gain)
        needed = np.minimum(1.0, self.ceiling / np.maximum(self.peaks * gain, 1e-12))
        if needed.size == 0 or needed.min() >= 1.0:
            return None
        # A minimum over ±(H+1) windows, then a mean over ±H: smooth, and never above what any window
        # that a sample's interpolation touches requires.
        held = _sliding(needed, 2 * HOLD_WINDOWS + 3).min(axis=1)
        return _sliding(held, 2 * HOLD_WINDOWS + 1).mean(axis=1).astype(np.float32)

    def power_kept(self, envelope: np.ndarray) -> np.ndarray:
        """The share of each 100 ms sub-block's power left after `envelope` (power-weighted)."""
        n, energy = self.m.powers.size, self.m.energy
        kept = np.bincount(self.sub_of_window, weights=energy * envelope.astype(np.float64) ** 2, minlength=n)[:n]
        total = np.bincount(self.sub_of_window, weights=energy, minlength=n)[:n]
        return np.where(total > 0, kept / np.where(total > 0, total, 1.0), 1.0)


def _sliding(x: np.ndarray, size: int) -> np.ndarray:
    """Windows of odd `size` centred on each element of `x`, its end values repeated past its ends."""
    half = size // 2
    return sliding_window_view(np.pad(x, half, mode="edge"), size)


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
