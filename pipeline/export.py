"""Write a rendered speech to disk: MP3s with tags and chapters, subtitles, playlist, manifest.

Everything is read off one Timeline, so chapters, cues and the manifest agree to the sample. Each
file is first written under a hidden temporary name in the output folder and renamed into place
only when the whole render has succeeded; a failure leaves the folder as it was. Renders into one
folder take turns (a lock on the folder), and each clears the temporary files a killed one left.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import json
import os
import queue
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec

import numpy as np
from mutagen import MutagenError
from mutagen.id3 import CHAP, COMM, CTOC, ID3, TALB, TDRC, TIT2, TPE1, TRCK, CTOCFlags

from .assemble import Assembler, Track
from .audio import AudioSegment
from .errors import OutputError
from .model import Chunk, Placement, Script, Timeline
from .mp3encode import LAME_QUALITY, frame_bytes
from .player import PAGE_NAME as PLAYER_PAGE
from .settings import RenderSettings, VoiceSettings

if TYPE_CHECKING:  # loudness pulls in numpy FFT set-up: only write_render needs it
    from .loudness import GainPlan

# ---------------------------------------------------------------- file names

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME_BYTES = 240
"""UTF-8 bytes a name may take before its "NN-" prefix and extension (file systems allow 255)."""


def safe_filename(title: str, max_len: int = 80, fallback: str = "untitled") -> str:
    """`title` as a file name (without extension) valid on Windows, macOS and Linux."""
    name = unicodedata.normalize("NFC", title)
    name = _FORBIDDEN.sub("_", name)
    name = re.sub(r"\s+", " ", name)
    name = re.sub(r"_{2,}", "_", name)
    name = name[:max_len]
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        name = name[:-1]
    # Leading dots hide a file (and "." / ".." are not names); Windows drops trailing dots and spaces.
    name = name.strip(" ._") or fallback
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    return name


# ---------------------------------------------------------------- subtitles

MAX_CUE_CHARS = 32
LINE_CHARS = 16
_BREAK_AFTER = set("，、；：,;:。！？!?…—”’」』）》)")


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str
    """One unbroken string; srt() lays it out in lines."""
    section: int
    """Index into Script.sections (the title belongs to section 0)."""


def _clauses(text: str) -> list[str]:
    """`text` cut after punctuation, with any piece still over MAX_CUE_CHARS cut into even parts."""
    pieces: list[str] = []
    current = ""
    for i, ch in enumerate(text):
        current += ch
        following = text[i + 1] if i + 1 < len(text) else ""
        if ch in _BREAK_AFTER and following not in _BREAK_AFTER:
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    even: list[str] = []
    for piece in pieces:
        parts = -(-len(piece) // MAX_CUE_CHARS)
        size = -(-len(piece) // parts)
        even.extend(piece[k : k + size] for k in range(0, len(piece), size))
    return even


def _spoken(text: str) -> int:
    """Characters that take time to say (punctuation and spaces take none)."""
    return max(sum(1 for ch in text if ch.isalnum()), 1)


def _merge(pieces: Iterable[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Join neighbouring (text, start, end) pieces while the text stays within a cue."""
    merged: list[tuple[str, int, int]] = []
    for text, start, end in pieces:
        if merged and len(merged[-1][0]) + len(text) <= MAX_CUE_CHARS:
            merged[-1] = (merged[-1][0] + text, merged[-1][1], end)
        else:
            merged.append((text, start, end))
    return merged


def _split_placement(p: Placement) -> list[tuple[str, int, int]]:
    """A long chunk cut at punctuation, each piece timed in proportion to its spoken characters."""
    text = p.chunk.text.strip()
    if len(text) <= MAX_CUE_CHARS:
        return [(text, p.start, p.end)]
    clauses = _clauses(text)
    weights = np.cumsum([0] + [_spoken(c) for c in clauses])
    bounds = [p.start + round((p.end - p.start) * w / weights[-1]) for w in weights]
    return _merge((c, bounds[k], bounds[k + 1]) for k, c in enumerate(clauses))


