from __future__ import annotations

import pytest
from recording_engine import RecordingEngine, SharingEngine

from pipeline.errors import EngineError
from pipeline.model import Chunk
from pipeline.settings import VoiceSettings
from pipeline.speech.cache import ChunkCache
from pipeline.speech.synthesize import synthesize

VOICE = VoiceSettings("recording", "test")


def chunks(texts):
    return [Chunk(text=t, section=0, paragraph=0, sentence=i) for i, t in enumerate(texts)]


TEXTS = [f"第{i}句话，内容各不相同。" for i in range(12)]


def test_unchanged_rerender_makes_zero_engine_calls(tmp_path):
    cache = ChunkCache(tmp_path)
    engine = RecordingEngine()
    first = synthesize(chunks(TEXTS), engine, VOICE, cache)
    assert (first.engine_calls, first.cached) == (12, 0)
    second = synthesize(chunks(TEXTS), engine, VOICE, cache)
    assert (second.engine_calls, second.cached) == (0, 12)
    assert len(engine.calls) == 12
    assert second.keys == first.keys


def test_one_changed_sentence_costs_one_call(tmp_path):
    cache = ChunkCache(tmp_path)
    engine = RecordingEngine()
    synthesize(chunks(TEXTS), engine, VOICE, cache)
    edited = TEXTS[:5] + ["这一句改过了。"] + TEXTS[6:]
    report = synthesize(chunks(edited), engine, VOICE, cache)
    assert report.engine_calls == 1
    assert engine.calls[-1] == "这一句改过了。"


def test_other_voice_synthesizes_only_its_own(tmp_path):
    cache = ChunkCache(tmp_path)
    engine = RecordingEngine()
    synthesize(chunks(TEXTS), engine, VOICE, cache)
    other = synthesize(chunks(TEXTS), engine, VoiceSettings("recording", "test", rate="+10%"), cache)
    assert other.engine_calls == 12
    again = synthesize(chunks(TEXTS), engine, VOICE, cache)
    assert again.engine_calls == 0


def test_identical_sentences_are_synthesized_once(tmp_path):
    engine = RecordingEngine()
    report = synthesize(chunks(["谢谢大家！"] * 5 + ["好。"]), engine, VOICE, ChunkCache(tmp_path))
    assert (report.chunks, report.unique, report.engine_calls) == (6, 2, 2)


@pytest.mark.parametrize("jobs", [1, 3])
def test_concurrency_is_real_and_bounded(tmp_path, jobs):
    engine = RecordingEngine(delay=0.02)
    synthesize(chunks(TEXTS), engine, VOICE, ChunkCache(tmp_path), jobs=jobs)
    assert engine.most_in_flight == jobs


def test_permanent_failure_names_the_place_and_keeps_the_rest(tmp_path):
    cache = ChunkCache(tmp_path)
    engine = RecordingEngine(fail_on="第5句", delay=0.01)
    with pytest.raises(EngineError, match=r"sentence 6 could not be synthesized\. the service refused it Everything finished so far is cached") as err:
        synthesize(chunks(TEXTS), engine, VOICE, cache, jobs=2, describe=lambda c: f"Paragraph 1, sentence {c.sentence + 1}")
    done = len(engine.calls) - 1
    assert done >= 5  # the queue is in order: everything before the failing chunk was finished
    assert "the service refused it" in str(err.value)
    healthy = RecordingEngine()
    report = synthesize(chunks(TEXTS), healthy, VOICE, cache)
    assert report.engine_calls == 12 - done
    assert "第5句话，内容各不相同。" in healthy.calls


def test_works_when_the_caller_already_runs_an_event_loop(tmp_path):
    """Jupyter and Playwright's sync API run a loop in the caller's thread; asyncio.run refuses there."""
    import asyncio

    async def caller():
        return synthesize(chunks(TEXTS[:3]), RecordingEngine(), VOICE, ChunkCache(tmp_path))

    assert asyncio.run(caller()).engine_calls == 3


