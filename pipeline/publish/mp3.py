"""MP3 files: the writer that streams PCM into LAME behind an Info frame, and the cutter that cuts
sample-exact section files out of the full file without encoding again.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..sound.mp3encode import LAME_QUALITY, frame_bytes
from .handoff import Handoff
from .sink import AudioSink
from .tags import Chapter

MP3_LOUDNESS_LOSS_LU = 0.3
"""LAME's low-pass removes high frequencies that K-weighting emphasises: speech encoded at 64 kbit/s
measures 0.3–0.4 LU quieter than the PCM fed in, so the PCM aims that much higher."""


class Mp3Writer(AudioSink):
    """Streams 16-bit mono PCM into LAME, running in an encoder process of its own
    (pipeline.sound.mp3encode), and heads the result with an Info frame.

    The encoder writes a hidden temporary file beside `path`; `close()` renames it into place,
    `abort()` (or leaving the `with` block on an exception) deletes it. A feeder thread writes to
    the encoder's stdin, so it encodes in parallel with the Python that feeds it. The Info frame
    (frame and byte counts, and a LAME tag with the encoder delay and padding) gives players the
    exact duration, lets gapless decoders play exactly the samples written, and lets Mp3Cutter cut
    section files out of the result.
    """

    def __init__(self, path: Path, sample_rate: int, bitrate: str = "64k") -> None:
        super().__init__(path, sample_rate)
        self.kbps = int(bitrate.lower().rstrip("k"))
        self.info_size = frame_bytes(sample_rate, self.kbps)
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - the encoder writes to it for its whole life; closed in _release
        command = [sys.executable, "-m", "pipeline.sound.mp3encode", str(sample_rate), str(self.kbps), str(LAME_QUALITY),
                   str(self.temp.absolute())]  # fmt: skip
        # `-m` looks in the working directory first: run where this very package lies, so a
        # folder called "pipeline" wherever the user stands cannot be taken for it.
        self._proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._stderr,
                                      cwd=Path(__file__).resolve().parents[2])  # fmt: skip
        self._start("mp3")

    def _consume(self, queue: Handoff[np.ndarray]) -> None:
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            while (block := queue.get()) is not None:
                stdin.write(block.data.cast("B"))  # the block's own bytes, not a copy
        finally:
            with contextlib.suppress(OSError):
                stdin.close()

    def _complete(self, chapters: Sequence[Chapter], cover: bytes | None) -> None:
        """The encoder's file headed by its Info frame (tags and chapters are the caller's, on the
        temporary file: see close())."""
        if self._proc.wait() != 0:
            raise OSError(f"the encoder ended with exit code {self._proc.returncode}")
        self._head()
        self._stderr.close()

    def _head(self) -> None:
        """Put the Info frame in the room the encoder left for it."""
        with self.temp.open("r+b") as f:
            body = f.seek(0, os.SEEK_END) - self.info_size
            f.seek(self.info_size)
            header = f.read(4)
            frame_samples = _frame_size(header)[1]
            average = frame_samples / 8 * self.kbps * 1000 / self.sample_rate
            # CBR: frames are padded by a byte now and then to keep the exact average, so the count
            # is the nearest whole number (the padding never strays a whole byte from it).
            frames = round(body / average)
            padding = frames * frame_samples - ENCODER_DELAY - self.samples
            f.seek(0)
            f.write(_info_frame(header, self.info_size, frames, self.info_size + body, ENCODER_DELAY, padding))

    def close(self, before_rename: Callable[[Path], None] | None = None) -> Path:
        """Finish, let `before_rename` tag the temporary file, then move it onto `path`."""
        try:
            temp = self.finish()
            if before_rename is not None:
                before_rename(temp)
            os.replace(temp, self.path)
        except BaseException:
            self.abort()
            raise
        return self.path

    def _stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()

    def _release(self) -> None:
        self._proc.wait()
        self._stderr.close()

    def _reason(self) -> str:
        """What LAME said last, if it said anything."""
        with contextlib.suppress(ValueError):  # closed: another thread's abort() got there first
            self._stderr.seek(0)
            detail = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
            if detail:
                return str(detail[-1])
        return super()._reason()


# ---------------------------------------------------------------- section files cut from the full MP3
#
# Encoding every second twice (once for the full file, once for its section file) cost as much as
# the rest of a render. A section file is instead the full file's own frames behind an Info frame
# of its own, whose LAME tag tells a gapless decoder (ffmpeg, mpg123, browsers, Apple's players)
# how many samples to skip at the start and drop at the end, so it decodes to exactly the
# section's samples, bit for bit those of the full file.

DECODER_DELAY = 529
"""Samples every MP3 decoder's synthesis filter adds; the LAME tag counts only the encoder's delay."""
ENCODER_DELAY = 576
"""Samples LAME puts before the first one fed in (LAME 3.100, and the 4.0 that lameenc bundles)."""
CUT_GUARD_FRAMES = 4
"""A cut starts about this many frames before its section: its first frames miss the bit reservoir
(up to 255 bytes back at MPEG-2 rates: two frames at 64 kbit/s) and the filter overlap of the frames
before them, so they must fall in what a player skips. They lie in the previous section's closing
pause, where even a frame decoded as zeros is right."""
_KBPS = {3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
         2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)}  # fmt: skip
"""Layer III bitrates by index: MPEG-1 (version bits 3), and MPEG-2 and 2.5 (2, 0)."""
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _frame_size(header: bytes) -> tuple[int, int]:
    """(bytes, samples) of the Layer III frame whose 4-byte header is `header`."""
    h = int.from_bytes(header[:4], "big")
    version = (h >> 19) & 3
    if h >> 21 != 0x7FF or (h >> 17) & 3 != 1 or version == 1 or (h >> 12) & 15 in (0, 15) or (h >> 10) & 3 == 3:
        raise ValueError(f"no MPEG Layer III frame header: {header[:4].hex()}")
    samples = 1152 if version == 3 else 576
    return samples // 8 * _bitrate(header) * 1000 // _RATES[version][(h >> 10) & 3] + ((h >> 9) & 1), samples


def _crc16(data: bytes) -> int:
    """CRC-16/ARC, the LAME tag's checksum."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


