"""`render()`: the library call behind `speechcast render` — manuscript in, audio folder out."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, aio
from .errors import EngineError, InputError, OutputError, SettingsError
from .i18n import Message
from .model import Chunk, Script, Warn
from .paths import cache_dir as default_cache_dir
from .paths import writable_base
from .settings import RenderSettings
from .speech.cache import ChunkCache
from .speech.engines import Engine, get_engine
from .speech.presets import DEFAULT_PRESET, Preset, load_presets, resolve, with_overrides
from .speech.synthesize import Progress, Synthesis, SynthesisReport, plan

if TYPE_CHECKING:  # the audio stack loads numpy: an up-to-date check goes without it
    from .publish.manifest import Manifest
    from .sound.audio import AudioSegment
    from .text.readings import Lexicon

#: Speaking speed used for estimates before any audio exists (characters a minute).

DEFAULT_OUTPUT_ROOT = Path("output")


@dataclass
class Voice:
    """The preset that will actually speak, and its engine (after any offline fallback)."""

    preset: Preset
    engine: Engine
    warnings: list[Message] = field(default_factory=list)


@dataclass
class RenderResult:
    out_dir: Path
    preset: str
    engine: str
    duration_ms: int
    files: list[Path]
    synthesis: SynthesisReport
    warnings: list[Message]
    up_to_date: bool = False
    """Nothing that shapes the output changed since the render already in out_dir: nothing was rewritten."""
    replaced: Message | None = None
    """What the render before in out_dir had that this one was not asked for (an M4B, a cover): said, never silent."""


def render_key(script_md: str, chunks: list[Chunk], keys: dict[Chunk, str], voice: Voice, settings: RenderSettings, source_hash: str, player: bool) -> str:
    """Fingerprint of everything that shapes a render's files (but not how fast it is made)."""
    shape = [
        __version__,
        voice.preset.name,
        dataclasses.asdict(voice.preset.settings),
        source_hash,
        script_md,
        player,
        dataclasses.asdict(settings.pauses),
        settings.loudness,
        settings.true_peak,
        settings.bitrate,
        list(settings.formats),
        _cover_hash(settings),
        [(keys[c], c.section, c.paragraph, c.sentence, c.part, c.role, c.pause_after) for c in chunks],
    ]
    return hashlib.sha256(json.dumps(shape, ensure_ascii=False).encode("utf-8")).hexdigest()


def _cover_hash(settings: RenderSettings) -> str:
    """The cover by its bytes: the same picture under another name changes nothing."""
    image = settings.cover_image
    return hashlib.sha256(image).hexdigest() if image else ""


