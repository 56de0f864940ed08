"""`render()`: the library call behind `speechcast render` — manuscript in, audio folder out."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, aio
from .cache import ChunkCache
from .engines import Engine, get_engine
from .errors import EngineError, InputError, SettingsError
from .model import Chunk, Script
from .paths import cache_dir as default_cache_dir
from .presets import DEFAULT_PRESET, Preset, load_presets, resolve, with_overrides
from .settings import RenderSettings
from .synthesize import Progress, Synthesis, SynthesisReport

#: Speaking speed used for estimates before any audio exists (characters a minute).
CHARS_PER_MINUTE = 260

DEFAULT_OUTPUT_ROOT = Path("output")


@dataclass
class Voice:
    """The preset that will actually speak, and its engine (after any offline fallback)."""

    preset: Preset
    engine: Engine
    warnings: list[str] = field(default_factory=list)


@dataclass
class RenderResult:
    out_dir: Path
    preset: str
    engine: str
    duration_ms: int
    files: list[Path]
    synthesis: SynthesisReport
    warnings: list[str]


def choose_voice(name: str = DEFAULT_PRESET, engine: str = "auto", *, rate: str | None = None,
                 pitch: str | None = None, volume: str | None = None, probe_timeout: float = 3.0) -> Voice:
    """Resolve a preset and pick its engine; `auto` falls back to the preset's offline voice
    when the online engine does not answer a quick probe."""
    presets = load_presets()
    preset = with_overrides(resolve(name, presets), rate, pitch, volume)
    wanted = preset.settings.engine
    if engine not in ("auto", wanted):
        # An explicit engine other than the preset's own: use the preset's fallback if it matches.
        fallback = resolve(preset.fallback, presets) if preset.fallback else None
        if fallback is None or fallback.settings.engine != engine:
            raise SettingsError(
                f"Voice '{preset.name}' speaks with {wanted}, not {engine}: pick a voice of that engine (`speechcast voices`)."
            )
        preset = with_overrides(fallback, rate, pitch, volume)
        wanted = engine
    chosen = get_engine(wanted)
    chosen.check_voice(preset.settings.voice)
    warnings: list[str] = []
    if engine == "auto" and chosen.needs_network and not aio.run(chosen.available(probe_timeout)):
        if not preset.fallback:
            raise EngineError(f"The {wanted} service cannot be reached and voice '{preset.name}' has no offline fallback: check the network or pick an offline voice.")
        offline = with_overrides(resolve(preset.fallback, presets), rate, pitch, volume)
        warnings.append(
            f"The {wanted} service could not be reached: speaking offline with '{offline.name}' "
            f"(robotic but clear); run again online for '{preset.name}'."
        )
        preset = offline
        chosen = get_engine(preset.settings.engine)
        chosen.check_voice(preset.settings.voice)
    return Voice(preset, chosen, warnings)


def output_dir(source: str | Path, preset: str, root: Path | None = None) -> Path:
    """output/<manuscript name>/<voice>/ — voices of one manuscript sit side by side."""
    from .export import safe_filename

    return Path(root or DEFAULT_OUTPUT_ROOT) / safe_filename(Path(source).stem) / safe_filename(preset)


def latest_render(source: str | Path, root: Path | None = None) -> Path:
    """The voice folder of `source` rendered most recently (the default voice's when none is)."""
    voices = output_dir(source, DEFAULT_PRESET, root).parent
    pages = sorted(voices.glob("*/manifest.json"), key=lambda p: p.stat().st_mtime) if voices.is_dir() else []
    return pages[-1].parent if pages else voices / DEFAULT_PRESET


def chunk_for(script: Script, settings: RenderSettings, engine: Engine) -> list[Chunk]:
    from .split import split_script

    return split_script(script, max_chars=settings.max_chunk_chars or engine.chunk_chars)


def describe_chunk(script: Script, chunk: Chunk) -> str:
    """Where a chunk sits, in words a user can find in the manuscript."""
    section = script.sections[chunk.section]
    where = f"section '{section.title}'" if section.title else f"the {section.kind}"
    excerpt = chunk.text[:16] + ("…" if len(chunk.text) > 16 else "")
    if chunk.paragraph < 0:
        return f"The {chunk.role} of {where} (“{excerpt}”)"
    return f"Paragraph {chunk.paragraph + 1}, sentence {chunk.sentence + 1} of {where} (“{excerpt}”)"


def estimate_ms(chunks: list[Chunk], settings: RenderSettings) -> int:
    speech = sum(len(c.text) for c in chunks) * 60_000 / CHARS_PER_MINUTE
    pauses = sum(settings.pauses.after(c.pause_after) for c in chunks) + settings.pauses.lead_in
    return round(speech + pauses)


def render(
    source: str | Path,
    voice: Voice | None = None,
    *,
    script: Script | None = None,
    settings: RenderSettings | None = None,
    out_root: Path | None = None,
    cache: Path | None = None,
    progress: Progress | None = None,
    player: bool = True,
) -> RenderResult:
    """Render one manuscript in one voice. Pass `script` to reuse an already loaded front end."""
    from .audio import decode
    from .export import RenderInfo, write_render
    from .manuscript import load_script
    from .scriptmd import to_markdown

    source = Path(source)
    settings = settings or RenderSettings()
    voice = voice or choose_voice()
    script = script or load_script(source)
    engine, vs = voice.engine, voice.preset.settings
    chunks = chunk_for(script, settings, engine)
    if not chunks:
        raise InputError(f"{source} holds no speech to render: check the file with `speechcast outline`.")

    store = ChunkCache(cache or default_cache_dir())
    store.ensure_writable()
    out_dir = output_dir(source, voice.preset.name, out_root)

    def where(chunk: Chunk) -> str:
        return describe_chunk(script, chunk)

    # Synthesis runs ahead on its own thread; assembly takes each chunk as soon as it is cached.
    job = Synthesis(chunks, engine, vs, store, jobs=settings.jobs, progress=progress, describe=where).start()
    report = job.report

    def clip(chunk: Chunk):
        key = report.keys[chunk]
        job.wait(key)
        for _ in range(2):
            speech = store.get(key)
            if speech is not None:
                try:
                    return decode(speech)
                except ValueError:
                    store.discard(key)  # damaged audio: speak it again rather than play garbage
            store.put(key, aio.run(engine.synthesize(chunk.text, vs)))
            report.engine_calls += 1
        raise EngineError(f"{where(chunk)} gave audio that cannot be decoded, twice: try another voice or engine.")

    try:
        source_hash = hashlib.sha256(source.read_bytes()).hexdigest()
    except OSError:  # an in-memory script rendered under a made-up name
        source_hash = ""
    info = RenderInfo(__version__, vs, voice.preset.name, str(source), source_hash)
    page = None
    if player:
        from .player import render_page

        page = render_page
    created = [d for d in (out_dir, *out_dir.parents) if not d.exists()]
    try:
        written = write_render(
            out_dir, script, chunks, clip, settings, clip(chunks[0]).frame_rate, info, to_markdown(script), player=page
        )
    except BaseException:
        job.cancel()
        for folder in created:  # deepest first: a failed first render leaves no empty folders behind
            try:
                folder.rmdir()
            except OSError:  # not empty (another render's) or never made
                pass
        raise
    job.finish()
    return RenderResult(
        out_dir=out_dir,
        preset=voice.preset.name,
        engine=engine.id,
        duration_ms=written.duration_ms,
        files=[written.full, *written.tracks, written.srt, written.lrc, written.playlist, written.manifest]
        + ([written.player] if written.player else []),
        synthesis=report,
        warnings=list(voice.warnings) + list(script.warnings),
    )
