"""manifest.json, typed: what a render said, by which voice, from what source, and where every
section, chunk and cue sits on the timeline. `Manifest.to_json` writes it; `Manifest.from_json` is the
one way the library, the feed, the player, the up-to-date test and a later render read it back.

A manifest is data on disk that anyone can edit: every field is checked for its type, every file
name must be a plain name inside its folder (never ../../etc/shadow), and a manifest that fails is
`Unreadable` with one sentence saying why, so a caller can skip that render with a warning.
`schema` says which layout a file has: a file without one is from before the field (layout 1,
read the same way, its missing parts empty); one newer than this version knows is refused.
Light on purpose: no numpy, no writers (an unchanged render is found with nothing else loaded).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePath
from typing import Any

from .playlist import TrackFile

MANIFEST = "manifest.json"
SCHEMA = 2
"""The layout written now. 2: `schema` itself, the sizes of the audio files, the section's kind."""


class Unreadable(ValueError):
    """A manifest that is not one of ours, or was edited into something we cannot trust."""


@dataclass(frozen=True)
class Removal:
    """A line the cleaner took out (or kept in doubt): its number, its text and the reason's code."""

    line: int
    text: str
    reason: str
    kind: str = ""
    description: str = ""


@dataclass(frozen=True)
class Source:
    path: str = ""
    sha256: str = ""
    url: str = ""
    owner: str = ""
    """Which manuscript this is (its absolute path or link): renders of others never share its folder."""
    removed: tuple[Removal, ...] = ()
    unsure: tuple[Removal, ...] = ()

    @property
    def name(self) -> str:
        """What a person calls the manuscript: its link, or its file's name (never our folders' path)."""
        return self.url or PurePath(self.path).name


@dataclass(frozen=True)
class Voice:
    preset: str = ""
    engine: str = ""
    voice: str = ""
    rate: str = "+0%"
    pitch: str = "+0Hz"
    volume: str = "+0%"


@dataclass(frozen=True)
class Settings:
    pauses: dict[str, int] = field(default_factory=dict)
    loudness: float = -16.0
    true_peak: float = -1.5
    bitrate: str = ""
    formats: tuple[str, ...] = ("mp3",)
    cover: bool = False


@dataclass(frozen=True)
class Files:
    """The render's files by role; "" for one it did not write (null in the JSON)."""

    full: str
    m4b: str = ""
    srt: str = ""
    lrc: str = ""
    playlist: str = ""
    player: str = ""


@dataclass(frozen=True)
class SectionEntry:
    index: int
    title: str
    level: int
    kind: str
    track: int
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class ChunkEntry:
    text: str
    section: int
    paragraph: int
    sentence: int
    part: int
    role: str
    pause_after: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class CueEntry:
    start_ms: int
    end_ms: int
    text: str
    section: int


@dataclass(frozen=True)
class Manifest:
    """One finished render, as its manifest.json records it."""

    speechcast: str
    """The version that wrote it."""
    title: str
    duration_ms: int
    files: Files
    salutation: str = ""
    speaker: str = ""
    date: str = ""
    source: Source = field(default_factory=Source)
    engine: str = ""
    voice: Voice = field(default_factory=Voice)
    settings: Settings = field(default_factory=Settings)
    sample_rate: int = 0
    sizes: dict[str, int] = field(default_factory=dict)
    """File name → bytes, for the audio files (empty in manifests older than the record of sizes)."""
    tracks: tuple[TrackFile, ...] = ()
    sections: tuple[SectionEntry, ...] = ()
    chunks: tuple[ChunkEntry, ...] = ()
    cues: tuple[CueEntry, ...] = ()
    script: str = ""
    """The editable script (Markdown) the render spoke: a re-render in another voice starts from it."""
    render_key: str = ""
    input_key: str = ""
    schema: int = SCHEMA

    def files_written(self) -> list[str]:
        """Every file the render wrote, the main file first and the manifest itself among them."""
        f = self.files
        names = [f.full, *([f.m4b] if f.m4b and f.m4b != f.full else []),
                 *(n for t in self.tracks for n in (t.file, t.lrc)), f.srt, f.lrc, f.playlist, MANIFEST,
                 *([f.player] if f.player else [])]  # fmt: skip
        return list(dict.fromkeys(n for n in names if n))

    def to_json(self) -> str:
        data = asdict(self)
        data["files"] = {role: name or None for role, name in data["files"].items()}
        data["source"]["removed_lines"] = len(self.source.removed)
        order = ["schema", "speechcast", *(k for k in data if k not in ("schema", "speechcast"))]
        return json.dumps({k: data[k] for k in order}, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """The manifest in `text`; Unreadable (with the reason) when it is not one we can trust."""
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise Unreadable("it is not JSON") from None
        try:
            return _manifest(_table(data, "the manifest"))
        except (KeyError, TypeError, ValueError) as exc:
            raise Unreadable(f"it is not a manifest speechcast wrote ({exc})") from None


def read_manifest(folder: Path) -> Manifest | None:
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
        return Manifest.from_json(text)
    except Unreadable as exc:
        raise Unreadable(f"{path}: {exc}: render the manuscript again") from None


def folder_owners(folder: Path) -> set[str]:
    """The manuscripts whose renders a manuscript folder holds ("" for a render an older version made,
    which did not say); empty when it holds none."""
    owners = set()
    for path in folder.glob(f"*/{MANIFEST}") if folder.is_dir() else ():
        try:
            found = read_manifest(path.parent)
        except Unreadable:
            continue  # not a render of ours: it claims nothing
        if found is not None:
            owners.add(found.source.owner)
    return owners


def plain_name(name: str) -> bool:
    """A file name that stays in its folder: no separator, not . or .., not hidden, no NUL."""
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".") and "\x00" not in name


