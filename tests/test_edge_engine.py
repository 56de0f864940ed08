from __future__ import annotations

import asyncio
import io
import os
import random
import re
import socket
import time

import numpy as np
import pytest
import soundfile as sf
from edge_service import FAULTS, FRAME_BYTES, EdgeService

from pipeline.errors import EngineError, SettingsError, VoiceError
from pipeline.settings import VoiceSettings
from pipeline.speech.engines import get_engine
from pipeline.speech.engines.edge import EdgeEngine
from pipeline.speech.engines.edge_service import Retry, Service
from pipeline.speech.engines.edge_words import Word, cut_times

XIAOXIAO = VoiceSettings("edge", "zh-CN-XiaoxiaoNeural")
TEXT = "同志们，今天我们召开全体干部大会。主要任务是总结工作，部署下一步安排！"


def fast_engine(url: str | None = None, **overrides: float) -> EdgeEngine:
    """Small timeouts and backoff so a test of five failing attempts takes milliseconds."""
    settings = {"timeout_base": 1.0, "timeout_per_char": 0.01, "backoff_base": 0.01} | overrides
    return EdgeEngine(url=url, retry=Retry(**settings))  # type: ignore[arg-type]


def speak(engine: EdgeEngine, text: str = TEXT, voice: VoiceSettings = XIAOXIAO) -> bytes:
    return asyncio.run(engine.synthesize(text, voice)).data


