"""ID3 tags for the MP3s: title, artist, album, date, comment, track number, and chapters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import APIC, CHAP, COMM, CTOC, ID3, TALB, TDRC, TIT2, TPE1, TRCK, CTOCFlags, PictureType

from ..settings import cover_mime


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
    cover: bytes | None = None
    """A JPEG or PNG image (the front cover)."""


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
    if tags.cover:
        id3.add(APIC(encoding=3, mime=cover_mime(tags.cover), type=PictureType.COVER_FRONT, desc="", data=tags.cover))
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
