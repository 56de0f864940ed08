"""Place trimmed clips and pauses on one timeline, one track at a time (docs/architecture.md, "The timeline").

Every position is a sample count at the engine's rate, so chapter marks, subtitles and the manifest
read the same numbers and cannot disagree. A track's PCM goes to a spooled temporary file (kept in
memory while small, on disk beyond that), so a twelve-hour speech never sits in memory whole.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ..model import Chunk, Placement, Section, SectionSpan, Timeline
from ..settings import Pauses
from .audio import SAMPLE_WIDTH, AudioSegment, segment, trim

SPOOL_BYTES = 32 * 1024 * 1024
"""Tracks up to this size (about 12 minutes at 22 kHz) stay in memory; longer ones go to disk."""

BLOCK_SAMPLES = 1 << 18
"""How much PCM a reader gets at once (about 11 s at 24 kHz)."""


_TRADITIONAL_LABELS = {"开场": "開場", "结束语": "結束語"}


def display_title(section: Section, traditional: bool = False) -> str:
    """The heading, or 开场 / 结束语 for an opening or closing that has none (開場 / 結束語 in a
    speech written in traditional characters)."""
    title = section.title or {"opening": "开场", "closing": "结束语"}.get(section.kind, "")
    return _TRADITIONAL_LABELS.get(title, title) if traditional else title


def starts_track(section: Section) -> bool:
    """Level-1 sections, the opening and the closing each begin a track; deeper ones join it."""
    return section.level <= 1 or section.kind != "section"


def pause_samples(ms: int, sample_rate: int) -> int:
    return round(ms * sample_rate / 1000)


@dataclass
class Track:
    """One section file's worth of programme: samples [start, start + length)."""

    number: int
    title: str
    start: int
    """First sample in the whole programme."""
    pcm: BinaryIO
    """Raw int16 mono samples (valid until close())."""
    spans: list[SectionSpan] = field(default_factory=list)
    length: int = 0

    @property
    def end(self) -> int:
        return self.start + self.length

    def read(self, start: int, count: int) -> np.ndarray:
        """Samples [start, start + count) relative to the track, clipped to its length."""
        start = max(start, 0)
        count = max(min(count, self.length - start), 0)
        self.pcm.seek(start * SAMPLE_WIDTH)
        return np.frombuffer(self.pcm.read(count * SAMPLE_WIDTH), dtype=np.int16)

    def blocks(self, size: int = BLOCK_SAMPLES) -> Iterator[tuple[int, np.ndarray]]:
        """(offset in the track, samples) in order, `size` samples at a time."""
        for offset in range(0, self.length, size):
            yield offset, self.read(offset, size)

    def audio(self, sample_rate: int) -> AudioSegment:
        """The whole track as one segment (for short audio and tests)."""
        return segment(self.read(0, self.length), sample_rate)

    def close(self) -> None:
        self.pcm.close()

    def __enter__(self) -> Track:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Assembler:
    """Lays out a speech: lead-in, then each chunk followed by the pause its `pause_after` names.

    `tracks()` yields one Track at a time; once it is exhausted, `timeline` holds every placement
    and section span. Consumers should close() each track when done with it.
    """

    def __init__(
        self,
        sections: Sequence[Section],
        chunks: Sequence[Chunk],
        clip: Callable[[Chunk], AudioSegment],
        pauses: Pauses,
        sample_rate: int,
        spool_dir: Path | None = None,
        traditional: bool = False,
    ) -> None:
        if not chunks:
            raise ValueError("there are no chunks to assemble")
        owners = [c.section for c in chunks]
        if any(b < a for a, b in zip(owners, owners[1:])) or owners[0] < 0 or owners[-1] >= len(sections):
            raise ValueError("chunks must follow the script's sections in order")
        self.sections = sections
        self.chunks = chunks
        self.clip = clip
        self.pauses = pauses
        self.sample_rate = sample_rate
        self.spool_dir = spool_dir
        self.traditional = traditional
        self.timeline = Timeline(sample_rate=sample_rate)
        heard = sorted(set(owners))
        self.track_count = 1 + sum(starts_track(sections[i]) for i in heard[1:])
        """How many tracks tracks() will yield (known before any audio is decoded)."""
        self._silence: dict[int, bytes] = {}

    def _pause(self, ms: int) -> bytes:
        n = pause_samples(ms, self.sample_rate)
        if n not in self._silence:
            self._silence[n] = bytes(n * SAMPLE_WIDTH)
        return self._silence[n]

    def _pcm(self, chunk: Chunk) -> bytes:
        seg = trim(self.clip(chunk))
        if seg.frame_rate != self.sample_rate:
            seg = seg.set_frame_rate(self.sample_rate)
        return seg.raw_data

    def tracks(self) -> Iterator[Track]:
        timeline = self.timeline
        track: Track | None = None
        opened: tuple[int, int] | None = None
        # (section index, start sample) of the section being laid out
        pos = 0

        def close_section() -> None:
            if opened is not None and track is not None:
                index, start = opened
                section = self.sections[index]
                track.spans.append(SectionSpan(index, display_title(section, self.traditional), section.level, track.number, start, pos))

        def close_track(done: Track) -> Track:
            done.length = pos - done.start
            timeline.sections.extend(done.spans)
            timeline.length = pos
            return done

        for chunk in self.chunks:
            index = chunk.section
            if opened is None or index != opened[0]:
                close_section()
                opened = (index, pos)
                if track is None or starts_track(self.sections[index]):
                    if track is not None:
                        yield close_track(track)
                    number = 1 if track is None else track.number + 1
                    track = Track(number, display_title(self.sections[index], self.traditional), pos, self._spool())
                    if number == 1:
                        lead_in = self._pause(self.pauses.lead_in)
                        track.pcm.write(lead_in)
                        pos += len(lead_in) // SAMPLE_WIDTH
            assert track is not None
            data = self._pcm(chunk)
            n = len(data) // SAMPLE_WIDTH
            track.pcm.write(data)
            timeline.placements.append(Placement(chunk, pos, pos + n))
            pause = self._pause(self.pauses.after(chunk.pause_after))
            track.pcm.write(pause)
            pos += n + len(pause) // SAMPLE_WIDTH
        close_section()
        assert track is not None
        yield close_track(track)

    def _spool(self) -> BinaryIO:
        folder = None if self.spool_dir is None else str(self.spool_dir)
        return tempfile.SpooledTemporaryFile(SPOOL_BYTES, dir=folder)  # type: ignore[return-value]