class Mp3Cutter:
    """Cuts sample-exact pieces out of a CBR MP3 that starts with an Info frame (as Mp3Writer's do)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with path.open("rb") as f:
            head = f.read(10)
            self.audio_start = 0
            if head[:3] == b"ID3":  # a tagged MP3 starts with its ID3v2 tag; its size is "syncsafe", 7 bits a byte
                self.audio_start = 10 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(head[6:10]))
            f.seek(self.audio_start)
            size, self.frame_samples = _frame_size(f.read(4))
            f.seek(self.audio_start)
            self.info = f.read(size)
        tag = max(self.info.find(b"Info"), self.info.find(b"Xing"))
        flags = int.from_bytes(self.info[tag + 4 : tag + 8], "big") if tag > 0 else 0
        if flags & 3 != 3:
            raise ValueError(f"{path.name} has no Info frame with frame and byte counts")
        lame = tag + 16 + 100 * bool(flags & 4) + 4 * bool(flags & 8)
        if len(self.info) < lame + 36:
            raise ValueError(f"{path.name} has no LAME tag")
        self.frames = int.from_bytes(self.info[tag + 8 : tag + 12], "big")
        self.total_bytes = int.from_bytes(self.info[tag + 12 : tag + 16], "big")
        """Of the Info frame and every audio frame."""
        self.delay = int.from_bytes(self.info[lame + 21 : lame + 24], "big") >> 12

    def plan(self, start: int, length: int) -> tuple[int, int, int, int]:
        """(first frame, end frame, samples to skip, samples to drop) of the piece holding samples
        [start, start + length) of the encoded audio; frames count from the first after the Info frame."""
        n = self.frame_samples
        at = start + self.delay  # where the encoder put sample `start`
        guard = min(CUT_GUARD_FRAMES * n, 4096 - n)  # the LAME tag holds at most 4095 samples to skip
        first = max((at - guard) // n, 0)
        skip = at - first * n
        end = min(first - (-(skip + length + DECODER_DELAY) // n), self.frames)
        return first, end, skip, (end - first) * n - skip - length

    def cut(self, pieces: Sequence[tuple[Path, int, int]]) -> None:
        """Write each (path, start sample, sample count) as an MP3 of its own."""
        plans = [self.plan(start, length) for _, start, length in pieces]
        offsets = self._offsets({i for p in plans for i in p[:2]})
        with self.path.open("rb") as src:
            for (target, _, _), (first, end, skip, drop) in zip(pieces, plans):
                body = offsets[end] - offsets[first]
                with target.open("wb") as out:
                    out.write(self._info(end - first, body, skip, drop))
                    src.seek(offsets[first])
                    while body > 0:
                        block = src.read(min(body, 1 << 20))
                        if not block:
                            raise ValueError(f"{self.path.name} ends early")
                        out.write(block)
                        body -= len(block)

    def _offsets(self, wanted: set[int]) -> dict[int, int]:
        """The byte offset of every frame number in `wanted` (frame `self.frames` is the end of the audio)."""
        start = self.audio_start + len(self.info)
        with self.path.open("rb") as f:
            f.seek(start)
            header = f.read(4)
            plain = _frame_size(header)[0] - ((header[2] >> 1) & 1)  # the size of an unpadded frame
            if len(self.info) + self.frames * plain == self.total_bytes:  # no frame is padded
                return {i: start + i * plain for i in wanted}
            found, pos, index, base, buffer = {}, start, 0, start, b""
            for target in sorted(wanted):
                while index < target:
                    rel = pos - base
                    if rel + 4 > len(buffer):  # read on from this frame (a header may straddle the last read)
                        f.seek(pos)
                        base, buffer, rel = pos, f.read(1 << 20), 0
                    if buffer[rel] != 0xFF:
                        raise ValueError(f"{self.path.name}: frame {index} is not where the frames before it end")
                    pos += plain + ((buffer[rel + 2] >> 1) & 1)
                    index += 1
                found[target] = pos
        return found

    def _info(self, frames: int, body: int, skip: int, drop: int) -> bytes:
        """This file's Info frame, restated for a piece of `frames` frames and `body` bytes."""
        return _info_frame(self.info, len(self.info), frames, len(self.info) + body, skip, drop)


