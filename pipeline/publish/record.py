"""A render as its manifest.json records it, read back and checked: the one way the library, the feed,
the up-to-date test and a later render read a render folder.

A manifest is data on disk that anyone can edit: every field is checked for its type, every file
name must be a plain name inside its folder (never ../../etc/shadow), and a manifest that fails is
`Unreadable` with one sentence saying why, so a caller can skip that render with a warning.
Light on purpose: no numpy, no writers (an unchanged render is found with nothing else loaded).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from .playlist import TrackFile

MANIFEST = "manifest.json"


class Unreadable(ValueError):
    """A manifest that is not one of ours, or was edited into something we cannot trust."""


@dataclass(frozen=True)
class SectionRecord:
    index: int
    title: str
    track: int
    start_ms: int


@dataclass(frozen=True)
class Recorded:
    """What a finished render wrote and was made from, as its manifest says."""

    folder: Path
    title: str
    speaker: str
    date: str
    engine: str
    preset: str
    voice: str
    owner: str
    source_name: str
    """The manuscript's file name (讲话.docx), or the link it came from."""
    duration_ms: int
    full: str
    m4b: str
    srt: str
    lrc: str
    playlist: str
    player: str
    tracks: tuple[TrackFile, ...]
    sections: tuple[SectionRecord, ...]
    chunks: int
    formats: frozenset[str]
    cover: bool
    render_key: str
    input_key: str
    script: str
    sizes: dict[str, int]
    """File name → bytes, for the audio files (empty in manifests older than the record of sizes)."""

    def files(self) -> list[str]:
        """Every file the render wrote, the main file first and the manifest itself among them."""
        names = [self.full, *([self.m4b] if self.m4b and self.m4b != self.full else []),
                 *(n for t in self.tracks for n in (t.file, t.lrc)), self.srt, self.lrc, self.playlist, MANIFEST,
                 *([self.player] if self.player else [])]  # fmt: skip
        return list(dict.fromkeys(n for n in names if n))


def plain_name(name: str) -> bool:
    """A file name that stays in its folder: no separator, not . or .., not hidden, no NUL."""
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".") and "\x00" not in name


def read_recorded(folder: Path) -> Recorded | None:
    """The render in `folder`, or None when there is no manifest. Unreadable when there is one we
    cannot trust (not JSON, a field of the wrong type, a file name that leaves the folder)."""
    path = folder / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise Unreadable(f"{path} cannot be read ({exc})") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise Unreadable(f"{path} is not JSON") from None
    try:
        return _recorded(folder, _table(data, "the manifest"))
    except (KeyError, TypeError, ValueError) as exc:
        raise Unreadable(f"{path} is not a manifest speechcast wrote ({exc}): render the manuscript again") from None


def _recorded(folder: Path, data: dict[str, Any]) -> Recorded:
    files = _table(data["files"], "files")
    voice = _table(data.get("voice", {}), "voice")
    source = _table(data.get("source", {}), "source")
    settings = _table(data.get("settings", {}), "settings")
    tracks = tuple(
        TrackFile(_int(t, "number"), _str(t, "title"), _name(t, "file"), _name(t, "lrc", optional=True), _int(t, "start_ms"), _int(t, "end_ms"))
        for t in (_table(t, "a track") for t in _list(data, "tracks"))
    )  # fmt: skip
    sections = tuple(
        SectionRecord(_int(s, "index", 0), _str(s, "title"), _int(s, "track", 0), _int(s, "start_ms"))
        for s in (_table(s, "a section") for s in _list(data, "sections"))
    )  # fmt: skip
    formats = settings.get("formats", ["mp3"])
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        raise TypeError("settings.formats is not a list of names")
    return Recorded(
        folder=folder, title=_str(data, "title"), speaker=_str(data, "speaker", ""), date=_str(data, "date", ""),
        engine=_str(data, "engine", ""), preset=_str(voice, "preset", ""), voice=_str(voice, "voice", ""),
        owner=_str(source, "owner", ""), source_name=_source_name(source), duration_ms=_int(data, "duration_ms"),
        full=_name(files, "full"), m4b=_name(files, "m4b", optional=True), srt=_name(files, "srt", optional=True),
        lrc=_name(files, "lrc", optional=True), playlist=_name(files, "playlist", optional=True),
        player=_name(files, "player", optional=True), tracks=tracks, sections=sections, chunks=len(_list(data, "chunks")),
        formats=frozenset(formats), cover=settings.get("cover") is True, render_key=_str(data, "render_key", ""),
        input_key=_str(data, "input_key", ""), script=_str(data, "script", ""), sizes=_sizes(data),
    )  # fmt: skip


def _sizes(data: dict[str, Any]) -> dict[str, int]:
    sizes = _table(data.get("sizes", {}), "sizes")
    if not all(plain_name(k) and isinstance(v, int) and not isinstance(v, bool) and v >= 0 for k, v in sizes.items()):
        raise TypeError("sizes is not a table of file names and byte counts")
    return dict(sizes)


def _table(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{what} is not a table")
    return value


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise TypeError(f"{key} is not a list")
    return value


def _str(data: dict[str, Any], key: str, default: str | None = None) -> str:
    value = data.get(key, default) if default is not None else data[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} is not text")
    return value


def _int(data: dict[str, Any], key: str, default: int | None = None) -> int:
    value = data.get(key, default) if default is not None else data[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"{key} is not a count")
    return value


def _name(data: dict[str, Any], key: str, optional: bool = False) -> str:
    value = data.get(key) if optional else data[key]
    if value is None and optional:
        return ""
    if not isinstance(value, str) or not plain_name(value):
        raise ValueError(f"{key} is not a file name in the render's folder")
    return value


def _source_name(source: dict[str, Any]) -> str:
    """What a person calls the manuscript: its link, or its file's name (never our folders' path)."""
    url = _str(source, "url", "")
    return url or PurePath(_str(source, "path", "")).name
