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
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Concatenate, ParamSpec

from mutagen import MutagenError

from ..errors import OutputError
from ..i18n import Joined, Message
from ..model import Chunk, Script, Timeline
from ..settings import RenderSettings
from ..sound.assemble import Assembler, Track
from ..sound.audio import AudioSegment
from ..speech.synthesize import NoProgress, Progress
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
    import numpy as np

    from ..sound.loudness import GainPlan
    from .subtitles import Cue


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
    progress: Progress | None = None,
) -> RenderResult:
    """Assemble, normalise and write every output file of one render into `out_dir`.

    `clip(chunk)` returns the chunk's decoded, untrimmed audio. `player(manifest)` returns the
    player page's HTML. `progress` counts the work as it is done. Either everything is written or
    nothing changes.
    """
    earlier = earlier_render(out_dir)
    staging = Staging()
    if not script.title:  # a manuscript with no title is known by its file's name, in players and file lists alike
        named = PurePath(info.source_path or script.source or "speech").stem
        script = dataclasses.replace(script, title=named)
    stem = safe_filename(script.title, fallback="speech")
    meter = _Meter(progress or NoProgress(), len(chunks))
    try:
        audio = _encode_audio(out_dir, stem, script, chunks, clip, settings, sample_rate, _labels(script, info, settings), staging, meter)
        timeline, ms = audio.timeline, audio.timeline.ms
        cue_list = cues(timeline)
        names = Files(audio.main, audio.m4b, f"{stem}.srt", f"{stem}.lrc", "playlist.m3u8", PLAYER_PAGE if player is not None else "")
        _write_text_files(out_dir, script, names, audio.tracks, cue_list, staging)
        # The audio's sizes as committed: the up-to-date test checks them (a file replaced by hand or
        # left from a commit cut short is not this render's).
        sizes = staging.sizes((".mp3", ".m4b"))
        manifest = build_manifest(script, timeline, audio.tracks, cue_list, names, settings, info, script_markdown, sizes)
        if player is not None:
            staging.write_text(out_dir / PLAYER_PAGE, player(manifest))
        staging.write_text(out_dir / MANIFEST, manifest.to_json())
        staging.commit(record=MANIFEST)
    except BaseException:
        staging.abort()
        raise
    meter.finish()
    for stale in earlier.files - set(manifest.files_written()):
        (out_dir / stale).unlink(missing_ok=True)
    return RenderResult(
        out_dir, out_dir / f"{stem}.mp3", [out_dir / t.file for t in audio.tracks], out_dir / names.srt, out_dir / names.lrc,
        out_dir / names.playlist, out_dir / MANIFEST, out_dir / PLAYER_PAGE if player is not None else None, ms(timeline.length),
        out_dir / audio.m4b if audio.m4b else None, _replaced(set(earlier.formats - set(settings.formats)), earlier.cover and not settings.cover_image),
    )  # fmt: skip


@dataclass(frozen=True)
class _Labels:
    """What every file's tags say besides its own title."""

    artist: str
    date: str
    comment: str
    cover: bytes | None

    def tags(self, script: Script, title: str, track: str = "", chapters: Sequence[Chapter] = ()) -> Mp3Tags:
        return Mp3Tags(title, self.artist, script.title, self.date, self.comment, track, chapters=chapters, cover=self.cover)


def _labels(script: Script, info: RenderInfo, settings: RenderSettings) -> _Labels:
    # The tags name the speech's speaker and the day it was given, when its title block says them;
    # otherwise the voice preset that read it (a name a person chose, not an engine's code such as
    # cmn+f3) and the day of the render.
    date = iso_date(script.date) or info.date or datetime.date.today().isoformat()
    artist = script.speaker or info.preset or info.voice.voice
    return _Labels(artist, date, f"speechcast {info.version}: {info.voice.engine} {info.voice.voice}", settings.cover_image)


@dataclass(frozen=True)
class _Audio:
    """The encoded audio, staged: the timeline it was laid out on, the section tracks, and the names
    of the whole speech's file and of the M4B ("" without one)."""

    timeline: Timeline
    tracks: list[TrackFile]
    main: str
    m4b: str