def input_key(source: Path, source_hash: str, voice: Voice, settings: RenderSettings, player: bool, appendix: bool) -> str:
    """Fingerprint of what a render is made from, before the front end reads a line: speechcast's
    version (the front end's rules), the source's bytes, the lexicons' bytes, the voice and every
    option that shapes the files. Equal input keys make equal render keys, so a match needs no
    parsing at all."""
    from .paths import lexicon_files

    options = {k: v for k, v in dataclasses.asdict(settings).items() if k != "jobs"} | {"cover": _cover_hash(settings)}
    engine = voice.engine
    lexicons = [hashlib.sha256(path.read_bytes()).hexdigest() for path in lexicon_files(source)]
    shape = [__version__, voice.preset.name, dataclasses.asdict(voice.preset.settings), engine.id, engine.version,
             engine.chunk_chars, source_hash, player, appendix, options, lexicons]  # fmt: skip
    return hashlib.sha256(json.dumps(shape, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()


def unchanged(source: str | Path, voice: Voice, *, settings: RenderSettings | None = None, out_root: Path | None = None,
              player: bool = True, appendix: bool = False) -> RenderResult | None:  # fmt: skip
    """The render already on disk when the source's bytes and every option are what it was made
    from, judged without reading the manuscript (None when that cannot be said: then ask plan_render(…).existing)."""
    try:
        source_hash = hashlib.sha256(Path(source).read_bytes()).hexdigest()
        out_dir = output_dir(source, voice.preset.name, out_root)
    except OSError:
        return None
    recorded = _recorded(out_dir)
    if recorded is None or recorded.input_key != input_key(Path(source), source_hash, voice, settings or RenderSettings(), player, appendix):
        return None
    found = _existing(out_dir, recorded, recorded.render_key)
    if found is None:
        return None
    return RenderResult(out_dir, voice.preset.name, voice.engine.id, found[0], found[1], SynthesisReport(chunks=len(recorded.chunks)),
                        list(voice.warnings), up_to_date=True)  # fmt: skip


def _recorded(out_dir: Path) -> Manifest | None:
    """The render in out_dir as its manifest says, None when there is none or none to trust."""
    from .publish.manifest import Unreadable, read_manifest  # light: no numpy, no writers

    try:
        return read_manifest(out_dir)
    except (OSError, Unreadable):
        return None


def _existing(out_dir: Path, recorded: Manifest | None, key: str) -> tuple[int, list[Path]] | None:
    """(duration, files) of the recorded render when it was made with `key` and is complete: every
    file it lists there, the audio at the size it recorded."""
    if recorded is None or recorded.render_key != key:
        return None
    files = [out_dir / name for name in recorded.files_written()]
    for path in files:
        try:
            size = path.stat().st_size if path.is_file() else None
        except OSError:
            size = None
        if size is None or recorded.sizes.get(path.name, size) != size:
            return None
    return recorded.duration_ms, files


def choose_voice(name: str = DEFAULT_PRESET, engine: str = "auto", *, rate: str | None = None,
                 pitch: str | None = None, volume: str | None = None, probe_timeout: float = 3.0,
                 probe: bool = True) -> Voice:  # fmt: skip
    """Resolve a preset and pick its engine; `auto` falls back to the preset's offline voice
    when the online engine does not answer a quick probe (with `probe` False: the preset's own
    engine, unasked)."""
    if engine != "auto":
        get_engine(engine)  # an unknown engine is named, with the known ones, before anything else
    presets = load_presets()
    preset = with_overrides(resolve(name, presets), rate, pitch, volume)
    wanted = preset.settings.engine
    if engine not in ("auto", wanted):
        # An explicit engine other than the preset's own: use the preset's fallback if it matches.
        fallback = resolve(preset.fallback, presets) if preset.fallback else None
        if fallback is None or fallback.settings.engine != engine:
            raise SettingsError(
                "Voice '{name}' speaks with {wanted}, not {engine}: pick a voice of that engine (`speechcast voices`).",
                name=preset.name,
                wanted=wanted,
                engine=engine,
            )
        preset = with_overrides(fallback, rate, pitch, volume)
        wanted = engine
    chosen = get_engine(wanted)
    chosen.check_voice(preset.settings.voice)
    warnings: list[Message] = []
    if probe and engine == "auto" and chosen.needs_network and not aio.run(chosen.available(probe_timeout)):
        if not preset.fallback:
            raise EngineError(
                "The {wanted} service cannot be reached and voice '{name}' has no offline fallback: check the network or pick an offline voice.",
                wanted=wanted,
                name=preset.name,
            )
        offline = with_overrides(resolve(preset.fallback, presets), rate, pitch, volume)
        warnings.append(Warn.OFFLINE_FALLBACK(wanted=wanted, offline=offline.name, preset=preset.name))
        preset = offline
        chosen = get_engine(preset.settings.engine)
        chosen.check_voice(preset.settings.voice)
    return Voice(preset, chosen, warnings)


def output_dir(source: str | Path, preset: str, root: Path | None = None, owner: str | None = None) -> Path:
    """output/<manuscript name>/<voice>/ — voices of one manuscript sit side by side. Another
    manuscript of the same name (讲话.docx from another meeting's folder) gets a folder of its own,
    <name>-2, <name>-3: a render never replaces another manuscript's."""
    from .publish.manifest import folder_owners
    from .publish.staging import safe_filename

    base, stem, owner = Path(root or DEFAULT_OUTPUT_ROOT), safe_filename(Path(source).stem), owner or owner_of(source)
    number = 1
    while True:
        folder = base / (stem if number == 1 else f"{stem}-{number}")
        owners = folder_owners(folder)
        if not owners or owner in owners or "" in owners:  # new, this manuscript's, or one an older version made
            return folder / safe_filename(preset)
        number += 1


def owner_of(source: str | Path) -> str:
    """What makes a manuscript the same one across renders: its link, or its file's absolute path."""
    text = str(source)
    return text if text.startswith(("http://", "https://")) else str(Path(source).resolve())


def latest_render(source: str | Path, root: Path | None = None) -> Path:
    """The voice folder of `source` rendered most recently (the default voice's when none is)."""
    voices = output_dir(source, DEFAULT_PRESET, root).parent
    pages = sorted(voices.glob("*/manifest.json"), key=lambda p: p.stat().st_mtime) if voices.is_dir() else []
    return pages[-1].parent if pages else voices / DEFAULT_PRESET


_SECONDS_PER_CHARACTER = 1.5
"""Far slower than any voice at any rate reads (about 0.2 s a character): more is no speech of the text."""


def _plausible(clip: AudioSegment, chunk: Chunk) -> AudioSegment:
    """`clip` when its length fits its text; ValueError (a damaged cache entry) when it cannot be its speech."""
    if len(clip) / 1000 > 3 + _SECONDS_PER_CHARACTER * len(chunk.text):
        raise ValueError(f"{len(clip) / 1000:.0f} s of audio for {len(chunk.text)} characters")
    return clip


def check_writable(folder: Path) -> None:
    """Fail before any synthesis when `folder` could not be written, creating nothing to find out."""
    try:
        writable_base(folder)
    except OSError as err:
        raise OutputError("The output folder {folder} cannot be written ({strerror}): choose another with -o.", folder=folder, strerror=err.strerror) from None


def chunk_for(script: Script, settings: RenderSettings, engine: Engine) -> list[Chunk]:
    from .text.split import split_script

    return split_script(script, max_chars=settings.max_chunk_chars or engine.chunk_chars)


def read_as_set(chunks: list[Chunk], voice: Voice, lexicon: Lexicon) -> list[Chunk]:
    """Each chunk with what its engine is to be sent so the lexicon's readings hold (see Engine.sent)."""
    engine, settings = voice.engine, voice.preset.settings
    return [dataclasses.replace(c, sent=engine.sent(c.text, lexicon, settings)) for c in chunks]


def describe_chunk(script: Script, chunk: Chunk) -> str:
    """Where a chunk sits, in words a user can find in the manuscript."""
    section = script.sections[chunk.section]
    where = f"section '{section.title}'" if section.title else f"the {section.kind}"
    excerpt = chunk.text[:16] + ("…" if len(chunk.text) > 16 else "")
    if chunk.paragraph < 0:
        return f"The {chunk.role} of {where} (“{excerpt}”)"
    return f"Paragraph {chunk.paragraph + 1}, sentence {chunk.sentence + 1} of {where} (“{excerpt}”)"


@dataclass(frozen=True)
class RenderPlan:
    """What a render of one manuscript in one voice will be, worked out without engine or network:
    worked out once, asked whether it is on disk already, then made."""

    source: Path
    script: Script
    settings: RenderSettings
    chunks: list[Chunk]
    keys: dict[Chunk, str]
    key: str
    """The render key: equal keys make equal files."""
    source_hash: str
    script_md: str
    out_dir: Path
    owner: str
    """Which manuscript this is (see output_dir)."""
    voice: tuple[str, str]
    """The preset and the engine it was worked out for (a fallback voice needs a plan of its own)."""
    named: str
    """What a person calls the manuscript (recorded in the manifest): its path, or the name given."""

    def fits(self, voice: Voice) -> bool:
        return self.voice == (voice.preset.name, voice.engine.id)

    def existing(self, voice: Voice) -> RenderResult | None:
        """The render already in out_dir when it was made with this very key, complete: nothing that
        shapes it changed. Asks no engine anything, so with a voice chosen without probing
        (choose_voice(probe=False)) an unchanged render is confirmed without the network."""
        found = _existing(self.out_dir, _recorded(self.out_dir), self.key)
        if found is None:
            return None
        untouched = SynthesisReport(chunks=len(self.chunks), unique=len(set(self.keys.values())), keys=self.keys)
        return RenderResult(self.out_dir, voice.preset.name, voice.engine.id, found[0], found[1], untouched,
                            list(voice.warnings) + list(self.script.warnings), up_to_date=True)  # fmt: skip


def plan_render(source: str | Path, voice: Voice, script: Script | None = None, settings: RenderSettings | None = None,
                out_root: Path | None = None, player: bool = True, owner: str | None = None, named: str | None = None) -> RenderPlan:  # fmt: skip
    from .text.manuscript import load_script
    from .text.readings import gathered
    from .text.scriptmd import to_markdown

    source = Path(source)
    settings = settings or RenderSettings()
    script = script or load_script(source)
    chunks = read_as_set(chunk_for(script, settings, voice.engine), voice, gathered(source, script.readings))
    if not chunks:
        raise InputError("{source} holds no speech to render: check the file with `speechcast outline`.", source=source)
    try:
        source_hash = hashlib.sha256(source.read_bytes()).hexdigest()
    except OSError:  # an in-memory script rendered under a made-up name
        source_hash = ""
    script_md = to_markdown(script)
    keys = plan(chunks, voice.engine, voice.preset.settings)
    key = render_key(script_md, chunks, keys, voice, settings, source_hash, player)
    owner = owner or owner_of(source)
    out_dir = output_dir(source, voice.preset.name, out_root, owner)
    return RenderPlan(source, script, settings, chunks, keys, key, source_hash, script_md, out_dir, owner, (voice.preset.name, voice.engine.id),
                      named or str(source))  # fmt: skip


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
    appendix: bool = False,
    cancel: threading.Event | None = None,
    owner: str | None = None,
    planned: RenderPlan | None = None,
    named: str | None = None,
) -> RenderResult:
    """Render one manuscript in one voice. Pass `script` to reuse an already loaded front end;
    setting `cancel` stops the render (Cancelled), leaving the output folder as it was. `owner`
    says which manuscript this is when its path does not (the web app's draft, rendered from a new
    file each time): renders of one owner share a folder, others never do. `planned` is the plan
    already worked out (to ask whether it is on disk), used when it is for this very voice. `named` is
    what a person calls the manuscript when the file rendered is not it (the web app renders a
    draft's script: the manifest names the upload)."""
    from .publish.staging import one_render_at_a_time

    voice = voice or choose_voice()
    todo = planned if planned is not None and planned.fits(voice) else plan_render(source, voice, script, settings, out_root, player, owner, named)
    done = todo.existing(voice)
    if done is not None:
        return done
    with one_render_at_a_time(todo.out_dir, cancel):
        # A render into the same folder that finished while this one waited may be this very one.
        return todo.existing(voice) or _make(todo, voice, cache, progress, player, appendix, cancel)


def _make(todo: RenderPlan, voice: Voice, cache: Path | None, progress: Progress | None, player: bool, appendix: bool,
          cancel: threading.Event | None) -> RenderResult:  # fmt: skip
    """Synthesize what the cache lacks and write every file of one render (its folder held)."""
    from .publish.record import RenderInfo
    from .publish.write import write_render
    from .sound.audio import decode

    script, settings, chunks, key = todo.script, todo.settings, todo.chunks, todo.key
    source_hash, script_md, out_dir = todo.source_hash, todo.script_md, todo.out_dir
    engine, vs = voice.engine, voice.preset.settings
    store = ChunkCache(cache or default_cache_dir())
    store.ensure_writable()
    check_writable(out_dir)

    def where(chunk: Chunk) -> str:
        return describe_chunk(script, chunk)

    # Synthesis runs ahead on its own thread; assembly takes each chunk as soon as it is cached.
    job = Synthesis(chunks, engine, vs, store, jobs=settings.jobs, progress=progress, describe=where).start()
    report = job.report

    def clip(chunk: Chunk) -> AudioSegment:
        return job.audio(chunk, lambda speech: _plausible(decode(speech), chunk), cancel)

    info = RenderInfo(__version__, vs, voice.preset.name, todo.named, source_hash, render_key=key, owner=todo.owner,
                      input_key=input_key(todo.source, source_hash, voice, settings, player, appendix) if source_hash else "")  # fmt: skip
    page = None
    if player:
        from .publish.player import render_page

        page = render_page
    created = [d for d in (out_dir, *out_dir.parents) if not d.exists()]
    try:
        written = write_render(out_dir, script, chunks, clip, settings, clip(chunks[0]).frame_rate, info, script_md, player=page, progress=progress)
    except BaseException:
        job.cancel()
        for folder in created:  # deepest first: a failed first render leaves no empty folders behind
            with contextlib.suppress(OSError):  # not empty (another render's) or never made
                folder.rmdir()
        raise
    job.finish()
    return RenderResult(
        out_dir=out_dir,
        preset=voice.preset.name,
        engine=engine.id,
        duration_ms=written.duration_ms,
        files=[
            *([written.full] if "mp3" in settings.formats else []),
            *([written.m4b] if written.m4b else []),
            *(p for t in written.tracks for p in (t, t.with_suffix(".lrc"))),
            written.srt,
            written.lrc,
            written.playlist,
            written.manifest,
            *([written.player] if written.player else []),
        ],
        synthesis=report,
        warnings=list(voice.warnings) + list(script.warnings),
        replaced=written.replaced,
    )