def _info_frame(header: bytes, size: int, frames: int, total: int, skip: int, drop: int) -> bytes:
    """An Info frame of `size` bytes (the Xing header of a constant-bitrate file) with a LAME tag,
    for audio of `frames` frames after it, `total` bytes with it, whose decoder should skip `skip`
    samples at the start and drop `drop` at the end. `header` is an audio frame's."""
    info = bytearray(size)
    info[0:4] = bytes((header[0], header[1] | 1, header[2] & ~2, header[3]))  # no CRC, no padding
    mpeg1, mono = (header[1] >> 3) & 3 == 3, header[3] >> 6 == 3
    tag = 4 + (17 if mono else 32) if mpeg1 else 4 + (9 if mono else 17)  # after the side information
    toc = size >= tag + 120 + 36  # the seek table fits in all but the smallest frames
    info[tag : tag + 8] = b"Info" + (0b1011 | 0b100 * toc).to_bytes(4, "big")  # frames, bytes, [TOC], quality
    info[tag + 8 : tag + 16] = frames.to_bytes(4, "big") + total.to_bytes(4, "big")
    if toc:  # CBR: position is proportional to time
        info[tag + 16 : tag + 116] = bytes(min((size + (total - size) * i // 100) * 256 // total, 255) for i in range(100))
    lame = tag + 16 + 100 * toc + 4
    info[lame : lame + 9] = b"LAME3.100"
    info[lame + 9] = 1  # tag revision 0, constant bitrate
    info[lame + 20] = min(_bitrate(header), 255)
    info[lame + 21 : lame + 24] = (skip << 12 | drop).to_bytes(3, "big")
    info[lame + 28 : lame + 32] = total.to_bytes(4, "big")
    # lame + 32: the music CRC is optional and would cost a pass over the audio in Python
    info[lame + 34 : lame + 36] = _crc16(bytes(info[:190])).to_bytes(2, "big")
    return bytes(info)


def _bitrate(header: bytes) -> int:
    """The kbit/s of the Layer III frame whose header is `header`."""
    version = (header[1] >> 3) & 3
    return _KBPS[3 if version == 3 else 2][header[2] >> 4]
