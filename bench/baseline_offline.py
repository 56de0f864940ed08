"""The least work an offline render can do: espeak-ng reads the whole text in one call, ffmpeg
encodes the result once. No cleaning, pauses, loudness, tracks or subtitles.

    python bench/baseline_offline.py TEXT OUT.mp3 --voice cmn+f3 --pitch +10Hz --bitrate 64k --compression-level 7
    python bench/baseline_offline.py TEXT OUT.mp3 --voice cmn+f3 --pitch +10Hz      # ffmpeg's default MP3 settings

It uses speechcast's own espeak binding (one espeak_Synth call for the whole text, numbers
normalised first) and the same bundled ffmpeg, so the only differences from a render are the
work a render adds. Phase timings go to OUT.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
import wave
from pathlib import Path

import imageio_ffmpeg

from pipeline.settings import VoiceSettings
from pipeline.speech.engines.espeak import EspeakEngine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("text", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--voice", default="cmn+f3")
    parser.add_argument("--rate", default="+0%")
    parser.add_argument("--pitch", default="+0Hz")
    parser.add_argument("--volume", default="+0%")
    parser.add_argument("--bitrate", help="MP3 bitrate (default: ffmpeg's own)")
    parser.add_argument("--compression-level", help="LAME quality, ffmpeg's -compression_level (default: ffmpeg's own)")
    args = parser.parse_args()

    start = time.perf_counter()
    voice = VoiceSettings("espeak", args.voice, args.rate, args.pitch, args.volume)
    speech = EspeakEngine().synthesize_sync(args.text.read_text(encoding="utf-8"), voice)
    wav = args.out.with_suffix(".wav")
    wav.write_bytes(speech.data)
    synthesized = time.perf_counter()

    encoder = ["-c:a", "libmp3lame", "-b:a", args.bitrate] if args.bitrate else []
    encoder += ["-compression_level", args.compression_level] if args.compression_level else []
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", str(wav),
               *encoder, str(args.out)]  # fmt: skip
    subprocess.run(command, check=True)
    encoded = time.perf_counter()

    with wave.open(str(wav)) as w:
        audio_s = w.getnframes() / w.getframerate()
    wav.unlink()
    report = {"synth_s": synthesized - start, "encode_s": encoded - synthesized, "audio_s": audio_s}
    args.out.with_suffix(".json").write_text(json.dumps(report), encoding="utf-8")


if __name__ == "__main__":
    main()