class RecordingProgress:
    def __init__(self) -> None:
        self.events: list[tuple[str, int] | tuple[str, int, int]] = []

    def start(self, total: int, cached: int = 0) -> None:
        self.events.append(("start", total, cached))

    def advance(self, n: int = 1) -> None:
        self.events.append(("advance", n))

    def close(self) -> None:
        self.events.append(("close", 0))


def test_progress_counts_only_what_is_synthesized(tmp_path):
    cache = ChunkCache(tmp_path)
    synthesize(chunks(TEXTS[:4]), RecordingEngine(), VOICE, cache)
    progress = RecordingProgress()
    synthesize(chunks(TEXTS), RecordingEngine(), VOICE, cache, progress=progress)
    assert progress.events == [("start", 8, 4)] + [("advance", 1)] * 8 + [("close", 0)]
    again = RecordingProgress()
    synthesize(chunks(TEXTS), RecordingEngine(), VOICE, cache, progress=again)
    assert again.events == [("start", 0, 12), ("close", 0)]


def test_progress_bar_only_on_a_terminal(monkeypatch):
    import io

    from pipeline.progress import TerminalProgress
    from pipeline.speech.synthesize import NoProgress

    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert isinstance(TerminalProgress.for_terminal(), NoProgress)


# --- several chunks a request -----------------------------------------------------------------


def test_requests_are_filled_evenly_within_the_limit(tmp_path):
    engine = SharingEngine()
    texts = [f"第{i}句话，内容各不相同。" for i in range(20)]
    synthesize(chunks(texts), engine, VOICE, ChunkCache(tmp_path), jobs=4)
    assert [t for request in engine.requests for t in request] == texts  # in order, each chunk once
    # 250 characters: five requests of 60 would do; eight (two rounds of four connections) come out even.
    assert [len(r) for r in engine.requests] == [3, 2] * 4
    assert all(sum(map(len, r)) <= 60 for r in engine.requests)


def test_a_request_never_goes_past_the_limit(tmp_path):
    engine = SharingEngine()
    texts = ["开场白第一句。", "一、标题", "正文" * 14 + "。", "要点" * 14 + "。", "正文" * 10 + "。", "结尾" * 6 + "。"]
    synthesize(chunks(texts), engine, VOICE, ChunkCache(tmp_path), jobs=1)
    # 103 characters, two stretches of 51.5: the last chunk's middle falls in the second, but it
    # would take that request past 60 characters.
    assert engine.requests == [texts[:3], texts[3:5], texts[5:]]


def test_only_what_the_cache_lacks_is_asked_for_and_one_edit_costs_one_request(tmp_path):
    cache = ChunkCache(tmp_path)
    synthesize(chunks(TEXTS), SharingEngine(), VOICE, cache)
    edited = TEXTS[:5] + ["这一句改过了。"] + TEXTS[6:]
    engine = SharingEngine()
    report = synthesize(chunks(edited), engine, VOICE, cache)
    assert engine.requests == [["这一句改过了。"]] and report.engine_calls == 1


def test_a_failed_shared_request_is_retried_chunk_by_chunk_and_names_the_sentence(tmp_path):
    cache = ChunkCache(tmp_path)
    engine = SharingEngine(fail_on="第5句")
    with pytest.raises(EngineError, match=r"^Paragraph 1, sentence 6 could not be synthesized"):
        synthesize(chunks(TEXTS), engine, VOICE, cache, jobs=1, describe=lambda c: f"Paragraph 1, sentence {c.sentence + 1}")
    shared = next(r for r in engine.requests if TEXTS[5] in r)
    assert len(shared) > 1 and engine.requests[engine.requests.index(shared) + 1 :][: shared.index(TEXTS[5]) + 1] == [
        [t] for t in shared[: shared.index(TEXTS[5]) + 1]
    ]
    # The sentences asked for alone before the failing one are cached.
    assert all(synthesize(chunks([t]), SharingEngine(), VOICE, cache).cached == 1 for t in shared[: shared.index(TEXTS[5])])
