"""What a render says on the terminal: warnings and notices on stderr, each result (or, for a batch,
a table at the end), the dry run's chunks; the command line's side of `batch.Listener`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .errors import SpeechcastError
from .i18n import Message

if TYPE_CHECKING:
    from .batch import Request
    from .progress import BatchProgress
    from .render import RenderResult
    from .speech.synthesize import Progress


def err(message: str) -> None:
    typer.echo(f"speechcast: {message}", err=True)


def said(error: SpeechcastError) -> str:
    """The error in the language of the person at the terminal."""
    return spoken(error.message)


def spoken(message: Message) -> str:
    """A message in the language of the person at the terminal."""
    from .i18n import user_language

    return message.say(user_language())


class Terminal:
    """What a render says as it goes, on the terminal: warnings and results unless -q, a notice of
    what a render replaced always; a synthesis bar of its own, or the batch's view."""

    def __init__(self, quiet: bool, view: BatchProgress | None = None) -> None:
        self.quiet, self.view = quiet, view

    def warning(self, text: Message) -> None:
        if not self.quiet:
            err(f"warning: {spoken(text)}")

    def notice(self, text: Message) -> None:
        err(f"notice: {spoken(text)}")

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


def batch_table(sources: list[str], request: Request, quiet: bool) -> None:
    """Each manuscript in turn; one that fails is named with its reason and the rest go on. A table
    at the end; the exit code is not 0 when any failed."""
    from .batch import render_many
    from .progress import BatchProgress
    from .text.outline import display_width as _width

    rows: list[tuple[str, ...]] = []
    codes: list[int] = []
    view = None if quiet else BatchProgress.for_terminal(len(sources))
    try:
        for outcome in render_many(sources, request, Terminal(quiet, view)):
            if outcome.error is not None:
                err(f"{outcome.given}: {said(outcome.error)}")
                rows.append((outcome.given, "", "", "", "", f"failed: {said(outcome.error)}"))
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
    from .publish.manifest import Unreadable, read_manifest

    try:
        found = read_manifest(folder)
    except Unreadable:
        return ""
    return found.title if found else ""


def dry_run_of(sources: list[str], request: Request, quiet: bool) -> None:
    """The chunks each voice would speak and how long it would take; nothing is synthesized."""
    from .batch import read
    from .render import choose_voice, chunk_for
    from .text.duration import script_ms

    for given in sources:
        script = read(given, request.appendix, request.cache)
        for warning in [] if quiet else script.warnings:
            err(f"warning: {spoken(warning)}")
        for name in dict.fromkeys(request.voices):
            chosen = choose_voice(name, request.engine, rate=request.rate, pitch=request.pitch, volume=request.volume)
            for warning in [] if quiet else chosen.warnings:
                err(f"warning: {spoken(warning)}")
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
