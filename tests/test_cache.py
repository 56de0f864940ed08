from __future__ import annotations

import os

import pytest

from pipeline.errors import OutputError
from pipeline.settings import VoiceSettings
from pipeline.speech.cache import ChunkCache, chunk_key
from pipeline.speech.engines import Speech

VOICE = VoiceSettings("edge", "zh-CN-XiaoxiaoNeural")


def test_key_depends_on_everything_that_changes_the_sound():
    base = chunk_key("edge", "7.3.1", VOICE, "同志们：")
    assert base == chunk_key("edge", "7.3.1", VOICE, "同志们：")
    variants = {
        chunk_key("espeak", "7.3.1", VOICE, "同志们："),
        chunk_key("edge", "7.3.2", VOICE, "同志们："),
        chunk_key("edge", "7.3.1", VoiceSettings("edge", "zh-CN-YunyangNeural"), "同志们："),
        chunk_key("edge", "7.3.1", VoiceSettings("edge", VOICE.voice, rate="+5%"), "同志们："),
        chunk_key("edge", "7.3.1", VoiceSettings("edge", VOICE.voice, pitch="+5Hz"), "同志们："),
        chunk_key("edge", "7.3.1", VoiceSettings("edge", VOICE.voice, volume="-5%"), "同志们："),
        chunk_key("edge", "7.3.1", VOICE, "同志们!"),
    }
    assert base not in variants and len(variants) == 7


def test_round_trip_and_no_temp_files(tmp_path):
    cache = ChunkCache(tmp_path)
    speech = Speech(b"\xff\xf3" + bytes(200), "mp3")
    cache.put("ab" * 32, speech)
    assert cache.get("ab" * 32) == speech
    assert "ab" * 32 in cache
    assert [p.name for p in tmp_path.rglob("*")] == ["ab", "ab" * 32 + ".mp3"]
    assert cache.size() == (1, 32 + 202)


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_damaged_entry_is_dropped_not_played(tmp_path, damage):
    cache = ChunkCache(tmp_path)
    key = "cd" * 32
    cache.put(key, Speech(bytes(range(256)) * 4, "wav"))
    path = tmp_path / "cd" / f"{key}.wav"
    blob = path.read_bytes()
    path.write_bytes({"truncate": blob[:-10], "flip": blob[:-1] + b"\x00", "empty": b""}[damage])
    assert cache.get(key) is None
    assert not path.exists()


def test_unwritable_cache_is_a_clear_error(tmp_path):
    target = tmp_path / "ro"
    target.mkdir()
    os.chmod(target, 0o500)
    try:
        if os.access(target, os.W_OK):  # root ignores permissions: use a path under a file instead
            target = tmp_path / "file"
            target.write_text("x")
            target = target / "cache"
        with pytest.raises(OutputError, match="--cache-dir"):
            ChunkCache(target).ensure_writable()
    finally:
        os.chmod(tmp_path / "ro", 0o700)


def test_first_writer_wins(tmp_path):
    """Two renders sharing a cache must play the same audio for a chunk, even from an engine whose
    output varies run to run: the entry stored first stays."""
    cache = ChunkCache(tmp_path)
    cache.put("ef" * 32, Speech(b"first" * 40, "wav"))
    cache.put("ef" * 32, Speech(b"second" * 40, "wav"))
    assert cache.get("ef" * 32) == Speech(b"first" * 40, "wav")
    assert [p.name for p in (tmp_path / "ef").iterdir()] == ["ef" * 32 + ".wav"]


@pytest.mark.parametrize("lie", ["seven-channels-at-one-hertz", "an-hour-of-silence"])
def test_an_entry_that_cannot_be_its_sentence_is_spoken_again(tmp_path, make_speech, lie):
    """A cache entry whose digest matches but whose audio cannot be the sentence's speech (a header
    no engine writes; far too long for its text) is spoken again, not played, and not counted as
    read from the cache."""
    import io

    import numpy as np
    import soundfile

    from pipeline.render import choose_voice, plan_render, render

    voice = choose_voice("offline-female", "espeak")
    source = make_speech("speech.txt", sections=1, paragraphs=1, sentences=3)
    first = render(source, voice, out_root=tmp_path / "a", cache=tmp_path / "cache")
    cache = ChunkCache(tmp_path / "cache")

    planned = plan_render(source, voice)  # the chunks as the render sends them
    key = planned.keys[planned.chunks[1]]
    wav = io.BytesIO()
    if lie == "seven-channels-at-one-hertz":
        soundfile.write(wav, np.zeros((2700, 7), dtype=np.int16), 1, format="WAV")
    else:
        soundfile.write(wav, np.zeros((22050 * 3600 // 10, 1), dtype=np.int16), 2205, format="WAV")
    cache.discard(key)
    cache.put(key, Speech(wav.getvalue(), "wav"))  # its digest matches: only its audio lies
    assert cache.get(key) is not None
    again = render(source, voice, out_root=tmp_path / "b", cache=tmp_path / "cache")
    assert abs(again.duration_ms - first.duration_ms) < 1000, (again.duration_ms, first.duration_ms)
    assert again.synthesis.engine_calls == 1 and again.synthesis.cached == again.synthesis.unique - 1
