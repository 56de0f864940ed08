"""The audiobook: the whole speech as AAC in an MP4 container (.m4b), with a chapter a section.

Encoded by PyAV (FFmpeg's own AAC encoder, from the wheel: no system ffmpeg) from the very samples
the MP3 is made of, on a thread of its own fed block by block, so the two files share one timeline:
the chapters are the MP3's, to the millisecond. FFmpeg's MP4 muxer writes the chapters as a
QuickTime chapter track (what Apple Books and VLC read; ffprobe lists them) and an edit list that
hides the encoder's priming samples, so players show the duration of the samples written.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..errors import OutputError
from ..settings import cover_mime
from .handoff import Handoff
from .staging import temp_name
from .tags import Chapter, Mp3Tags


class M4bWriter:
    QUEUE_BLOCKS = 4

    def __init__(self, path: Path, sample_rate: int, bitrate: str, tags: Mp3Tags) -> None:
        import av

        self.path, self.temp, self.sample_rate = path, temp_name(path), sample_rate
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
        self._queue: Handoff[np.ndarray] = Handoff(self.QUEUE_BLOCKS)
        self._failed: BaseException | None = None
        self._aborting = threading.Lock()
        self._closed = False
        self._worker = threading.Thread(target=self._encode, name=f"m4b:{path.name}", daemon=True)
        self._worker.start()

    def _encode(self) -> None:
        import av

        pts = 0
        try:
            while (block := self._queue.get()) is not None:
                frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="mono")
                frame.sample_rate, frame.pts = self.sample_rate, pts
                pts += block.size
                for packet in self._stream.encode(frame):
                    self._container.mux(packet)
            if not self._queue.given_up:
                for packet in self._stream.encode(None):
                    self._container.mux(packet)
        except Exception as exc:
            self._failed = exc
            self._queue.abort()

    def write(self, pcm: bytes | np.ndarray) -> None:
        if self._failed is not None:
            self._raise()
        block = np.frombuffer(pcm, dtype=np.int16) if isinstance(pcm, bytes) else np.ascontiguousarray(pcm, dtype=np.int16)
        if not self._queue.put(block):  # aborted, or the encoder failed meanwhile
            self._failed = self._failed or OutputError("aborted")
            self._raise()

    def finish(self, chapters: Sequence[Chapter], cover: bytes | None = None) -> Path:
        """Flush the encoder, write the chapters and close; the file stays under its temporary name (returned)."""
        self._queue.end()
        self._worker.join()
        if self._failed is not None:
            self._raise()
        try:
            self._container.set_chapters([
                {"id": n + 1, "start": ch.start_ms, "end": ch.end_ms, "time_base": Fraction(1, 1000), "metadata": {"title": ch.title}}
                for n, ch in enumerate(chapters)
            ])  # fmt: skip
            self._closed = True
            self._container.close()
            if cover is not None:
                _add_cover(self.temp, cover)
        except Exception as exc:
            self._failed = exc
            self._raise()
        return self.temp

    def abort(self) -> None:
        """Stop and delete the partial file; safe to call from two threads at once (FFmpeg's
        container must never be closed twice together)."""
        self._failed = self._failed or OutputError("aborted")
        self._queue.abort()  # wakes the encoder and any thread still writing, at once
        with self._aborting:
            self._worker.join()
            if not self._closed:
                self._closed = True
                with contextlib.suppress(Exception):
                    self._container.close()
            self.temp.unlink(missing_ok=True)

    def _raise(self) -> None:
        reason = getattr(self._failed, "strerror", None) or str(self._failed)
        self.abort()
        raise OutputError("Encoding {name} failed ({reason}); check the output folder has space and is writable.", name=self.path.name, reason=reason)


def _add_cover(path: Path, data: bytes) -> None:
    from mutagen.mp4 import MP4, MP4Cover

    kind = MP4Cover.FORMAT_PNG if cover_mime(data) == "image/png" else MP4Cover.FORMAT_JPEG
    audio = MP4(path)
    assert audio.tags is not None  # the muxer wrote title and artist
    audio.tags["covr"] = [MP4Cover(data, imageformat=kind)]
    audio.save()
