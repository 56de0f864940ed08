"""What a render records about itself: who spoke and from what (RenderInfo), the manifest built
from its script and timeline, and what an earlier render in a folder left there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Script, Timeline
from ..settings import RenderSettings, VoiceSettings
from .manifest import ChunkEntry, CueEntry, Files, Manifest, Removal, SectionEntry, Settings, Source, Unreadable, Voice, read_manifest
from .playlist import TrackFile

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
        found = read_manifest(out_dir)
    except Unreadable:
        found = None  # nothing it names is trusted: nothing is removed on its word
    if found is None:
        return Earlier()
    return Earlier(frozenset(found.files_written()), frozenset(found.settings.formats), found.settings.cover)


def build_manifest(
    script: Script,
    timeline: Timeline,
    tracks: Sequence[TrackFile],
    cue_list: Sequence[Cue],
    files: Files,
    settings: RenderSettings,
    info: RenderInfo,
    script_markdown: str,
    sizes: dict[str, int] | None = None,
) -> Manifest:
    ms = timeline.ms
    voice = info.voice
    source = Source(
        path=info.source_path or script.source,
        sha256=info.source_sha256,
        url=script.source if script.source.startswith(("http://", "https://")) else "",
        owner=info.owner,
        removed=tuple(Removal(r.line, r.text, r.reason.code, r.kind, r.reason.text) for r in script.removed),
        unsure=tuple(Removal(r.line, r.text, r.reason.code) for r in script.unsure),
    )
    return Manifest(
        speechcast=info.version, title=script.title, duration_ms=ms(timeline.length), files=files,
        salutation=script.salutation, speaker=script.speaker, date=script.date, source=source, engine=voice.engine,
        voice=Voice(info.preset, voice.engine, voice.voice, voice.rate, voice.pitch, voice.volume),
        settings=Settings(asdict(settings.pauses), settings.loudness, settings.true_peak, settings.bitrate, tuple(settings.formats), settings.cover_image is not None),
        sample_rate=timeline.sample_rate, sizes=dict(sizes or {}), tracks=tuple(tracks),
        sections=tuple(SectionEntry(s.index, s.title, s.level, script.sections[s.index].kind, s.track, ms(s.start), ms(s.end)) for s in timeline.sections),
        chunks=tuple(ChunkEntry(p.chunk.text, p.chunk.section, p.chunk.paragraph, p.chunk.sentence, p.chunk.part, p.chunk.role, p.chunk.pause_after,
                                ms(p.start), ms(p.end)) for p in timeline.placements),
        cues=tuple(CueEntry(c.start_ms, c.end_ms, c.text, c.section) for c in cue_list),
        script=script_markdown, render_key=info.render_key, input_key=info.input_key,
    )  # fmt: skip
