"""The `speechcast` command: a thin layer over the library (pipeline.render and friends)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .errors import InputError as SpeechcastInputError
from .errors import SettingsError, SpeechcastError

if TYPE_CHECKING:
    from .batch import Request
    from .progress import BatchProgress
    from .render import RenderResult
    from .settings import Pauses
    from .speech.synthesize import Progress

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Turn a Chinese speech manuscript (讲话稿) into audio: chapters, section tracks, subtitles.",
)


INTERRUPTED = "interrupted: finished chunks are cached; run the same command again to continue."


def _err(message: str) -> None:
    typer.echo(f"speechcast: {message}", err=True)


def _stdin(manuscripts: list[str] | None) -> str | None:
    """Standard input's text when a manuscript is given as `-` (read once, whatever its encoding)."""
    if not manuscripts or "-" not in manuscripts:
        return None
    from .text.load import decode_text

    return decode_text(sys.stdin.buffer.read(), Path("(standard input)"))


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"speechcast {__version__}")
        raise typer.Exit()


@app.callback()
def _options(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Say speechcast's version and stop.")) -> None:
    """Turn a Chinese speech manuscript (讲话稿) into audio: chapters, section tracks, subtitles."""


def _use_proxy(proxy: str | None) -> None:
    """--proxy is SPEECHCAST_PROXY for this run: the Edge engine reads it where it reads its address,
    and checks it there (a bad address is one sentence, before any work)."""
    if proxy:
        import os

        from .speech.engines.edge_service import PROXY_VARIABLE

        os.environ[PROXY_VARIABLE] = proxy


def _said(err: SpeechcastError) -> str:
    """The error in the language of the person at the terminal."""
    from .i18n import user_language

    return err.say(user_language())


def _pauses(pairs: list[str], pace: float) -> Pauses:
    import dataclasses

    from .settings import PAUSE_MAX_MS, Pauses

    base = Pauses()
    names = [f.name for f in dataclasses.fields(Pauses)]
    values = {}
    for pair in pairs:
        name, _, ms = pair.partition("=")
        if name not in names or not ms.isdigit():
            raise SettingsError("--pause takes KIND=MILLISECONDS with KIND one of {kinds}, not '{pair}'.", kinds=", ".join(names), pair=pair)
        if int(ms) > PAUSE_MAX_MS:
            raise SettingsError("--pause {pair}: a pause is at most {most} ms (a minute).", pair=pair, most=PAUSE_MAX_MS)
        values[name] = int(ms)
    return dataclasses.replace(base, **values).scaled(pace)


@app.command()
def render(
    manuscripts: list[str] = typer.Argument(
        None,
        metavar="MANUSCRIPT...",
        help="Manuscripts (.txt, .md, .docx, .pdf, .html), folders of them, links, or - for standard input; an edited outline script works too.",
    ),
    text: str | None = typer.Option(None, "--text", help="The manuscript's text itself, instead of (or besides) a file."),
    voice: list[str] = typer.Option(["xiaoxiao"], "--voice", "-v", help="Voice preset (see `speechcast voices`); repeat to render several."),
    engine: str = typer.Option("auto", "--engine", "-e", help="auto (Edge, else offline espeak), edge, or espeak."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output root; files go to OUT/<manuscript>/<voice>/. Default: ./output"),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="Where synthesized chunks are kept for reuse."),
    jobs: int = typer.Option(4, "--jobs", "-j", help="Parallel requests to the engine (1–8)."),
    rate: str | None = typer.Option(None, help="Speaking rate, e.g. +10% or -15%."),
    pitch: str | None = typer.Option(None, help="Pitch, e.g. +5Hz."),
    volume: str | None = typer.Option(None, help="Volume, e.g. -10%."),
    pace: float = typer.Option(1.0, help="Scale every pause (0.5 brisk … 2.0 solemn)."),
    pause: list[str] = typer.Option([], "--pause", help="Set one pause, e.g. --pause sentence=800 (ms); repeatable."),
    loudness: float = typer.Option(-16.0, help="Target loudness in LUFS."),
    max_chars: int | None = typer.Option(None, "--max-chars", help="Longest chunk sent to the engine."),
    no_player: bool = typer.Option(False, "--no-player", help="Do not write the index.html player page."),
    format_: str = typer.Option("mp3", "--format", help="The whole speech as mp3, as an m4b audiobook (AAC, chapters), or both."),
    cover: Path | None = typer.Option(None, "--cover", help="A JPEG or PNG image as the cover of the MP3s and the M4B."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the chunks and estimated duration; synthesize nothing."),
    appendix: bool = typer.Option(False, "--appendix", help="Also speak the appendices after the speech (附件, 附录), each as a section."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only errors."),
    proxy: str | None = typer.Option(
        None, "--proxy", help="Reach Edge through this proxy, e.g. http://proxy.example.com:8080 (default: SPEECHCAST_PROXY, else HTTPS_PROXY)."
    ),
) -> None:
    """Render each MANUSCRIPT to MP3 (with chapters), one MP3 per section, subtitles and a manifest."""
    from .batch import Request, given, render_one

    _use_proxy(proxy)
    from .settings import RenderSettings

    settings = RenderSettings(pauses=_pauses(pause, pace), loudness=loudness, jobs=jobs, max_chunk_chars=max_chars,
                              formats=RenderSettings.formats_named(format_), cover=cover)  # fmt: skip
    request = Request(tuple(voice), engine, rate, pitch, volume, settings, out, cache_dir, not no_player, appendix)
    sources = given(manuscripts or [], text, _stdin(manuscripts), cache_dir)
    if dry_run:
        _dry_run(sources, request, quiet)
    elif len(sources) == 1:
        render_one(sources[0], request, _Terminal(quiet))
    else:
        _batch(sources, request, quiet)


class _Terminal:
    """What a render says as it goes, on the terminal: warnings and results unless -q, a notice of
    what a render replaced always; a synthesis bar of its own, or the batch's view."""

    def __init__(self, quiet: bool, view: BatchProgress | None = None) -> None:
        self.quiet, self.view = quiet, view

    def warning(self, text: str) -> None:
        if not self.quiet:
            _err(f"warning: {text}")

    def notice(self, text: str) -> None:
        _err(f"notice: {text}")

    def finished(self, result: RenderResult) -> None:
        if not self.quiet and self.view is None:
            _report(result)

    def progress(self, manuscript: str) -> Progress | None:
        if self.quiet:
            return None
        if self.view is not None:
            return self.view.manuscript(Path(manuscript).name)
        from .progress import TerminalProgress

        return TerminalProgress.for_terminal()


def _batch(sources: list[str], request: Request, quiet: bool) -> None:
    """Each manuscript in turn; one that fails is named with its reason and the rest go on. A table
    at the end; the exit code is not 0 when any failed."""
    from .batch import render_many
    from .progress import BatchProgress
    from .text.outline import display_width as _width

    rows: list[tuple[str, ...]] = []
    codes: list[int] = []
    view = None if quiet else BatchProgress.for_terminal(len(sources))
    try:
        for outcome in render_many(sources, request, _Terminal(quiet, view)):
            if outcome.error is not None:
                _err(f"{outcome.given}: {_said(outcome.error)}")
                rows.append((outcome.given, "", "", "", "", f"failed: {_said(outcome.error)}"))
                codes.append(outcome.error.exit_code)
            for result in outcome.results:
                minutes, seconds = divmod(round(result.duration_ms / 1000), 60)
                status = "up to date" if result.up_to_date else "rendered"
                # Two manuscripts of one name go to two folders: the folder column says which is which.
                rows.append(
                    (outcome.given, _title(result.out_dir), f"{minutes}:{seconds:02d}", f"{result.engine} {result.preset}", f"{result.out_dir}/", status)
                )
    finally:
        if view is not None:
            view.close()
    if not quiet or codes:
        head = ("file", "title", "duration", "engine", "folder", "status")
        widths = [max(_width(r[k]) for r in [head, *rows]) for k in range(5)]
        for row in [head, *rows]:
            typer.echo("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths)) + "  " + row[5])
        typer.echo(f"{len(sources) - len(codes)} of {len(sources)} manuscripts rendered" + (f"; {len(codes)} failed." if codes else "."))
    if codes:
        raise typer.Exit(max(codes))


def _title(folder: Path) -> str:
    from .publish.record import Unreadable, read_recorded

    try:
        found = read_recorded(folder)
    except Unreadable:
        return ""
    return found.title if found else ""


def _dry_run(sources: list[str], request: Request, quiet: bool) -> None:
    """The chunks each voice would speak and how long it would take; nothing is synthesized."""
    from .batch import read
    from .render import choose_voice, chunk_for
    from .text.duration import script_ms

    for given in sources:
        script = read(given, request.appendix, request.cache)
        for warning in [] if quiet else script.warnings:
            _err(f"warning: {warning}")
        for name in dict.fromkeys(request.voices):
            chosen = choose_voice(name, request.engine, rate=request.rate, pitch=request.pitch, volume=request.volume)
            for warning in [] if quiet else chosen.warnings:
                _err(f"warning: {warning}")
            chunks = chunk_for(script, request.settings, chosen.engine)
            for c in chunks:
                typer.echo(f"[{c.section}.{c.paragraph}.{c.sentence}.{c.part}] {c.role:<10} {c.pause_after:<10} {c.text}")
            minutes, seconds = divmod(round(script_ms(script, request.settings.pauses)[0] / 1000), 60)
            typer.echo(
                f"{len(chunks)} chunks for {chosen.engine.id}:{chosen.preset.settings.voice} ({chosen.preset.name}), "
                f"about {minutes} min {seconds:02d} s of audio. Nothing was synthesized (--dry-run)."
            )


def _report(result: RenderResult) -> None:
    minutes, seconds = divmod(round(result.duration_ms / 1000), 60)
    s = result.synthesis
    if result.up_to_date:
        typer.echo(
            f"Up to date: {minutes} min {seconds:02d} s with {result.engine} voice '{result.preset}', "
            "nothing changed since the last render, so nothing was rewritten."
        )
    else:
        synthesized = s.unique - s.cached
        shared = s.engine_calls not in (0, synthesized)
        requests = f" in {s.engine_calls} request{'s' * (s.engine_calls != 1)}" if shared else ""
        typer.echo(
            f"Rendered {minutes} min {seconds:02d} s with {result.engine} voice '{result.preset}' "
            f"({s.chunks} chunks: {s.cached} from cache, {synthesized} synthesized{requests})."
        )
    typer.echo(f"Output: {result.out_dir}/")
    for path in result.files:
        typer.echo(f"  {path.name}")


@app.command()
def outline(
    manuscripts: list[str] = typer.Argument(
        None, metavar="MANUSCRIPT...", help="Manuscripts (.txt, .md, .docx, .pdf, .html), folders of them, links, or - for standard input."
    ),
    text: str | None = typer.Option(None, "--text", help="The manuscript's text itself, instead of a file."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the editable script (Markdown) here."),
    appendix: bool = typer.Option(False, "--appendix", help="Show the appendices after the speech as sections to be spoken."),
) -> None:
    """Show the structure speechcast found (and what it removed); -o writes an editable script."""
    from .batch import given as named
    from .batch import read
    from .text.outline import describe

    sources = named(manuscripts or [], text, _stdin(manuscripts))
    if output is not None and len(sources) > 1:
        raise SpeechcastInputError("-o writes the script of one manuscript: give one manuscript with -o.")
    if output is not None:
        from .publish.staging import check_target

        check_target(output)
    failed: list[int] = []
    for given in sources:
        if len(sources) > 1:
            typer.echo(f"== {given}")
        try:
            script = read(given, appendix)
        except SpeechcastError as err:
            if len(sources) == 1:
                raise
            _err(f"{given}: {_said(err)}")
            failed.append(err.exit_code)
            continue
        typer.echo(describe(script))
    if failed:
        raise typer.Exit(max(failed))
    if output is not None:
        from .publish.staging import atomic_write_text
        from .text.scriptmd import to_markdown

        atomic_write_text(output, to_markdown(script))
        typer.echo(f"\nEditable script written to {output}: fix it, then `speechcast render {output}`.")


@app.command()
def voices(
    online: bool = typer.Option(False, "--online", help="Also list every Chinese voice the Edge service offers now."),
    proxy: str | None = typer.Option(
        None, "--proxy", help="Reach Edge through this proxy, e.g. http://proxy.example.com:8080 (default: SPEECHCAST_PROXY, else HTTPS_PROXY)."
    ),
) -> None:
    """List voice presets and the engines' voices."""
    _use_proxy(proxy)
    from .speech.engines import engine_classes
    from .speech.presets import load_presets, user_presets_dir

    typer.echo("Presets (use with --voice):")
    for preset in load_presets().values():
        s = preset.settings
        origin = "" if preset.origin == "built-in" else f"  [{preset.origin}]"
        typer.echo(f"  {preset.name:<16} {s.engine:<7} {s.voice:<24} {preset.description}{origin}")
    typer.echo(f"Your own presets: {user_presets_dir()}/*.toml")
    for name, cls in engine_classes().items():
        engine = cls()
        listed = engine.voices()
        if online and engine.needs_network:
            from . import aio

            fetched = aio.run(engine.list_online()) if hasattr(engine, "list_online") else []
            listed = [v for v in fetched if v.locale.startswith("zh")] or listed
        typer.echo(f"\nEngine {name} ({'online' if engine.needs_network else 'offline'}):")
        for v in listed:
            typer.echo(f"  {v.name:<32} {v.locale:<8} {v.gender:<7} {v.description}")


@app.command("open")
def open_(
    target: Path = typer.Argument(..., help="An output folder, or a manuscript rendered before."),
    out: Path | None = typer.Option(None, "--out", "-o", help="The output root the manuscript was rendered into."),
) -> None:
    """Open the player page of a render in the browser (or print where it is)."""
    from .publish.player import open_target
    from .render import latest_render

    typer.echo(open_target(target, lambda manuscript: latest_render(manuscript, out)))


@app.command()
def feed(
    output: Path = typer.Argument(..., help="An output folder holding renders (OUTPUT/<manuscript>/<voice>/)."),
    base_url: str = typer.Option(..., "--base-url", help="Where OUTPUT is served, e.g. http://192.168.1.5:8000/"),
    tracks: bool = typer.Option(False, "--tracks", help="One episode per section track instead of one per render."),
    title: str = typer.Option("", "--title", help="The podcast's title (default: the folder's name)."),
    author: str = typer.Option("speechcast", "--author", help="The podcast's author."),
) -> None:
    """Write OUTPUT/feed.xml, a podcast feed (RSS 2.0, iTunes tags, Podcasting 2.0 chapters) of its renders."""
    from .publish.feed import write_feed

    written = write_feed(output, base_url, tracks=tracks, title=title, author=author, warn=_err)
    typer.echo(f"Feed written to {written}: serve {output} at {base_url} and subscribe to {base_url.rstrip('/')}/feed.xml.")


@app.command()
def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on. 127.0.0.1: this computer only; 0.0.0.0: the network (a token is then required)."
    ),
    port: int = typer.Option(8000, "--port", "-p", help="Port to listen on (0 picks a free one)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="The render library: renders go to OUT/<manuscript>/<voice>/. Default: ./output"),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="Where synthesized chunks are kept for reuse."),
    max_upload: int = typer.Option(20, "--max-upload", help="Largest manuscript accepted, in MB."),
    workers: int = typer.Option(1, "--workers", help="Renders at a time (1–8); the others wait in line."),
    open_browser: bool = typer.Option(False, "--open", help="Open the page in the browser."),
    proxy: str | None = typer.Option(
        None, "--proxy", help="Reach Edge through this proxy, e.g. http://proxy.example.com:8080 (default: SPEECHCAST_PROXY, else HTTPS_PROXY)."
    ),
) -> None:
    """Start the web app: upload a manuscript, check and correct what was understood, render, listen."""
    _use_proxy(proxy)
    from .render import DEFAULT_OUTPUT_ROOT
    from .web.serve import serve as run

    run(host, port, out or DEFAULT_OUTPUT_ROOT, cache=cache_dir, max_upload=max_upload, workers=workers,
        announce=typer.echo, open_browser=open_browser)  # fmt: skip


@app.command()
def doctor(
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="The cache folder to check."),
    out: Path | None = typer.Option(None, "--out", "-o", help="The output root to check (default ./output)."),
    proxy: str | None = typer.Option(
        None, "--proxy", help="Reach Edge through this proxy, e.g. http://proxy.example.com:8080 (default: SPEECHCAST_PROXY, else HTTPS_PROXY)."
    ),
) -> None:
    """Check the MP3 encoder, the engines, the Edge service (and the proxy to it), the cache and output folders."""
    _use_proxy(proxy)
    from .doctor import run_checks
    from .paths import cache_dir as default_cache_dir
    from .render import DEFAULT_OUTPUT_ROOT

    checks = run_checks(cache_dir or default_cache_dir(), out or DEFAULT_OUTPUT_ROOT)
    for check in checks:
        typer.echo(f"{'ok ' if check.ok else 'NO '} {check.name:<14} {check.detail}")
    essential = [c for c in checks if not c.ok and not c.name.startswith("engine edge")]
    if essential:
        raise typer.Exit(1)


def main() -> None:
    try:
        app()
    except SpeechcastError as err:
        _err(_said(err))
        sys.exit(err.exit_code)
    except SystemExit as done:
        if done.code == 130:  # typer's silent answer to a Ctrl-C anywhere in a command
            _err(INTERRUPTED)
        raise
    except (KeyboardInterrupt, ImportError) as stop:
        # Ctrl-C while a C extension initialises (numpy, imported when first needed) arrives as an ImportError.
        if isinstance(stop, ImportError) and not isinstance(stop.__cause__, KeyboardInterrupt):
            raise
        _err(INTERRUPTED)
        sys.exit(130)
