"""Stitching benchmark: the output stage alone, on Edge-like audio already synthesized.

    python bench/stitch.py --chunks 2000 --hours 2 --work DIR --json result.json

Builds a manuscript with at least `--chunks` sentences, gives every chunk the MP3 the Edge stand-in
would send for it (24 kHz, 48 kbit/s; the seconds per character chosen so the programme lasts
about `--hours`), decodes them all (timed apart: that is the cache read of a render), then times

- encode: one MP3 encode of the whole programme's samples with the render's encoder settings, the
  work no render can avoid;
- render: `write_render` — trim, place, loudness measure and limiter per track, section MP3s and
  the full MP3 with chapters, subtitles, playlist, manifest and player page;
- encode_m4b: one AAC encode of the same samples into an M4B (PyAV), against the MP3 encode;
- render_both: `write_render` with `--format both` (the MP3s and the M4B from one timeline).

The difference is what stitching costs beyond the encode.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent / "tests")]

from edge_service import FRAME_SECONDS, EdgeService  # noqa: E402
from manuscripts import manuscript  # noqa: E402
from timing import Clock  # noqa: E402

from pipeline import __version__  # noqa: E402
from pipeline.model import Chunk  # noqa: E402
from pipeline.publish.m4b import M4bWriter  # noqa: E402
from pipeline.publish.mp3 import Mp3Writer  # noqa: E402
from pipeline.publish.player import render_page  # noqa: E402
from pipeline.publish.record import RenderInfo  # noqa: E402
from pipeline.publish.sink import AudioSink  # noqa: E402
from pipeline.publish.tags import Mp3Tags  # noqa: E402
from pipeline.publish.write import write_render  # noqa: E402
from pipeline.settings import RenderSettings, VoiceSettings  # noqa: E402
from pipeline.sound.assemble import Assembler  # noqa: E402
from pipeline.sound.audio import AudioSegment, decode  # noqa: E402
from pipeline.sound.loudness import measure  # noqa: E402, F401  (write_render imports it late: load it before the clock runs)
from pipeline.speech.engines import Speech  # noqa: E402
from pipeline.text.clean import clean  # noqa: E402
from pipeline.text.scriptmd import to_markdown  # noqa: E402
from pipeline.text.split import split_script  # noqa: E402
from pipeline.text.structure import build_script  # noqa: E402

EDGE_CHUNK_CHARS = 250
CHARS_PER_SENTENCE = 40
"""Generous: the generated sentences average about 35 characters."""
SAMPLE_RATE = 24_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=2000)
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--json", type=Path, required=True)
    args = parser.parse_args()

    script = build_script(clean(manuscript(args.chunks * CHARS_PER_SENTENCE)), source="stitch.txt")
    chunks = split_script(script, EDGE_CHUNK_CHARS)[: args.chunks]
    if len(chunks) < args.chunks:
        raise SystemExit(f"the manuscript gave only {len(chunks)} chunks")
    settings = RenderSettings()
    pauses_s = sum(settings.pauses.after(c.pause_after) for c in chunks) / 1000 + settings.pauses.lead_in / 1000
    speech_s = max(args.hours * 3600 - pauses_s, len(chunks) * FRAME_SECONDS)
    # The stand-in spends its time on letters and digits, not punctuation, and pauses nowhere
    # inside a chunk here, so the programme lasts what was asked.
    spoken = sum(len(re.findall(r"\w", c.text)) for c in chunks)
    service = EdgeService(ms_per_char=max(round(speech_s * 1000 / spoken), 1), pause_ms=0)
    mp3 = {c: Speech(service.audio_for(c.text), "mp3") for c in chunks}

    with Clock() as decoding:
        clips: dict[Chunk, AudioSegment] = {c: decode(speech) for c, speech in mp3.items()}

    out = args.work / "stitch-out"
    shutil.rmtree(out, ignore_errors=True)
    encoding, programme_s = _encode_programme(script.sections, chunks, clips, settings, out, "mp3")
    shutil.rmtree(out, ignore_errors=True)
    encoding_m4b, _ = _encode_programme(script.sections, chunks, clips, settings, out, "m4b")
    shutil.rmtree(out, ignore_errors=True)

    info = RenderInfo(__version__, VoiceSettings("edge", "zh-CN-XiaoxiaoNeural"), "xiaoxiao", "stitch.txt", "")
    with Clock() as rendering:
        result = write_render(out, script, chunks, clips.__getitem__, settings, SAMPLE_RATE, info, to_markdown(script), render_page)
    shutil.rmtree(out, ignore_errors=True)
    both = RenderSettings(formats=("mp3", "m4b"))
    with Clock() as rendering_both:
        write_render(out, script, chunks, clips.__getitem__, both, SAMPLE_RATE, info, to_markdown(script), render_page)
    shutil.rmtree(out, ignore_errors=True)

    report = {"chunks": len(chunks), "tracks": result.track_count, "audio_s": result.duration_ms / 1000, "encoded_audio_s": programme_s}
    for name, clock in (("decode", decoding), ("encode", encoding), ("render", rendering), ("encode_m4b", encoding_m4b),
                        ("render_both", rendering_both)):  # fmt: skip
        report |= clock.report(name)
    args.json.write_text(json.dumps(report), encoding="utf-8")


def _encode_programme(sections, chunks, clips, settings, out: Path, kind: str) -> tuple[Clock, float]:
    """Seconds to encode the programme's samples (trimmed clips and pauses, as laid out) once as
    `kind` (mp3 or m4b), and the seconds of audio that was. The layout is done before the clock starts."""
    assembler = Assembler(sections, chunks, clips.__getitem__, settings.pauses, SAMPLE_RATE)
    tracks = list(assembler.tracks())
    out.mkdir(parents=True)
    with Clock() as clock:
        if kind == "mp3":
            writer: AudioSink = Mp3Writer(out / "programme.mp3", SAMPLE_RATE, settings.bitrate)
        else:
            writer = M4bWriter(out / "programme.m4b", SAMPLE_RATE, settings.bitrate, Mp3Tags("t", "a", "t", "2026", ""))
        for track in tracks:
            with track:
                for _, block in track.blocks():
                    writer.write(block)
        if isinstance(writer, Mp3Writer):
            writer.close()
        else:
            writer.finish([])
    return clock, assembler.timeline.length / SAMPLE_RATE


if __name__ == "__main__":
    main()