def cues(timeline: Timeline) -> list[Cue]:
    """One cue per sentence; a sentence over MAX_CUE_CHARS is broken at chunk boundaries first, then
    at punctuation. Cues never overlap and never have zero length."""
    result: list[Cue] = []
    placements = timeline.placements
    i = 0
    while i < len(placements):
        j = i
        while j + 1 < len(placements) and placements[j + 1].chunk.key == placements[i].chunk.key:
            j += 1
        sentence = placements[i : j + 1]
        section = Assembler.owner(sentence[0].chunk)
        whole = "".join(p.chunk.text.strip() for p in sentence)
        if len(whole) <= MAX_CUE_CHARS:
            pieces = [(whole, sentence[0].start, sentence[-1].end)]
        else:
            pieces = _merge(piece for p in sentence for piece in _split_placement(p))
        for text, start, end in pieces:
            cue = Cue(timeline.ms(start), timeline.ms(end), text, section)
            if cue.end_ms > cue.start_ms:
                result.append(cue)
            elif result:  # too short to show by itself: it joins the cue before
                last = result[-1]
                result[-1] = dataclasses.replace(last, end_ms=max(last.end_ms, cue.end_ms), text=last.text + text)
        i = j + 1
    return result


def _lines(text: str) -> list[str]:
    """Up to two lines of at most LINE_CHARS, broken after punctuation when possible."""
    if len(text) <= LINE_CHARS:
        return [text]
    if len(text) > 2 * LINE_CHARS:
        return [text[k : k + LINE_CHARS] for k in range(0, len(text), LINE_CHARS)]
    middle = len(text) / 2
    candidates = range(len(text) - LINE_CHARS, LINE_CHARS + 1)
    cut = min(candidates, key=lambda k: (text[k - 1] not in _BREAK_AFTER, abs(k - middle)))
    return [text[:cut], text[cut:]]


def _srt_time(ms: int) -> str:
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    seconds, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d},{ms:03d}"


def srt(cue_list: Sequence[Cue]) -> str:
    blocks = [
        f"{n}\n{_srt_time(c.start_ms)} --> {_srt_time(c.end_ms)}\n" + "\n".join(_lines(c.text)) + "\n"
        for n, c in enumerate(cue_list, 1)
    ]
    return "\n".join(blocks)


def _lrc_time(ms: int) -> str:
    centis = (max(ms, 0) + 5) // 10
    minutes, centis = divmod(centis, 6000)
    return f"[{minutes:02d}:{centis // 100:02d}.{centis % 100:02d}]"


def lrc(cue_list: Sequence[Cue], title: str = "", offset_ms: int = 0) -> str:
    """LRC lyrics; `offset_ms` is subtracted from every time (a track's start, for its own file)."""
    head = [f"[ti:{title}]"] if title else []
    head.append("[re:speechcast]")
    return "\n".join(head + [f"{_lrc_time(c.start_ms - offset_ms)}{c.text}" for c in cue_list]) + "\n"


@dataclass(frozen=True)
class TrackFile:
    """A written section track, as the playlist and the manifest list it."""

    number: int
    title: str
    file: str
    lrc: str
    start_ms: int
    end_ms: int


def m3u8(tracks: Sequence[TrackFile]) -> str:
    lines = ["#EXTM3U"]
    for t in tracks:
        lines += [f"#EXTINF:{round((t.end_ms - t.start_ms) / 1000)},{t.title}", t.file]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- staging files atomically


_TEMP_PREFIX, _TEMP_SUFFIX = ".speechcast-", ".part"


def _temp_name(final: Path) -> Path:
    # Short and fixed-length: a final name may already be near the file system's 255-byte limit.
    return final.with_name(f"{_TEMP_PREFIX}{secrets.token_hex(6)}{_TEMP_SUFFIX}")


def atomic_write_text(path: Path, text: str) -> None:
    """`text` written to `path` whole or not at all (a temporary file renamed over it)."""
    temp = _temp_name(path)
    try:
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise OutputError(f"Cannot write {path} ({exc.strerror}): choose another place for it.") from exc


