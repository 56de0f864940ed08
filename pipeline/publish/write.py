"""Write a rendered speech to disk: the one place that calls the writers, in order.

Everything is read off one Timeline, so chapters, cues and the manifest agree to the sample. Every
file is staged under a temporary name and renamed into place only when the whole render succeeded;
renders into one folder take turns (see staging.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Concatenate, ParamSpec

from mutagen import MutagenError

from ..errors import OutputError
from ..i18n import Joined, Message
from ..model import Chunk, Script
from ..settings import RenderSettings
from ..sound.assemble import Assembler, Track
from ..sound.audio import AudioSegment
from ..text.dates import iso_date
from ..text.hanzi import is_traditional
from .m4b import M4bWriter
from .manifest import MANIFEST, Files, Manifest
from .mp3 import MP3_LOUDNESS_LOSS_LU, Mp3Cutter, Mp3Writer
from .player import PAGE_NAME as PLAYER_PAGE
from .playlist import TrackFile, m3u8
from .record import RenderInfo, build_manifest, earlier_render
from .sink import AudioSink
from .staging import Staging, folder_turn, safe_filename, temp_name
from .subtitles import cues, lrc, srt
from .tags import Chapter, Mp3Tags, write_tags

if TYPE_CHECKING:  # loudness pulls in numpy FFT set-up: only write_render needs it
    from ..sound.loudness import GainPlan


@dataclass(frozen=True)
class RenderResult:
    out_dir: Path
    full: Path
    tracks: list[Path]
    srt: Path
    lrc: Path
    playlist: Path
    manifest: Path
    player: Path | None
    duration_ms: int
    m4b: Path | None = None
    replaced: Message | None = None
    """What the render in the folder before had that this one was not asked for ("" when nothing)."""

    @property
    def track_count(self) -> int:
        return len(self.tracks)


PlayerHook = Callable[[Manifest], str]
"""Turns the manifest into the player page's HTML (written as index.html with everything else)."""


_P = ParamSpec("_P")


def _owning_the_folder(write: Callable[Concatenate[Path, _P], RenderResult]) -> Callable[Concatenate[Path, _P], RenderResult]:
    """`write(out_dir, …)` run with `out_dir` created and held (see folder_turn), a file system
    that fails under it (full, gone) reported as an OutputError."""

    @functools.wraps(write)
    def wrapper(out_dir: Path, /, *args: _P.args, **kwargs: _P.kwargs) -> RenderResult:
        out_dir = Path(out_dir)
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                "Cannot create the output folder {out_dir} ({strerror}); choose another with -o.", out_dir=out_dir, strerror=exc.strerror
            ) from exc
        with folder_turn(out_dir):
            try:
                return write(out_dir, *args, **kwargs)
            except (OSError, MutagenError) as exc:
                reason = getattr(exc, "strerror", None) or str(exc)
                raise OutputError(
                    "Writing to {out_dir} failed ({reason}); free some space or choose another folder with -o.", out_dir=out_dir, reason=reason
                ) from exc

    return wrapper


