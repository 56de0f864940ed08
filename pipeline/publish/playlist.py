"""The section tracks as an M3U8 playlist, in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


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