@contextlib.contextmanager
def _folder_turn(out_dir: Path) -> Iterator[None]:
    """Hold `out_dir` for one render: another render into it waits, and any temporary file found
    now was left by a render that was killed (the lock dies with its holder), so it goes."""
    if sys.platform == "win32":  # no flock; a file another process still writes cannot be deleted there
        handle = None
    else:
        import fcntl

        handle = os.open(out_dir, os.O_RDONLY)
        fcntl.flock(handle, fcntl.LOCK_EX)
    try:
        for stale in out_dir.glob(f"{_TEMP_PREFIX}*{_TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                stale.unlink()
        yield
    finally:
        if handle is not None:
            os.close(handle)  # releases the lock


class _Staging:
    """Temporary files waiting to be renamed onto their final names, all or none."""

    def __init__(self) -> None:
        self.pending: list[tuple[Path, Path]] = []

    def add(self, temp: Path, final: Path) -> None:
        self.pending.append((temp, final))

    def write_text(self, final: Path, text: str) -> None:
        temp = _temp_name(final)
        self.add(temp, final)
        try:
            temp.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"Cannot write {final}: {exc.strerror}; free some space or choose another folder with -o.") from exc

    def commit(self) -> None:
        for temp, final in self.pending:
            os.replace(temp, final)
        self.pending.clear()

    def abort(self) -> None:
        for temp, _ in self.pending:
            temp.unlink(missing_ok=True)
        self.pending.clear()


# ---------------------------------------------------------------- MP3 encoding

MP3_LOUDNESS_LOSS_LU = 0.3
"""LAME's low-pass removes high frequencies that K-weighting emphasises: speech encoded at 64 kbit/s
measures 0.3–0.4 LU quieter than the PCM fed in, so the PCM aims that much higher."""


