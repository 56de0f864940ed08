"""manifest.json: what was said, by which voice, from what source, and where every section, chunk
and cue sits on the timeline. The player page and later re-renders read it."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import Script, Timeline
from ..settings import RenderSettings, VoiceSettings
from .playlist import TrackFile
from .record import MANIFEST, Unreadable, read_recorded

if TYPE_CHECKING:  # subtitles loads numpy: an unchanged render checks its manifest without it
    from .subtitles import Cue


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
    input_key: str = ""
    """Fingerprint of the source's bytes and the options: a re-render that matches it needs no parsing."""
    owner: str = ""
    """Which manuscript this is (its absolute path or link): renders of others never share its folder."""


def folder_owners(folder: Path) -> set[str]:
    """The manuscripts whose renders a manuscript folder holds ("" for a render an older version made,
    which did not say); empty when it holds none."""
    owners = set()
    for path in folder.glob(f"*/{MANIFEST}") if folder.is_dir() else ():
        try:
            found = read_recorded(path.parent)
        except Unreadable:
            continue  # not a render of ours: it claims nothing
        if found is not None:
            owners.add(found.owner)
    return owners


@dataclass(frozen=True)
class Earlier:
    """The render already in a folder, as its manifest says: what it wrote, and which formats and
    whether a cover it was asked for (all empty when there is none)."""

    files: frozenset[str] = frozenset()
    formats: frozenset[str] = frozenset()
    cover: bool = False


def earlier_render(out_dir: Path) -> Earlier:
    """Read once before a render writes: the files to remove that it does not write again, and what
    the one before was asked for that it may not be."""
    try:
        found = read_recorded(out_dir)
    except Unreadable:
        found = None  # nothing it names is trusted: nothing is removed on its word
    if found is None:
        return Earlier()
    return Earlier(frozenset(found.files()), found.formats, found.cover)


def build_manifest(
    script: Script,
    timeline: Timeline,
    tracks: Sequence[TrackFile],
    cue_list: Sequence[Cue],
    files: dict[str, str | None],
    settings: RenderSettings,
    info: RenderInfo,
    script_markdown: str,
    sizes: dict[str, int] | None = None,
) -> dict[str, Any]:
    ms = timeline.ms
    voice = info.voice
    return {
        "speechcast": info.version,
        "title": script.title,
        "salutation": script.salutation,
        "speaker": script.speaker,
        "date": script.date,
        "source": {
            "path": info.source_path or script.source,
            "sha256": info.source_sha256,
            "url": script.source if script.source.startswith(("http://", "https://")) else "",
            "owner": info.owner,
            "removed_lines": len(script.removed),
            "removed": [{"line": r.line, "text": r.text, "reason": r.reason.code, "kind": r.kind, "description": r.reason.text} for r in script.removed],
            "unsure": [{"line": r.line, "text": r.text, "reason": r.reason.code} for r in script.unsure],
        },
        "engine": voice.engine,
        "voice": {"preset": info.preset, "engine": voice.engine, "voice": voice.voice, "rate": voice.rate, "pitch": voice.pitch, "volume": voice.volume},
        "settings": {
            "pauses": dataclasses.asdict(settings.pauses),
            "loudness": settings.loudness,
            "true_peak": settings.true_peak,
            "bitrate": settings.bitrate,
            "formats": list(settings.formats),
            "cover": settings.cover_image is not None,
        },
        "sample_rate": timeline.sample_rate,
        "duration_ms": ms(timeline.length),
        "files": files,
        "sizes": sizes or {},
        "tracks": [dataclasses.asdict(t) for t in tracks],
        "sections": [
            {
                "index": s.index,
                "title": s.title,
                "level": s.level,
                "kind": script.sections[s.index].kind,
                "track": s.track,
                "start_ms": ms(s.start),
                "end_ms": ms(s.end),
            }
            for s in timeline.sections
        ],
        "chunks": [
            {
                "text": p.chunk.text,
                "section": p.chunk.section,
                "paragraph": p.chunk.paragraph,
                "sentence": p.chunk.sentence,
                "part": p.chunk.part,
                "role": p.chunk.role,
                "pause_after": p.chunk.pause_after,
                "start_ms": ms(p.start),
                "end_ms": ms(p.end),
            }
            for p in timeline.placements
        ],
        "cues": [dataclasses.asdict(c) for c in cue_list],
        "script": script_markdown,
        "render_key": info.render_key,
        "input_key": info.input_key,
    }