@pytest.fixture(autouse=True)
def _restore_edge_tts(edge_tts_state: None) -> None:
    """Every test here may point edge_tts somewhere; put it back."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_registered() -> None:
    engine = get_engine("edge")
    assert isinstance(engine, EdgeEngine)
    assert (engine.needs_network, engine.chunk_chars) == (True, 250)
    assert engine.version.startswith("edge-tts 7.")


def test_synthesizes_whole_mp3(edge_service: EdgeService) -> None:
    voice = VoiceSettings("edge", "zh-CN-YunyangNeural", rate="+10%", pitch="-5Hz", volume="+20%")
    speech = asyncio.run(fast_engine().synthesize(TEXT, voice))
    assert speech.format == "mp3"
    assert speech.data == edge_service.audio_for(TEXT)
    audio, rate = sf.read(io.BytesIO(speech.data), dtype="int16")
    assert rate == 24000 and audio.ndim == 1
    frames = len(speech.data) // FRAME_BYTES
    assert len(audio) == frames * 576
    assert len(audio) / rate == pytest.approx(edge_service.seconds_for(TEXT))
    words = len(re.findall(r"\w", TEXT))
    assert len(audio) / rate == pytest.approx(0.15 * words + 0.288, abs=0.05)  # two sentences, one pause
    [request] = edge_service.requests
    assert (request.text, request.voice, request.rate, request.pitch, request.volume) == (
        TEXT, "zh-CN-YunyangNeural", "+10%", "-5Hz", "+20%",
    )  # fmt: skip


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_is_retried_to_complete_audio(edge_service: EdgeService, fault: str) -> None:
    engine = fast_engine(timeout_base=0.5)
    clean = speak(engine)
    edge_service.reset_records()
    edge_service.fail_next(fault)
    started = time.monotonic()
    assert speak(engine) == clean
    assert [a.fault for a in edge_service.attempts] == [fault, None]
    if fault == "stall":
        assert time.monotonic() - started >= engine.retry.timeout_for(TEXT)


def test_several_faults_in_a_row(edge_service: EdgeService) -> None:
    edge_service.fail_next("503", "429", "early_close", "no_audio")
    assert speak(fast_engine()) == edge_service.audio_for(TEXT)
    assert len(edge_service.attempts) == 5


def test_a_chunk_that_fails_every_attempt_raises(edge_service: EdgeService) -> None:
    edge_service.fail_text(TEXT, "early_close")
    with pytest.raises(EngineError, match=r"after 5 attempts .*closed the connection before the end"):
        speak(fast_engine())
    assert len(edge_service.requests) == 5
    # Other text is unaffected.
    assert speak(fast_engine(), "散会。") == edge_service.audio_for("散会。")


def test_refused_handshakes_every_attempt(edge_service: EdgeService) -> None:
    edge_service.fail_next(*["429"] * 3)
    with pytest.raises(EngineError, match=r"after 3 attempts .*HTTP 429"):
        speak(fast_engine(attempts=3))
    assert edge_service.requests == [] and len(edge_service.attempts) == 3


def test_timeout_really_fires(edge_service: EdgeService) -> None:
    edge_service.fail_text(TEXT, "stall")
    engine = fast_engine(attempts=1, timeout_base=0.3, timeout_per_char=0.0)
    started = time.monotonic()
    with pytest.raises(EngineError, match="did not finish in time"):
        speak(engine)
    assert 0.3 <= time.monotonic() - started < 1.0


def test_audio_too_short_for_the_text_is_retried_then_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # A service that ends properly (turn.end) but sends 20 ms a character: cut short, not speech.
    with EdgeService(ms_per_char=20) as short:
        monkeypatch.setenv("SPEECHCAST_EDGE_URL", short.url)
        with pytest.raises(EngineError, match="too short for 31 characters"):
            speak(fast_engine(attempts=2))
        assert len(short.requests) == 2
        # Read at +200% the same audio is long enough.
        speak(fast_engine(), voice=VoiceSettings("edge", "zh-CN-XiaoxiaoNeural", rate="+200%"))


def test_random_faults_all_recovered(edge_service: EdgeService) -> None:
    edge_service.fail_randomly(0.4, seed=7, kinds=("503", "early_close", "no_audio"))
    texts = [f"第{i}部分：加强作风建设，提高工作效率。" for i in range(12)]
    engine = fast_engine(attempts=8)

    async def all_of_them() -> list[bytes]:
        return [s.data for s in await asyncio.gather(*(engine.synthesize(t, XIAOXIAO) for t in texts))]

    assert asyncio.run(all_of_them()) == [edge_service.audio_for(t) for t in texts]
    assert any(a.fault for a in edge_service.attempts)
    assert set(edge_service.texts) == set(texts)


def test_concurrent_requests_on_one_loop(edge_service: EdgeService) -> None:
    edge_service.speed = 20.0  # stream slowly enough that the requests overlap
    texts = [f"{'发展' * n}是第一要务。" for n in range(1, 7)]
    engine = fast_engine()

    async def all_of_them() -> list[bytes]:
        return [s.data for s in await asyncio.gather(*(engine.synthesize(t, XIAOXIAO) for t in texts))]

    assert asyncio.run(all_of_them()) == [edge_service.audio_for(t) for t in texts]
    assert edge_service.max_open == len(texts)


def test_punctuation_only_is_never_sent(edge_service: EdgeService) -> None:
    with pytest.raises(ValueError):
        speak(fast_engine(), "……。")
    assert edge_service.attempts == []


def test_wrong_path_fails_fast(edge_service: EdgeService) -> None:
    engine = fast_engine(url=edge_service.url.replace("/edge/v1", "/nowhere"))
    with pytest.raises(EngineError, match="HTTP 404: check SPEECHCAST_EDGE_URL"):
        speak(engine)


def test_unknown_voice_lists_close_matches() -> None:
    engine = EdgeEngine()
    with pytest.raises(VoiceError, match="'zh-CN-XiaoxaoNeural': did you mean zh-CN-XiaoxiaoNeural"):
        engine.check_voice("zh-CN-XiaoxaoNeural")
    with pytest.raises(VoiceError, match="did you mean zh-CN-YunyangNeural"):
        engine.check_voice("zh-cn-yunyangneural")
    with pytest.raises(VoiceError, match="speechcast voices"):
        engine.check_voice("robot")
    for voice in engine.voices():
        engine.check_voice(voice.name)
    engine.check_voice("en-US-EmmaMultilingualNeural")  # the service's to judge
    assert len(engine.voices()) == 14


def test_unknown_voice_is_refused_before_any_request(edge_service: EdgeService) -> None:
    with pytest.raises(VoiceError):
        speak(fast_engine(), voice=VoiceSettings("edge", "zh-CN-Nobody"))
    assert edge_service.attempts == []


def test_probe_and_online_list(edge_service: EdgeService) -> None:
    engine = fast_engine()
    assert asyncio.run(engine.available(timeout=2)) is True
    voices = asyncio.run(engine.list_online(timeout=2))
    assert [v.name for v in voices][:2] == ["zh-CN-XiaoxiaoNeural", "zh-CN-YunyangNeural"]
    assert voices[0].locale == "zh-CN" and voices[0].gender == "Female" and "Warm" in voices[0].description


def test_probe_false_when_nothing_listens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPEECHCAST_EDGE_URL", f"ws://127.0.0.1:{free_port()}/edge/v1")
    started = time.monotonic()
    assert asyncio.run(EdgeEngine().available(timeout=2)) is False
    assert time.monotonic() - started < 2
    with pytest.raises(EngineError, match="voice list could not be fetched"):
        asyncio.run(EdgeEngine().list_online(timeout=2))


def test_proxy_variables_do_not_capture_a_local_service(edge_service: EdgeService, monkeypatch: pytest.MonkeyPatch) -> None:
    dead_proxy = f"http://127.0.0.1:{free_port()}"
    for name in ("http_proxy", "HTTP_PROXY", "ws_proxy", "https_proxy"):
        monkeypatch.setenv(name, dead_proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    written: list[str] = []
    real_setitem = type(os.environ).__setitem__

    def record(environ: object, key: str, value: str) -> None:
        written.append(key)
        real_setitem(environ, key, value)  # type: ignore[arg-type]

    monkeypatch.setattr(type(os.environ), "__setitem__", record)
    assert speak(fast_engine(attempts=1)) == edge_service.audio_for(TEXT)
    assert written == []  # nothing process-wide changes: the proxy is chosen, not switched off in the environment


def test_backoff_is_exponential_with_full_jitter() -> None:
    retry = Retry(backoff_base=1.0, backoff_max=5.0)
    rng = random.Random(3)
    waits = {n: [retry.backoff(n, rng) for _ in range(2000)] for n in (1, 2, 3, 5)}
    for n, limit in ((1, 1.0), (2, 2.0), (3, 4.0), (5, 5.0)):
        assert 0 <= min(waits[n]) < 0.05 * limit and 0.95 * limit < max(waits[n]) <= limit
    assert Retry(timeout_base=10, timeout_per_char=0.1).timeout_for("字" * 250) == pytest.approx(35.0)


def test_service_address() -> None:
    local = Service.from_url("ws://127.0.0.1:8765/consumer/speech/synthesize/readaloud/edge/v1")
    path = "ws://127.0.0.1:8765/consumer/speech/synthesize/readaloud/edge/v1"
    assert local.wss_url.startswith(f"{path}?TrustedClientToken=")
    assert local.voice_list_url.startswith("http://127.0.0.1:8765/consumer/speech/synthesize/readaloud/voices/list?")
    assert local.proxy is None  # a stand-in on this machine is reached directly
    mirror = Service.from_url("wss://tts.example.org/speak?key=1")
    assert (mirror.wss_url, mirror.voice_list_url.split("?")[0]) == (
        "wss://tts.example.org/speak?key=1", "https://tts.example.org/voices/list",
    )  # fmt: skip
    with pytest.raises(SettingsError, match="ws:// or wss://"):
        Service.from_url("http://127.0.0.1:8765/edge/v1")


@pytest.mark.parametrize(
    ("environ", "proxy"),
    [
        ({}, None),
        # aiohttp would look a websocket's proxy up under WSS_PROXY only: behind HTTPS_PROXY alone the
        # speech would go direct while the voice list went through the proxy.
        ({"HTTPS_PROXY": "http://office-proxy:8080"}, "http://office-proxy:8080"),
        ({"https_proxy": "http://office-proxy:8080", "WSS_PROXY": "http://ws-proxy:3128"}, "http://ws-proxy:3128"),
        ({"ALL_PROXY": "http://all:1080"}, "http://all:1080"),
        ({"HTTPS_PROXY": "http://office-proxy:8080", "NO_PROXY": "speech.platform.bing.com"}, None),
        ({"HTTPS_PROXY": "http://office-proxy:8080", "SPEECHCAST_PROXY": "http://chosen:8888"}, "http://chosen:8888"),
    ],
)
def test_the_proxy_is_chosen_once_and_given_to_edge_tts(monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], proxy: str | None) -> None:
    for name in (
        "SPEECHCAST_EDGE_URL",
        "SPEECHCAST_PROXY",
        "HTTPS_PROXY",
        "https_proxy",
        "WSS_PROXY",
        "wss_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert EdgeEngine().service().proxy == proxy


def test_a_proxy_address_that_is_no_address_is_a_settings_mistake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPEECHCAST_EDGE_URL", raising=False)
    monkeypatch.setenv("SPEECHCAST_PROXY", "office-proxy")
    with pytest.raises(SettingsError, match=r"--proxy \(SPEECHCAST_PROXY\) must be a proxy's address"):
        EdgeEngine()


def test_microsoft_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    import edge_tts.constants

    monkeypatch.delenv("SPEECHCAST_EDGE_URL", raising=False)
    service = EdgeEngine().service()
    assert (service.wss_url, service.voice_list_url) == (edge_tts.constants.WSS_URL, edge_tts.constants.VOICE_LIST)


# --- several chunks in one request ------------------------------------------------------------

SENTENCES = ["同志们，今天我们召开全体干部大会。", "主要任务是总结工作！", "部署2024年下一步安排，确保取得实效。"]


def decoded(data: bytes) -> np.ndarray:
    return sf.read(io.BytesIO(data), dtype="int16")[0]


def test_several_texts_share_one_request_cut_in_the_pauses(edge_service: EdgeService) -> None:
    pieces = asyncio.run(fast_engine().synthesize_many(SENTENCES, XIAOXIAO))
    joined = "".join(SENTENCES)
    assert edge_service.texts == [joined]
    assert [p.format for p in pieces] == ["flac"] * 3
    # Lossless: the pieces are the whole answer's samples, in order, none lost or repeated.
    whole = decoded(edge_service.audio_for(joined))
    assert np.array_equal(np.concatenate([decoded(p.data) for p in pieces]), whole)
    # Each cut sits exactly in the middle of the pause after a sentence.
    said = edge_service.sentences_for(joined)
    cuts = [round((a.offset + a.duration + b.offset) / 2 / 10_000_000 * 24000) for a, b in zip(said, said[1:])]
    assert [len(decoded(p.data)) for p in pieces] == [cuts[0], cuts[1] - cuts[0], len(whole) - cuts[1]]


def test_a_single_text_keeps_the_services_mp3(edge_service: EdgeService) -> None:
    [piece] = asyncio.run(fast_engine().synthesize_many(SENTENCES[:1], XIAOXIAO))
    assert piece.data == edge_service.audio_for(SENTENCES[0]) and piece.format == "mp3"


def test_headings_and_clauses_are_closed_as_sentences_so_the_answer_can_be_cut(edge_service: EdgeService) -> None:
    texts = ["一、增强宗旨意识", "同志们：", "我们要坚持以人民为中心，", "谢谢大家", "散会"]
    pieces = asyncio.run(fast_engine().synthesize_many(texts, XIAOXIAO))
    assert edge_service.texts == ["一、增强宗旨意识。同志们。我们要坚持以人民为中心。谢谢大家。散会"]
    said = edge_service.sentences_for(edge_service.texts[0])
    assert len(said) == len(pieces) == 5
    cuts = [round((a.offset + a.duration + b.offset) / 2 / 10_000_000 * 24000) for a, b in zip(said, said[1:])]
    assert [len(decoded(p.data)) for p in pieces] == [b - a for a, b in zip([0, *cuts], [*cuts, sum(len(s.frames) for s in said) * 576])]


def test_texts_the_answer_does_not_separate_are_asked_for_alone(monkeypatch: pytest.MonkeyPatch, edge_tts_state: None) -> None:
    # A voice that runs its sentences together leaves no pause to cut in.
    with EdgeService(pause_ms=0) as hurried:
        monkeypatch.setenv("SPEECHCAST_EDGE_URL", hurried.url)
        pieces = asyncio.run(fast_engine().synthesize_many(SENTENCES, XIAOXIAO))
        assert hurried.texts == ["".join(SENTENCES), *SENTENCES]
        assert [p.data for p in pieces] == [hurried.audio_for(t) for t in SENTENCES]


def word(text: str, start: float, end: float) -> Word:
    return Word(text, start, end)


def test_cut_times_from_word_boundaries() -> None:
    texts = ["我们开会。", "2024年，散会！"]
    # The service reports words without punctuation and may read a number as one word.
    words = [word("我们", 0.1, 0.4), word("开会", 0.4, 0.8), word("2024", 1.2, 1.6), word("年", 1.6, 1.7), word("散会", 1.9, 2.2)]
    assert cut_times(texts, words) == [pytest.approx(1.0)]
    # No pause between the texts: no clean place to cut.
    assert cut_times(texts, [*words[:2], word("2024", 0.82, 1.6), *words[3:]]) == [None]
    # A word across the join, or no word found on one side: unknown.
    assert cut_times(["我们开", "会。"], [word("我们", 0.1, 0.4), word("开会", 0.4, 0.8)]) == [None]
    assert cut_times(texts, words[:2]) == [None]
    # Words the service left out (up to a few characters) do not stop the alignment.
    assert cut_times(texts, [words[0], word("散会", 1.9, 2.2)]) == [pytest.approx(1.15)]
