"""The audiobook: the whole speech as AAC in an MP4 container (.m4b), with a chapter a section.

Encoded by PyAV (FFmpeg's own AAC encoder, from the wheel: no system ffmpeg) from the very samples
the MP3 is made of, on a thread of its own fed block by block, so the two files share one timeline:
the chapters are the MP3's, to the millisecond. FFmpeg's MP4 muxer writes the chapters as a
QuickTime chapter track (what Apple Books and VLC read; ffprobe lists them) and an edit list that
hides the encoder's priming samples, so players show the duration of the samples written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..errors import OutputError
from ..settings import cover_mime
from .handoff import Handoff
from .sink import AudioSink
from .tags import Chapter, Mp3Tags


class M4bWriter(AudioSink):
    def __init__(self, path: Path, sample_rate: int, bitrate: str, tags: Mp3Tags) -> None:
        import av

        super().__init__(path, sample_rate)
        try:
            self._container = av.open(str(self.temp), "w", format="ipod")
        except OSError as exc:
            raise OutputError("Cannot write {path} ({strerror}): choose another output folder.", path=path, strerror=exc.strerror) from exc
        # The "fast" coder: FFmpeg's maintainers made it the default for sounding better than
        # twoloop at higher rates; 64 kbit/s for one channel is one, and it costs a quarter of the CPU.
        self._stream = self._container.add_stream("aac", rate=sample_rate, layout="mono", options={"aac_coder": "fast"})
        self._stream.bit_rate = int(bitrate.lower().rstrip("k")) * 1000
        self._container.metadata.update({"title": tags.title, "artist": tags.artist, "album": tags.album,
                                         "date": tags.date, "comment": tags.comment, "genre": "Speech"})  # fmt: skip
        self._closed = False
        self._start("m4b")

    def _consume(self, queue: Handoff[np.ndarray]) -> None:
        import av

        pts = 0
        while (block := queue.get()) is not None:
            frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate, frame.pts = self.sample_rate, pts
            pts += block.size
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
        if not queue.given_up:
            for packet in self._stream.encode(None):
                self._container.mux(packet)

    def _complete(self, chapters: Sequence[Chapter], cover: bytes | None) -> None:
        """Write the chapters, close the container, then add the cover."""
        self._container.set_chapters([
            {"id": n + 1, "start": ch.start_ms, "end": ch.end_ms, "time_base": Fraction(1, 1000), "metadata": {"title": ch.title}}
            for n, ch in enumerate(chapters)
        ])  # fmt: skip
        self._closed = True
        self._container.close()
        if cover is not None:
            _add_cover(self.temp, cover)

    def _release(self) -> None:
        if not self._closed:  # FFmpeg's container must never be closed twice
            self._closed = True
            with contextlib.suppress(Exception):
                self._container.close()


def _add_cover(path: Path, data: bytes) -> None:
    from mutagen.mp4 import MP4, MP4Cover

    kind = MP4Cover.FORMAT_PNG if cover_mime(data) == "image/png" else MP4Cover.FORMAT_JPEG
    audio = MP4(path)
    assert audio.tags is not None  # the muxer wrote title and artist
    audio.tags["covr"] = [MP4Cover(data, imageformat=kind)]
    audio.save()
