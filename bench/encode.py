"""Encoding benchmark: the M4B (AAC) encode against the MP3 encode of the same real speech.

    python bench/encode.py --minutes 60 --runs 5 --work DIR --json result.json

The speech is the seed manuscript spoken by espeak-ng (rendered once, its full MP3 decoded), laid
end to end (or cut short) to last `--minutes`: real speech, not the stitching benchmark's tone, because an AAC
coder's cost depends on what it codes. Each run encodes the same samples once with the render's
MP3 writer (LAME in its own process) and once with its M4B writer (FFmpeg's AAC through PyAV),
alternately, one-second blocks as a render feeds them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from timing import Clock  # noqa: E402

SEED = ROOT / "tests" / "corpus" / "000_f942a4ce7236a7e5.txt"


def speech(work: Path, minutes: float) -> tuple[np.ndarray, int]:
    from pipeline.render import choose_voice, render
    from pipeline.speech.engines import Speech
    from pipeline.speech.pcm import decode_samples

    result = render(SEED, choose_voice("offline-female", "espeak"), out_root=work / "out", cache=work / "cache", player=False)
    samples, rate = decode_samples(Speech(result.files[0].read_bytes(), "mp3"))
    pcm = np.asarray(samples, dtype=np.int16).reshape(-1)
    length = round(minutes * 60 * rate)
    if length <= pcm.size:  # shorter than the seed's own speech (--quick): its first minutes
        return pcm[:length], rate
    repeats = max(1, round(length / pcm.size))
    return np.tile(pcm, repeats), rate


def encode(kind: str, pcm: np.ndarray, rate: int, out: Path) -> dict[str, float]:
    from pipeline.publish.m4b import M4bWriter
    from pipeline.publish.mp3 import Mp3Writer
    from pipeline.publish.sink import AudioSink
    from pipeline.publish.tags import Mp3Tags

    with Clock() as clock:
        if kind == "mp3":
            writer: AudioSink = Mp3Writer(out / "speech.mp3", rate, "64k")
        else:
            writer = M4bWriter(out / "speech.m4b", rate, "64k", Mp3Tags("t", "a", "t", "2026", ""))
        for start in range(0, pcm.size, rate):
            writer.write(pcm[start : start + rate])
        path = writer.close() if isinstance(writer, Mp3Writer) else writer.finish([])
    report = {"wall_s": clock.wall, "cpu_s": clock.cpu + clock.children_cpu, "bytes": path.stat().st_size}
    path.unlink()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--json", type=Path, required=True)
    args = parser.parse_args()
    pcm, rate = speech(args.work, args.minutes)
    runs: dict[str, list[dict[str, float]]] = {"mp3": [], "m4b": []}
    for n in range(args.runs):
        for kind in ("mp3", "m4b") if n % 2 == 0 else ("m4b", "mp3"):
            runs[kind].append(encode(kind, pcm, rate, args.work))
    ratios = [b["wall_s"] / a["wall_s"] for a, b in zip(runs["mp3"], runs["m4b"])]
    report = {"audio_s": pcm.size / rate, "sample_rate": rate, "runs": runs, "ratio_median": statistics.median(ratios)}
    args.json.write_text(json.dumps(report), encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
