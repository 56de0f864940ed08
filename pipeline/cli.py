"""The `speechcast` command: a thin layer over the library (pipeline.render and friends)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .errors import InputError as SpeechcastInputError
from .errors import OutputError, SettingsError, SpeechcastError
from .terminal import err as _err
from .terminal import said as _said

if TYPE_CHECKING:
    from .settings import Pauses

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Turn a Chinese speech manuscript (讲话稿) into audio: chapters, section tracks, subtitles.",
)


INTERRUPTED = "interrupted: finished chunks are cached; run the same command again to continue."


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
    # --pace scales the pauses left as they are; one given with --pause is exactly what was asked.
    return dataclasses.replace(base.scaled(pace), **values)


@app.command()
def render(
    manuscripts: list[str] = typer.Argument(
        None,
        metavar="MANUSCRIPT...",
        help="Manuscripts (.txt, .md, .docx, .pdf, .html, .ofd), folders of them, links, or - for standard input; an edited outline script works too.",
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
    save: Path | None = typer.Option(None, "--save", "--write-media", help="Also save the whole speech as this .mp3 or .m4b file (one manuscript, one voice)."),
) -> None:
    """Render each MANUSCRIPT to MP3 (with chapters), one MP3 per section, subtitles and a manifest."""
    from .batch import Request, given, render_one
    from .i18n import Message
    from .terminal import Terminal, batch_table, dry_run_of, spoken

    _use_proxy(proxy)
    from .settings import RenderSettings

    settings = RenderSettings(pauses=_pauses(pause, pace), loudness=loudness, jobs=jobs, max_chunk_chars=max_chars,
                              formats=RenderSettings.formats_named(format_), cover=cover)  # fmt: skip
    request = Request(tuple(voice), engine, rate, pitch, volume, settings, out, cache_dir, not no_player, appendix, save)
    sources = given(manuscripts or [], text, _stdin(manuscripts), cache_dir)
    if save is not None and len(sources) != 1:
        raise SettingsError("--save takes one manuscript: render the others without it.")
    if dry_run:
        dry_run_of(sources, request, quiet)
    elif len(sources) == 1:
        render_one(sources[0], request, Terminal(quiet))
        if save is not None and not quiet:
            typer.echo(spoken(Message("The whole speech is also saved as {path}.", path=save)))
    else:
        batch_table(sources, request, quiet)


@app.command()
def outline(
    manuscripts: list[str] = typer.Argument(
        None, metavar="MANUSCRIPT...", help="Manuscripts (.txt, .md, .docx, .pdf, .html, .ofd), folders of them, links, or - for standard input."
    ),
    text: str | None = typer.Option(None, "--text", help="The manuscript's text itself, instead of a file."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the editable script (Markdown) here."),
    appendix: bool = typer.Option(False, "--appendix", help="Show the appendices after the speech as sections to be spoken."),
    readings: bool = typer.Option(False, "--readings", help="Print each sentence with the pinyin the offline voice will speak, and the names to check."),
) -> None:
    """Show the structure speechcast found (and what it removed); -o writes an editable script."""
    from .batch import given as named
    from .batch import read
    from .i18n import user_language
    from .text.outline import describe, said_as

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
        if readings:
            from .text.readings import gathered

            typer.echo(said_as(script, gathered(Path(given) if Path(given).is_file() else None, script.readings)))
        else:
            typer.echo(describe(script, user_language()))
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
def pronounce(
    word: str = typer.Argument(..., help="The word, in Chinese characters (重庆, 单雄信)."),
    reading: list[str] = typer.Argument(None, help="Tone-numbered pinyin, a syllable a character (chong2 qing4), or the characters to say instead."),
    file: Path | None = typer.Option(None, "--file", help="The lexicon to add it to (default: your own, for every render)."),
) -> None:
    """Set how a word is read in every render (or, without a reading, show how it is read now)."""
    from .paths import LEXICON_NAME, config_dir
    from .publish.staging import atomic_write_text
    from .text import readings as lexicons

    path = file or config_dir() / LEXICON_NAME
    known = lexicons.read_file(path) if path.is_file() else lexicons.Lexicon()
    if not reading:
        typer.echo(f"{word} = {' '.join(r for _, r in lexicons.readings(word, known))}")
        return
    added = lexicons.entry(word, " ".join(reading))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError("Cannot create {folder} ({strerror}): give another lexicon with --file.", folder=path.parent, strerror=exc.strerror) from None
    atomic_write_text(path, lexicons.toml_text(added.over(known)))
    (line,) = added.lines()
    typer.echo(f"{line} (in {path}; sent to Edge as {lexicons.sent_text(word, added)})")


@app.command()
def feed(
    output: Path = typer.Argument(..., help="An output folder holding renders (OUTPUT/<manuscript>/<voice>/)."),
    base_url: str = typer.Option(..., "--base-url", help="Where OUTPUT is served, e.g. http://192.168.1.5:8000/"),
    tracks: bool = typer.Option(False, "--tracks", help="One episode per section track instead of one per render."),
    title: str = typer.Option("", "--title", help="The podcast's title (default: the folder's name, unless it is output)."),
    author: str = typer.Option("speechcast", "--author", help="The podcast's author."),
    language: str = typer.Option("", "--language", help="The podcast's language tag (default: zh-tw when most titles are traditional, else zh-cn)."),
) -> None:
    """Write OUTPUT/feed.xml, a podcast feed (RSS 2.0, iTunes tags, Podcasting 2.0 chapters) of its renders."""
    from .publish.feed import write_feed

    written = write_feed(output, base_url, tracks=tracks, title=title, author=author, language=language, warn=_err)
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
