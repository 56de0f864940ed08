from __future__ import annotations

import io
import subprocess

import numpy as np
import pytest
import soundfile
from imageio_ffmpeg import get_ffmpeg_exe as ffmpeg_exe

from pipeline.sound.audio import AudioSegment, decode, samples, segment, trim
from pipeline.speech.engines import Speech
from pipeline.speech.pcm import cut

RATE = 24000


def tone(n: int, rate: int = RATE, amplitude: int = 8000) -> np.ndarray:
    return (amplitude * np.sin(2 * np.pi * 440 * np.arange(1, n + 1) / rate)).astype(np.int16)


def speech(pcm: np.ndarray, rate: int = RATE, fmt: str = "wav") -> Speech:
    out = io.BytesIO()
    soundfile.write(out, pcm, rate, format=fmt.upper(), subtype="PCM_16")
    return Speech(out.getvalue(), fmt)


def test_decode_wav_is_exact() -> None:
    pcm = tone(12_345)
    seg = decode(speech(pcm))
    assert (seg.frame_rate, seg.channels, seg.sample_width) == (RATE, 1, 2)
    assert np.array_equal(samples(seg), pcm)


def test_decode_flac_and_stereo_mixes_to_mono() -> None:
    left, right = tone(1000), tone(1000, amplitude=2000)
    seg = decode(speech(np.stack([left, right], axis=1), rate=22050, fmt="flac"))
    assert seg.frame_rate == 22050 and seg.channels == 1
    expected = ((left.astype(np.int32) + right) / 2).round().astype(np.int16)
    assert np.array_equal(samples(seg), expected)


def test_decode_mp3_in_process_without_spawning(tmp_path, monkeypatch) -> None:
    pcm = tone(RATE * 2)
    path = tmp_path / "t.mp3"
    subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-f", "s16le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0",
                    "-b:a", "48k", str(path)], input=pcm.tobytes(), check=True)  # fmt: skip
    spawned: list[object] = []
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: spawned.append(a))
    seg = decode(Speech(path.read_bytes(), "mp3"))
    assert spawned == []
    # The LAME header carries the encoder delay and padding, so the decoded length is exact.
    assert len(samples(seg)) == RATE * 2
    # and aligned: the coding error is 5 % of the signal, one sample of shift would make it 12 %.
    middle = slice(RATE // 2, -RATE // 2)
    error = samples(seg)[middle].astype(float) - pcm[middle]
    assert np.sqrt(np.mean(error**2)) < 0.08 * np.sqrt(np.mean(pcm[middle].astype(float) ** 2))


@pytest.mark.parametrize("data", [b"", b"not audio at all", b"RIFF\x00\x00\x00\x00WAVEfmt "])
def test_undecodable_speech_raises_value_error(data: bytes) -> None:
    with pytest.raises(ValueError):
        decode(Speech(data, "mp3"))


def test_empty_audio_raises_value_error() -> None:
    with pytest.raises(ValueError, match="no samples"):
        decode(speech(np.zeros(0, dtype=np.int16)))


def test_trim_keeps_margin_and_sound() -> None:
    body = tone(5000)
    pcm = np.concatenate([np.zeros(4800, np.int16), body, np.zeros(7200, np.int16)])
    trimmed = samples(trim(segment(pcm, RATE), margin_ms=25))
    margin = 600  # 25 ms at 24 kHz
    assert len(trimmed) == 5000 + 2 * margin
    assert np.array_equal(trimmed[margin : margin + 5000], body)
    assert not trimmed[:margin].any() and not trimmed[-margin:].any()


def test_trim_margin_stops_at_the_edges() -> None:
    pcm = np.concatenate([np.zeros(100, np.int16), tone(3000), np.zeros(50, np.int16)])
    assert len(samples(trim(segment(pcm, RATE)))) == len(pcm)


def test_trim_leaves_silence_whole() -> None:
    silent = segment(np.zeros(2400, np.int16), RATE)
    assert len(samples(trim(silent))) == 2400


def test_trim_converts_stereo_to_mono() -> None:
    stereo = AudioSegment(data=np.repeat(tone(2400), 2).tobytes(), sample_width=2, frame_rate=RATE, channels=2)
    out = trim(stereo)
    assert out.channels == 1 and len(samples(out)) == 2400


def test_cut_is_lossless_and_exact_to_the_sample() -> None:
    pcm = tone(24_000)
    pieces = cut(speech(pcm), [0.25, 0.5001])
    assert [p.format for p in pieces] == ["flac"] * 3
    parts = [samples(decode(p)) for p in pieces]
    assert [len(p) for p in parts] == [6000, 6002, 11_998]
    assert np.array_equal(np.concatenate(parts), pcm)


@pytest.mark.parametrize("times", [[0.5, 0.25], [0.0], [1.5], [0.3, 0.3]])
def test_cut_refuses_times_outside_or_out_of_order(times: list[float]) -> None:
    with pytest.raises(ValueError, match=r"do not fall inside 1\.000 s of audio"):
        cut(speech(tone(24_000)), times)