class Mp3Writer:
    """Streams 16-bit mono PCM into LAME, running in an encoder process of its own
    (pipeline.mp3encode), and heads the result with an Info frame.

    The encoder writes a hidden temporary file beside `path`; `close()` renames it into place,
    `abort()` (or leaving the `with` block on an exception) deletes it. A feeder thread writes to
    the encoder's stdin, so it encodes in parallel with the Python that feeds it. The Info frame
    (frame and byte counts, and a LAME tag with the encoder delay and padding) gives players the
    exact duration, lets gapless decoders play exactly the samples written, and lets Mp3Cutter cut
    section files out of the result.
    """

    QUEUE_BLOCKS = 4

    def __init__(self, path: Path, sample_rate: int, bitrate: str = "64k") -> None:
        self.path = path
        self.temp = _temp_name(path)
        self.sample_rate = sample_rate
        self.kbps = int(bitrate.lower().rstrip("k"))
        self.info_size = frame_bytes(sample_rate, self.kbps)
        self.samples = 0
        self._stderr = tempfile.TemporaryFile()
        command = [sys.executable, "-m", "pipeline.mp3encode", str(sample_rate), str(self.kbps), str(LAME_QUALITY),
                   str(self.temp.absolute())]  # fmt: skip
        # `-m` looks in the working directory first: run where this very package lies, so a
        # folder called "pipeline" wherever the user stands cannot be taken for it.
        self._proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._stderr,
                                      cwd=Path(__file__).resolve().parent.parent)  # fmt: skip
        self._queue: queue.Queue[bytes | None] = queue.Queue(self.QUEUE_BLOCKS)
        self._failed: BaseException | None = None
        self._finished = False
        self._feeder = threading.Thread(target=self._feed, name=f"mp3:{path.name}", daemon=True)
        self._feeder.start()

    def _feed(self) -> None:
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            while (data := self._queue.get()) is not None:
                if self._failed is None:
                    stdin.write(data)
        except OSError as exc:  # ffmpeg died; keep draining so write() never blocks forever
            self._failed = exc
            while self._queue.get() is not None:
                pass
        finally:
            try:
                stdin.close()
            except OSError:
                pass

    def write(self, pcm: bytes | np.ndarray) -> None:
        if self._failed is not None:
            self._raise()
        data = pcm.tobytes() if isinstance(pcm, np.ndarray) else pcm
        self.samples += len(data) // 2
        self._queue.put(data)

    def finish(self) -> Path:
        """Wait for the encoder; the finished MP3 stays under its temporary name (returned)."""
        self._queue.put(None)
        self._feeder.join()
        if self._proc.wait() != 0 or self._failed is not None:
            self._raise()
        try:
            self._head()
        except OSError as exc:
            self._failed = exc
            self._raise()
        self._stderr.close()
        self._finished = True
        return self.temp

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

    def abort(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        if self._feeder.is_alive():
            self._queue.put(None)
            self._feeder.join()
        self._proc.wait()
        self._stderr.close()
        self.temp.unlink(missing_ok=True)

    def _raise(self) -> None:
        self._proc.kill()
        self._stderr.seek(0)
        detail = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        self.abort()
        reason = detail[-1] if detail else (getattr(self._failed, "strerror", None) or str(self._failed or f"exit code {self._proc.returncode}"))
        raise OutputError(f"Encoding {self.path.name} failed ({reason}); check the output folder has space and is writable.")

    def __enter__(self) -> Mp3Writer:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is not None or not self._finished:
            self.abort()


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


# ---------------------------------------------------------------- tags


@dataclass(frozen=True)
class Chapter:
    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Mp3Tags:
    title: str
    artist: str
    album: str
    date: str
    comment: str
    track: str = ""
    """"n/N" for a section track."""
    chapters: Sequence[Chapter] = ()


def write_tags(path: Path, tags: Mp3Tags) -> None:
    """ID3v2.3 tags, with CHAP frames and a top-level CTOC when there are chapters."""
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=[tags.title]))
    id3.add(TPE1(encoding=3, text=[tags.artist]))
    id3.add(TALB(encoding=3, text=[tags.album]))
    id3.add(TDRC(encoding=3, text=[tags.date]))
    id3.add(COMM(encoding=3, lang="zho", desc="", text=[tags.comment]))
    if tags.track:
        id3.add(TRCK(encoding=3, text=[tags.track]))
    # mutagen orders frames by size, then by key, and readers such as ffmpeg list chapters in file
    # order: padding each element id to make every CHAP frame the same size keeps them in time order.
    units = [len(ch.title.encode("utf-16-le")) for ch in tags.chapters]
    ids = [f"chp{n:04d}" + "_" * (max(units) - u) for n, u in enumerate(units)]
    for element_id, ch in zip(ids, tags.chapters):
        id3.add(CHAP(element_id=element_id, start_time=ch.start_ms, end_time=ch.end_ms,
                     sub_frames=[TIT2(encoding=3, text=[ch.title])]))  # fmt: skip
    if ids:
        id3.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids,
                     sub_frames=[TIT2(encoding=3, text=[tags.album])]))  # fmt: skip
    id3.save(path, v2_version=3)


# ---------------------------------------------------------------- the whole output stage


@dataclass(frozen=True)
class RenderInfo:
    """Who spoke and from what: recorded in the tags and the manifest."""

    version: str
    """speechcast's version."""
    voice: VoiceSettings
    """The engine and voice that actually spoke."""
    preset: str = ""
    source_path: str = ""
    source_sha256: str = ""
    date: str = ""
    """Recording date for the tags (YYYY-MM-DD); "" means today."""
    render_key: str = ""
    """Fingerprint of everything that shapes the output: an unchanged re-render may skip writing."""


@dataclass(frozen=True)
class RenderResult:
    out_dir: Path
    full: Path
    tracks: list[Path]
    srt: Path
    lrc: Path
    playlist: Path
    manifest: Path
    player: Path | None
    duration_ms: int

    @property
    def track_count(self) -> int:
        return len(self.tracks)


PlayerHook = Callable[[dict[str, Any]], str]
"""Turns the manifest into the player page's HTML (written as index.html with everything else)."""


_P = ParamSpec("_P")