def _manifest(data: dict[str, Any]) -> Manifest:
    schema = _int(data, "schema", 1)
    if schema > SCHEMA:
        raise ValueError(f"its layout {schema} is newer than this version reads ({SCHEMA}): upgrade speechcast")
    files = _table(data["files"], "files")
    voice = _table(data.get("voice", {}), "voice")
    settings = _table(data.get("settings", {}), "settings")
    return Manifest(
        speechcast=_str(data, "speechcast", ""), title=_str(data, "title"), duration_ms=_int(data, "duration_ms"),
        files=Files(*(_name(files, role, optional=role != "full") for role in ("full", "m4b", "srt", "lrc", "playlist", "player"))),
        salutation=_str(data, "salutation", ""), speaker=_str(data, "speaker", ""), date=_str(data, "date", ""),
        source=_source(_table(data.get("source", {}), "source")), engine=_str(data, "engine", ""),
        voice=Voice(*(_str(voice, k, d) for k, d in (("preset", ""), ("engine", ""), ("voice", ""), ("rate", "+0%"), ("pitch", "+0Hz"), ("volume", "+0%")))),
        settings=_settings(settings), sample_rate=_int(data, "sample_rate", 0), sizes=_sizes(data),
        tracks=tuple(TrackFile(_int(t, "number"), _str(t, "title"), _name(t, "file"), _name(t, "lrc", optional=True), _int(t, "start_ms"), _int(t, "end_ms"))
                     for t in _tables(data, "tracks")),
        sections=tuple(SectionEntry(_int(s, "index", 0), _str(s, "title"), _int(s, "level", 1), _str(s, "kind", ""), _int(s, "track", 0),
                                    _int(s, "start_ms"), _int(s, "end_ms", 0)) for s in _tables(data, "sections")),
        chunks=tuple(ChunkEntry(_str(c, "text"), _int(c, "section"), _int(c, "paragraph", least=-1), _int(c, "sentence"), _int(c, "part", 0),
                                _str(c, "role", "body"), _str(c, "pause_after", ""), _int(c, "start_ms"), _int(c, "end_ms")) for c in _tables(data, "chunks")),
        cues=tuple(CueEntry(_int(c, "start_ms"), _int(c, "end_ms"), _str(c, "text"), _int(c, "section", 0)) for c in _tables(data, "cues")),
        script=_str(data, "script", ""), render_key=_str(data, "render_key", ""), input_key=_str(data, "input_key", ""), schema=SCHEMA,
    )  # fmt: skip


def _source(source: dict[str, Any]) -> Source:
    def removals(key: str) -> tuple[Removal, ...]:
        return tuple(
            Removal(_int(r, "line"), _str(r, "text"), _str(r, "reason"), _str(r, "kind", ""), _str(r, "description", "")) for r in _tables(source, key)
        )

    return Source(
        _str(source, "path", ""), _str(source, "sha256", ""), _str(source, "url", ""), _str(source, "owner", ""), removals("removed"), removals("unsure")
    )


def _settings(settings: dict[str, Any]) -> Settings:
    formats = settings.get("formats", ["mp3"])
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        raise TypeError("settings.formats is not a list of names")
    pauses = _table(settings.get("pauses", {}), "settings.pauses")
    return Settings({k: _int(pauses, k) for k in pauses}, _number(settings, "loudness", -16.0), _number(settings, "true_peak", -1.5),
                    _str(settings, "bitrate", ""), tuple(formats), settings.get("cover") is True)  # fmt: skip


def _sizes(data: dict[str, Any]) -> dict[str, int]:
    sizes = _table(data.get("sizes", {}), "sizes")
    if not all(plain_name(k) and isinstance(v, int) and not isinstance(v, bool) and v >= 0 for k, v in sizes.items()):
        raise TypeError("sizes is not a table of file names and byte counts")
    return dict(sizes)


def _table(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{what} is not a table")
    return value


def _tables(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise TypeError(f"{key} is not a list")
    return [_table(item, f"an item of {key}") for item in value]


def _str(data: dict[str, Any], key: str, default: str | None = None) -> str:
    value = data.get(key, default) if default is not None else data[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} is not text")
    return value


def _int(data: dict[str, Any], key: str, default: int | None = None, least: int = 0) -> int:
    value = data.get(key, default) if default is not None else data[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise TypeError(f"{key} is not a count")
    return value


def _number(data: dict[str, Any], key: str, default: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{key} is not a number")
    return float(value)


def _name(data: dict[str, Any], key: str, optional: bool = False) -> str:
    value = data.get(key) if optional else data[key]
    if value is None and optional:
        return ""
    if not isinstance(value, str) or not plain_name(value):
        raise ValueError(f"{key} is not a file name in the render's folder")
    return value
