"""Reading back what speechcast wrote, with ffmpeg (the imageio-ffmpeg wheel's), as players do."""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
from imageio_ffmpeg import get_ffmpeg_exe as ffmpeg_exe


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) as ffmpeg measures them."""
    report = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", report)[-1]), float(re.findall(r"Peak:\s+(-?[\d.]+) dBFS", report)[-1])


def chapters(path: Path) -> list[tuple[int, int, str]]:
    """(start ms, end ms, title) of every chapter ffmpeg lists, in its order."""
    found = re.findall(r"Chapter #0:\d+: start ([\d.]+), end ([\d.]+)\s+Metadata:\s+title\s+: (.+)", listing(path))
    return [(round(float(a) * 1000), round(float(b) * 1000), t.strip()) for a, b, t in found]


def pcm(path: Path) -> np.ndarray:
    """The samples a player hears (ffmpeg honours the encoder's gapless header)."""
    raw = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.int16)


def listing(path: Path) -> str:
    """What ffmpeg says of a file: its container, streams, tags and chapters (as ffprobe lists them)."""
    return subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG image of one colour (written here, so no image library is needed)."""
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