def _owning_the_folder(write: Callable[Concatenate[Path, _P], RenderResult]) -> Callable[Concatenate[Path, _P], RenderResult]:
    """`write(out_dir, …)` run with `out_dir` created and held (see _folder_turn), a file system
    that fails under it (full, gone) reported as an OutputError."""

    @functools.wraps(write)
    def wrapper(out_dir: Path, /, *args: _P.args, **kwargs: _P.kwargs) -> RenderResult:
        out_dir = Path(out_dir)
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"Cannot create the output folder {out_dir} ({exc.strerror}); choose another with -o.") from exc
        with _folder_turn(out_dir):
            try:
                return write(out_dir, *args, **kwargs)
            except (OSError, MutagenError) as exc:
                reason = getattr(exc, "strerror", None) or str(exc)
                raise OutputError(f"Writing to {out_dir} failed ({reason}); free some space or choose another folder with -o.") from exc

    return wrapper


@_owning_the_folder
def write_render(
    out_dir: Path,
    script: Script,
    chunks: Sequence[Chunk],
    clip: Callable[[Chunk], AudioSegment],
    settings: RenderSettings,
    sample_rate: int,
    info: RenderInfo,
    script_markdown: str,
    player: PlayerHook | None = None,
) -> RenderResult:
    """Assemble, normalise and write every output file of one render into `out_dir`.

    `clip(chunk)` returns the chunk's decoded, untrimmed audio. `player(manifest)` returns the
    player page's HTML. Either everything is written or nothing changes.
    """
    from .loudness import measure, plan

    previous = _previous_files(out_dir)
    staging = _Staging()
    stem = safe_filename(script.title, fallback="speech")
    full = Mp3Writer(out_dir / f"{stem}.mp3", sample_rate, settings.bitrate)
    # One worker normalises and encodes track n while this thread assembles and measures track n+1
    # (the clip callable stays on the caller's thread). Every sample is encoded once, into the full
    # file; the section files are cut out of it afterwards (Mp3Cutter).
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="speechcast-encode")
    encoding: Future[None] | None = None
    try:
        assembler = Assembler(script.sections, chunks, clip, settings.pauses, sample_rate, spool_dir=out_dir)
        ms = assembler.timeline.ms
        date = info.date or datetime.date.today().isoformat()
        comment = f"speechcast {info.version}: {info.voice.engine} {info.voice.voice}"
        track_files: list[TrackFile] = []
        cuts: list[tuple[Path, int, int, Mp3Tags]] = []
        for track in assembler.tracks():
            with _closing_on_error(track):
                measured = measure((b for _, b in track.blocks()), sample_rate)
                gain = plan(measured, track.read, settings.loudness + MP3_LOUDNESS_LOSS_LU, settings.true_peak)
                if encoding is not None:
                    encoding.result()
                encoding = worker.submit(_encode_track, track, gain, full)
            name = f"{track.number:02d}-{safe_filename(track.title, fallback='section')}"
            temp = _temp_name(out_dir / f"{name}.mp3")
            staging.add(temp, out_dir / f"{name}.mp3")
            tags = Mp3Tags(track.title, info.voice.voice, script.title, date, comment, f"{track.number}/{assembler.track_count}")
            cuts.append((temp, track.start, track.length, tags))
            track_files.append(TrackFile(track.number, track.title, f"{name}.mp3", f"{name}.lrc", ms(track.start), ms(track.end)))
        if encoding is not None:
            encoding.result()
        timeline = assembler.timeline
        full_temp = full.finish()
        staging.add(full_temp, full.path)
        Mp3Cutter(full_temp).cut([(temp, start, length) for temp, start, length, _ in cuts])
        for temp, _, _, tags in cuts:
            write_tags(temp, tags)
        chapters = [Chapter(s.title, ms(s.start), ms(s.end)) for s in timeline.sections]
        write_tags(full_temp, Mp3Tags(script.title, info.voice.voice, script.title, date, comment, chapters=chapters))

        cue_list = cues(timeline)
        for t in track_files:
            own = [c for c in cue_list if t.start_ms <= c.start_ms < t.end_ms]
            staging.write_text(out_dir / t.lrc, lrc(own, title=t.title, offset_ms=t.start_ms))
        files = {"full": full.path.name, "srt": f"{stem}.srt", "lrc": f"{stem}.lrc", "playlist": "playlist.m3u8", "player": None}
        staging.write_text(out_dir / files["srt"], srt(cue_list))
        staging.write_text(out_dir / files["lrc"], lrc(cue_list, title=script.title))
        staging.write_text(out_dir / files["playlist"], m3u8(track_files))
        manifest = _manifest(script, timeline, track_files, cue_list, files, settings, info, script_markdown)
        player_path = None
        if player is not None:
            files["player"] = PLAYER_PAGE  # `files` is the manifest's own dict
            player_path = out_dir / PLAYER_PAGE
            staging.write_text(player_path, player(manifest))
        staging.write_text(out_dir / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        staging.commit()
    except BaseException:
        full.abort()  # unblocks a worker still feeding it
        worker.shutdown(wait=True, cancel_futures=True)
        staging.abort()
        raise
    worker.shutdown()
    written = {t.file for t in track_files} | {t.lrc for t in track_files} | {f for f in files.values() if f}
    for stale in previous - written - {"manifest.json"}:
        (out_dir / stale).unlink(missing_ok=True)
    return RenderResult(
        out_dir, full.path, [out_dir / t.file for t in track_files], out_dir / files["srt"], out_dir / files["lrc"],
        out_dir / files["playlist"], out_dir / "manifest.json", player_path, ms(timeline.length),
    )  # fmt: skip


@contextlib.contextmanager
def _closing_on_error(track: Track) -> Iterator[None]:
    """Until the worker owns `track`, a failure must release it here."""
    try:
        yield
    except BaseException:
        track.close()
        raise


def _encode_track(track: Track, gain: GainPlan, full: Mp3Writer) -> None:
    """Feed one normalised track to the full file's encoder."""
    with track:
        for offset, block in track.blocks():
            full.write(gain.apply(block, offset))


def _previous_files(out_dir: Path) -> set[str]:
    """Files an earlier render listed in this folder's manifest (to remove any this one does not write)."""
    try:
        old = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
        names = [*old["files"].values(), *(t[k] for t in old["tracks"] for k in ("file", "lrc"))]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()
    return {n for n in names if isinstance(n, str) and n and Path(n).name == n}


def _manifest(
    script: Script,
    timeline: Timeline,
    tracks: Sequence[TrackFile],
    cue_list: Sequence[Cue],
    files: dict[str, str | None],
    settings: RenderSettings,
    info: RenderInfo,
    script_markdown: str,
) -> dict[str, Any]:
    ms = timeline.ms
    voice = info.voice
    return {
        "speechcast": info.version,
        "title": script.title,
        "salutation": script.salutation,
        "source": {
            "path": info.source_path or script.source,
            "sha256": info.source_sha256,
            "removed_lines": len(script.removed),
            "removed": [{"line": r.line, "text": r.text, "reason": r.reason} for r in script.removed],
        },
        "engine": voice.engine,
        "voice": {"preset": info.preset, "engine": voice.engine, "voice": voice.voice,
                  "rate": voice.rate, "pitch": voice.pitch, "volume": voice.volume},  # fmt: skip
        "settings": {"pauses": dataclasses.asdict(settings.pauses), "loudness": settings.loudness,
                     "true_peak": settings.true_peak, "bitrate": settings.bitrate},  # fmt: skip
        "sample_rate": timeline.sample_rate,
        "duration_ms": ms(timeline.length),
        "files": files,
        "tracks": [dataclasses.asdict(t) for t in tracks],
        "sections": [
            {"index": s.index, "title": s.title, "level": s.level, "kind": script.sections[s.index].kind,
             "track": s.track, "start_ms": ms(s.start), "end_ms": ms(s.end)}  # fmt: skip
            for s in timeline.sections
        ],
        "chunks": [
            {"text": p.chunk.text, "section": p.chunk.section, "paragraph": p.chunk.paragraph,
             "sentence": p.chunk.sentence, "part": p.chunk.part, "role": p.chunk.role,
             "pause_after": p.chunk.pause_after, "start_ms": ms(p.start), "end_ms": ms(p.end)}  # fmt: skip
            for p in timeline.placements
        ],
        "cues": [dataclasses.asdict(c) for c in cue_list],
        "script": script_markdown,
        "render_key": info.render_key,
    }