def _encode_audio(out_dir: Path, stem: str, script: Script, chunks: Sequence[Chunk], clip: Callable[[Chunk], AudioSegment], settings: RenderSettings,
                  sample_rate: int, labels: _Labels, staging: Staging, meter: _Meter) -> _Audio:  # fmt: skip
    """Lay out, normalise and encode every track: the full MP3 (always: the section tracks are cut
    out of it, and with --format m4b it is then dropped) and the M4B fed the very same samples."""
    from ..sound.loudness import measure, plan

    full = Mp3Writer(out_dir / f"{stem}.mp3", sample_rate, settings.bitrate)
    book = M4bWriter(out_dir / f"{stem}.m4b", sample_rate, settings.bitrate, labels.tags(script, script.title)) if "m4b" in settings.formats else None
    sinks: list[AudioSink] = [full, *([book] if book else [])]
    # One worker normalises and encodes track n while this thread assembles and measures track n+1
    # (the clip callable stays on the caller's thread). Every sample is encoded once, into the full
    # file; the section files are cut out of it afterwards (Mp3Cutter).
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="speechcast-encode")
    encoding: Future[None] | None = None
    try:
        spoken = script.title + "".join(p for s in script.sections for p in s.paragraphs)
        assembler = Assembler(
            script.sections, chunks, meter.counting(clip), settings.pauses, sample_rate, spool_dir=out_dir, traditional=is_traditional(spoken)
        )
        ms = assembler.timeline.ms
        tracks: list[TrackFile] = []
        cuts: list[tuple[Path, int, int, Mp3Tags]] = []
        for track in assembler.tracks():
            share = meter.track_share()
            with _closing_on_error(track):
                measured = measure((b for _, b in meter.blocks(track, share)), sample_rate)
                gain = plan(measured, track.read, settings.loudness + MP3_LOUDNESS_LOSS_LU, settings.true_peak)
                if encoding is not None:
                    encoding.result()
                encoding = worker.submit(_encode_track, track, gain, sinks, meter, share)
            name = f"{track.number:02d}-{safe_filename(track.title, fallback='section')}"
            temp = temp_name(out_dir / f"{name}.mp3")
            staging.add(temp, out_dir / f"{name}.mp3")
            cuts.append((temp, track.start, track.length, labels.tags(script, track.title, f"{track.number}/{assembler.track_count}")))
            tracks.append(TrackFile(track.number, track.title, f"{name}.mp3", f"{name}.lrc", ms(track.start), ms(track.end)))
        if encoding is not None:
            encoding.result()
        full_temp = full.finish()
        staging.add(full_temp, full.path)  # staged even when dropped: a failure from here on deletes it
        Mp3Cutter(full_temp).cut([(temp, start, length) for temp, start, length, _ in cuts])
        for temp, _, _, tags in cuts:
            write_tags(temp, tags)
        chapters = [Chapter(s.title, ms(s.start), ms(s.end)) for s in assembler.timeline.sections]
        main = full.path.name
        if "mp3" in settings.formats:
            write_tags(full_temp, labels.tags(script, script.title, chapters=chapters))
        else:
            staging.drop(full_temp)
        if book is not None:
            staging.add(book.finish(chapters, labels.cover), book.path)
            main = main if "mp3" in settings.formats else book.path.name
    except BaseException:
        for sink in sinks:
            sink.abort()  # unblocks a worker still feeding it
        worker.shutdown(wait=True, cancel_futures=True)
        raise
    worker.shutdown()
    return _Audio(assembler.timeline, tracks, main, book.path.name if book else "")


def _write_text_files(out_dir: Path, script: Script, names: Files, tracks: Sequence[TrackFile], cue_list: Sequence[Cue], staging: Staging) -> None:
    """The subtitles (whole and per track) and the playlist, staged."""
    for t in tracks:
        own = [c for c in cue_list if t.start_ms <= c.start_ms < t.end_ms]
        staging.write_text(out_dir / t.lrc, lrc(own, title=t.title, offset_ms=t.start_ms))
    staging.write_text(out_dir / names.srt, srt(cue_list))
    staging.write_text(out_dir / names.lrc, lrc(cue_list, title=script.title))
    staging.write_text(out_dir / names.playlist, m3u8(tracks))


class _Meter:
    """The writing's work done, in thousandths, told to a Progress as it grows: a third for laying
    the chunks out (decoding and trimming each), a third for measuring each track's loudness, a third
    for encoding it. A track's share of the last two is its share of the chunks (known once it is
    laid out, before it is measured). The encoding worker counts from its own thread."""

    TOTAL = 999

    def __init__(self, progress: Progress, chunks: int) -> None:
        self.progress, self.chunks = progress.writing(), max(chunks, 1)
        self.done, self.told, self.laid, self.counted = 0.0, 0, 0, 0
        self.lock = threading.Lock()
        self.progress.start(self.TOTAL)

    def counting(self, clip: Callable[[Chunk], AudioSegment]) -> Callable[[Chunk], AudioSegment]:
        def counted(chunk: Chunk) -> AudioSegment:
            audio = clip(chunk)
            self.laid += 1
            self.add(self.TOTAL / 3 / self.chunks)
            return audio

        return counted

    def track_share(self) -> float:
        """The part of the whole that the track just laid out is (its chunks of all)."""
        share, self.counted = (self.laid - self.counted) / self.chunks, self.laid
        return share

    def blocks(self, track: Track, share: float) -> Iterator[tuple[int, np.ndarray]]:
        """The track's blocks, each counted as it passes."""
        for offset, block in track.blocks():
            yield offset, block
            self.add(self.TOTAL / 3 * share * len(block) / max(track.length, 1))

    def add(self, work: float) -> None:
        with self.lock:
            self.done += work
            step = min(int(self.done), self.TOTAL) - self.told
            if step > 0:
                self.told += step
        if step > 0:
            self.progress.advance(step)

    def finish(self) -> None:
        self.add(self.TOTAL)  # rounding, and the steps too quick to count (cutting, tags, side files)
        self.progress.close()


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


def _encode_track(track: Track, gain: GainPlan, sinks: Sequence[AudioSink], meter: _Meter, share: float) -> None:
    """Feed one normalised track to the full files' encoders."""
    with track:
        for offset, block in meter.blocks(track, share):
            pcm = gain.apply(block, offset)
            for sink in sinks:
                sink.write(pcm)