@_owning_the_folder
def write_render(
    out_dir: Path,
    script: Script,
    chunks: Sequence[Chunk],
    clip: Callable[[Chunk], AudioSegment],
    settings: RenderSettings,
    sample_rate: int,
    info: RenderInfo,
    script_markdown: str,
    player: PlayerHook | None = None,
) -> RenderResult:
    """Assemble, normalise and write every output file of one render into `out_dir`.

    `clip(chunk)` returns the chunk's decoded, untrimmed audio. `player(manifest)` returns the
    player page's HTML. Either everything is written or nothing changes.
    """
    from ..sound.loudness import measure, plan

    earlier = earlier_render(out_dir)
    staging = Staging()
    if not script.title:  # a manuscript with no title is known by its file's name, in players and file lists alike
        named = PurePath(info.source_path or script.source or "speech").stem
        script = dataclasses.replace(script, title=named)
    stem = safe_filename(script.title, fallback="speech")
    # The tags name the speech's speaker and the day it was given, when its title block says them;
    # otherwise the voice preset that read it (a name a person chose, not an engine's code such as
    # cmn+f3) and the day of the render.
    date = iso_date(script.date) or info.date or datetime.date.today().isoformat()
    artist = script.speaker or info.preset or info.voice.voice
    comment = f"speechcast {info.version}: {info.voice.engine} {info.voice.voice}"
    cover = settings.cover_image
    # The full MP3 is always encoded: the section tracks are cut out of it (with --format m4b it
    # is then dropped). The M4B is fed the very same samples.
    full = Mp3Writer(out_dir / f"{stem}.mp3", sample_rate, settings.bitrate)
    book = None
    if "m4b" in settings.formats:
        book = M4bWriter(out_dir / f"{stem}.m4b", sample_rate, settings.bitrate,
                         Mp3Tags(script.title, artist, script.title, date, comment))  # fmt: skip
    sinks: list[AudioSink] = [full, *([book] if book else [])]
    # One worker normalises and encodes track n while this thread assembles and measures track n+1
    # (the clip callable stays on the caller's thread). Every sample is encoded once, into the full
    # file; the section files are cut out of it afterwards (Mp3Cutter).
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="speechcast-encode")
    encoding: Future[None] | None = None
    try:
        spoken = script.title + "".join(p for s in script.sections for p in s.paragraphs)
        assembler = Assembler(script.sections, chunks, clip, settings.pauses, sample_rate, spool_dir=out_dir, traditional=is_traditional(spoken))
        ms = assembler.timeline.ms
        track_files: list[TrackFile] = []
        cuts: list[tuple[Path, int, int, Mp3Tags]] = []
        for track in assembler.tracks():
            with _closing_on_error(track):
                measured = measure((b for _, b in track.blocks()), sample_rate)
                gain = plan(measured, track.read, settings.loudness + MP3_LOUDNESS_LOSS_LU, settings.true_peak)
                if encoding is not None:
                    encoding.result()
                encoding = worker.submit(_encode_track, track, gain, sinks)
            name = f"{track.number:02d}-{safe_filename(track.title, fallback='section')}"
            temp = temp_name(out_dir / f"{name}.mp3")
            staging.add(temp, out_dir / f"{name}.mp3")
            tags = Mp3Tags(track.title, artist, script.title, date, comment, f"{track.number}/{assembler.track_count}", cover=cover)
            cuts.append((temp, track.start, track.length, tags))
            track_files.append(TrackFile(track.number, track.title, f"{name}.mp3", f"{name}.lrc", ms(track.start), ms(track.end)))
        if encoding is not None:
            encoding.result()
        timeline = assembler.timeline
        full_temp = full.finish()
        staging.add(full_temp, full.path)  # staged even when dropped: a failure from here on deletes it
        Mp3Cutter(full_temp).cut([(temp, start, length) for temp, start, length, _ in cuts])
        for temp, _, _, tags in cuts:
            write_tags(temp, tags)
        chapters = [Chapter(s.title, ms(s.start), ms(s.end)) for s in timeline.sections]
        main = full.path.name
        if "mp3" in settings.formats:
            write_tags(full_temp, Mp3Tags(script.title, artist, script.title, date, comment, chapters=chapters, cover=cover))
        else:
            staging.drop(full_temp)
        if book is not None:
            staging.add(book.finish(chapters, cover), book.path)
            main = main if "mp3" in settings.formats else book.path.name

        cue_list = cues(timeline)
        for t in track_files:
            own = [c for c in cue_list if t.start_ms <= c.start_ms < t.end_ms]
            staging.write_text(out_dir / t.lrc, lrc(own, title=t.title, offset_ms=t.start_ms))
        subtitles, lyrics, playlist = f"{stem}.srt", f"{stem}.lrc", "playlist.m3u8"
        files = Files(main, book.path.name if book else "", subtitles, lyrics, playlist, PLAYER_PAGE if player is not None else "")
        staging.write_text(out_dir / subtitles, srt(cue_list))
        staging.write_text(out_dir / lyrics, lrc(cue_list, title=script.title))
        staging.write_text(out_dir / playlist, m3u8(track_files))
        # The audio's sizes as committed: the up-to-date test checks them (a file replaced by hand or
        # left from a commit cut short is not this render's).
        sizes = staging.sizes((".mp3", ".m4b"))
        manifest = build_manifest(script, timeline, track_files, cue_list, files, settings, info, script_markdown, sizes)
        player_path = None
        if player is not None:
            player_path = out_dir / PLAYER_PAGE
            staging.write_text(player_path, player(manifest))
        staging.write_text(out_dir / MANIFEST, manifest.to_json())
        staging.commit(record=MANIFEST)
    except BaseException:
        full.abort()  # unblocks a worker still feeding it
        if book is not None:
            book.abort()
        worker.shutdown(wait=True, cancel_futures=True)
        staging.abort()
        raise
    worker.shutdown()
    written = set(manifest.files_written())
    for stale in earlier.files - written:
        (out_dir / stale).unlink(missing_ok=True)
    return RenderResult(
        out_dir, full.path, [out_dir / t.file for t in track_files], out_dir / subtitles, out_dir / lyrics,
        out_dir / playlist, out_dir / MANIFEST, player_path, ms(timeline.length),
        out_dir / book.path.name if book else None, _replaced(set(earlier.formats - set(settings.formats)), earlier.cover and not cover),
    )  # fmt: skip


def _replaced(formats: set[str], cover: bool) -> Message | None:
    """One sentence naming what the render before had and this one does not, and how to have it back."""
    gone = [*(Message("its {format}", format=f.upper()) for f in sorted(formats)), *([Message("its cover")] if cover else [])]
    if not gone:
        return None
    again = " ".join([*(["--format both"] if formats else []), *(["--cover IMAGE"] if cover else [])])
    return Message("this render replaced the one before in this folder: {gone} went (render with {again} to have them back)", gone=Joined(*gone), again=again)


@contextlib.contextmanager
def _closing_on_error(track: Track) -> Iterator[None]:
    """Until the worker owns `track`, a failure must release it here."""
    try:
        yield
    except BaseException:
        track.close()
        raise


def _encode_track(track: Track, gain: GainPlan, sinks: Sequence[AudioSink]) -> None:
    """Feed one normalised track to the full files' encoders."""
    with track:
        for offset, block in track.blocks():
            pcm = gain.apply(block, offset)
            for sink in sinks:
                sink.write(pcm)
