from __future__ import annotations

import asyncio
import io
import wave
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from pipeline.errors import VoiceError
from pipeline.settings import VoiceSettings
from pipeline.speech.engines import get_engine
from pipeline.speech.engines.espeak import EspeakEngine
from pipeline.text import numbers

CMN = VoiceSettings("espeak", "cmn")
# espeak-ng carries a little internal state from one utterance to the next (it survives even
# espeak_Terminate), so the same text can come out up to ~10 ms longer or shorter; different
# readings differ by hundreds of ms.
SAME_READING = 0.02


def samples(data: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"), w.getframerate()


def seconds(text: str, voice: VoiceSettings = CMN) -> float:
    pcm, rate = samples(EspeakEngine().synthesize_sync(text, voice).data)
    return len(pcm) / rate


@pytest.fixture(scope="module")
def engine() -> EspeakEngine:
    return EspeakEngine()


def test_registered_and_offline() -> None:
    engine = get_engine("espeak")
    assert isinstance(engine, EspeakEngine)
    assert engine.needs_network is False
    assert asyncio.run(engine.available()) is True


def test_speaks_mandarin_audio(engine: EspeakEngine) -> None:
    text = "同志们，今天我们召开全体干部大会。"
    speech = asyncio.run(engine.synthesize(text, CMN))
    assert speech.format == "wav"
    pcm, rate = samples(speech.data)
    assert rate == 22050 == engine.sample_rate
    hanzi = 15
    assert 0.1 < len(pcm) / rate / hanzi < 0.5
    rms = float(np.sqrt(np.mean(pcm.astype(np.float64) ** 2)))
    assert rms > 1000, "speech, not silence"


def test_numbers_are_read_as_chinese() -> None:
    # "2023年" is spoken as the normalised 二零二三年, not as the cardinal espeak would say itself.
    assert abs(seconds("2023年") - seconds("二零二三年")) < SAME_READING
    assert seconds("二千零二十三年") - seconds("2023年") > 0.3
    assert abs(seconds("会议于14:30开始") - seconds("会议于十四点三十分开始")) < SAME_READING
    assert abs(seconds("增长3.5%") - seconds("增长百分之三点五")) < SAME_READING
    assert seconds("增长3.5%") - seconds("增长三点五") > 0.5


@pytest.mark.parametrize("voice", ["cmn+f3", "cmn+m3", "yue"])
def test_voice_variants_speak_differently(engine: EspeakEngine, voice: str) -> None:
    text = "今天天气很好。"
    engine.check_voice(voice)
    plain = engine.synthesize_sync(text, CMN).data
    other = engine.synthesize_sync(text, VoiceSettings("espeak", voice)).data
    assert samples(other)[0].size > 0 and other != plain


def test_rate_pitch_volume_are_applied(engine: EspeakEngine) -> None:
    text = "我们要坚持不懈地推进各项工作。"
    normal = seconds(text)
    assert seconds(text, VoiceSettings("espeak", "cmn", rate="+100%")) < normal * 0.65
    assert seconds(text, VoiceSettings("espeak", "cmn", rate="-40%")) > normal * 1.4
    loud, _ = samples(engine.synthesize_sync(text, VoiceSettings("espeak", "cmn", volume="+50%")).data)
    quiet, _ = samples(engine.synthesize_sync(text, VoiceSettings("espeak", "cmn", volume="-50%")).data)
    assert np.abs(loud).mean() > 2 * np.abs(quiet).mean()
    low = engine.synthesize_sync(text, VoiceSettings("espeak", "cmn", pitch="-40Hz")).data
    high = engine.synthesize_sync(text, VoiceSettings("espeak", "cmn", pitch="+40Hz")).data
    assert zero_crossings(high) > zero_crossings(low)


def zero_crossings(data: bytes) -> int:
    pcm, _ = samples(data)
    return int(np.count_nonzero(np.diff(np.sign(pcm)) != 0))


def test_concurrent_calls_from_threads_are_safe(engine: EspeakEngine) -> None:
    # Lengths a syllable apart, so audio swapped or mixed between threads cannot pass.
    texts = [f"我们{'好' * n}。" for n in range(1, 9)] * 2
    alone = [seconds(t) for t in texts]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda t: engine.synthesize_sync(t, CMN), texts))
    got = [len(samples(s.data)[0]) / 22050 for s in together]
    assert got == pytest.approx(alone, abs=SAME_READING)


def test_concurrent_tasks_on_one_loop(engine: EspeakEngine) -> None:
    texts = ["你好。", "谢谢大家。", "散会。"]

    async def all_at_once() -> list[float]:
        done = await asyncio.gather(*(engine.synthesize(t, CMN) for t in texts))
        return [len(samples(s.data)[0]) / 22050 for s in done]

    assert asyncio.run(all_at_once()) == pytest.approx([seconds(t) for t in texts], abs=SAME_READING)


def test_voices_and_their_check(engine: EspeakEngine) -> None:
    names = [v.name for v in engine.voices()]
    assert {"cmn", "cmn+f3", "cmn+m3", "yue"} <= set(names)
    for name in names:
        engine.check_voice(name)
    with pytest.raises(VoiceError, match=r"cmn\+f5"):
        engine.check_voice("cmn+f9")
    with pytest.raises(VoiceError, match=r"'cnm'.*cmn"):
        engine.check_voice("cnm")


def test_version_names_library_and_normaliser(engine: EspeakEngine) -> None:
    assert engine.version == f"espeak-ng 1.52.0; numbers {numbers.VERSION}"


def test_the_pinyin_it_is_sent_is_spoken_as_pinyin_not_as_numbers() -> None:
    """What `sent` gives the engine (tone-numbered pinyin) sounds as the characters do: its tone
    digits are never read out as numbers (zhong 一 guo 二 …)."""
    from pipeline.text.readings import Lexicon

    sent = EspeakEngine().sent("中国银行", Lexicon(), CMN)
    assert sent == "zhong1 guo2 yin2 hang2"
    assert abs(seconds(sent) - seconds("中国银行")) < SAME_READING
    assert seconds("zhong一 guo二 yin二 hang二") - seconds(sent) > 0.3
