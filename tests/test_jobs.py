"""The web app's estimate of the time a render has left: synthesis at its pace, then the writing
that cannot overlap it, guessed from the speech's length until it can be timed."""

from __future__ import annotations

import pytest

from pipeline.model import Script, Section
from pipeline.settings import RenderSettings
from pipeline.web import jobs
from pipeline.web.jobs import Job, writing_seconds


@pytest.fixture
def clock(monkeypatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(jobs.time, "monotonic", lambda: now[0])
    return now


def test_while_synthesizing_the_estimate_includes_the_writing_still_to_come(clock) -> None:
    job = Job("j", "讲话", "xiaoxiao", state="running", total=10, done=5, started=990.0, writing_guess=30.0, writing_total=999)
    assert job.seconds_left() == pytest.approx(10 + 30)
    job.written = 333  # a third written alongside synthesis: a third less to write after it
    assert job.seconds_left() == pytest.approx(10 + 20, abs=0.1)


def test_once_synthesis_is_over_the_writing_is_timed_at_its_own_pace(clock) -> None:
    job = Job(
        "j",
        "讲话",
        "xiaoxiao",
        state="finishing",
        total=10,
        done=10,
        started=900.0,
        writing_guess=30.0,
        writing_total=1000,
        written=500,
        writing_pace=(1000.0, 500),
    )  # as the synthesis progress's close() records it
    assert job.seconds_left() == pytest.approx(15)  # the guess, until it runs alone for a second
    clock[0] += 2
    job.written = 600  # 100 thousandths in 2 s: 400 more take 8 s, whatever the guess said
    assert job.seconds_left() == pytest.approx(8)
    job.state = "done"
    assert job.seconds_left() is None


def test_the_guess_grows_with_the_speech_and_with_an_audiobook() -> None:
    short = Script("标题", "", [Section("开场", 0, ["同志们好。" * 20], "opening")])
    long = Script("标题", "", [Section("开场", 0, ["同志们好。" * 2000], "opening")])
    mp3, both = RenderSettings(), RenderSettings(formats=("mp3", "m4b"))
    assert 0 < writing_seconds(short, mp3) < writing_seconds(long, mp3) < writing_seconds(long, both)
    # 2,000 sentences of five characters: about 38 minutes of speech, a few seconds to write as MP3.
    assert 2 < writing_seconds(long, mp3) < 8


def test_warnings_go_to_the_page_with_their_codes_beside_the_text() -> None:
    from pipeline.i18n import Message
    from pipeline.model import Warn
    from pipeline.web.views import understood

    said = [Warn.NUMBERING_JUMP(line=9, number="三、", missing="二、"), Message("checked by hand on 2024-03-01")]
    job = Job("j", "讲话", "xiaoxiao", warnings=said)
    shown = job.public(None)
    assert shown["warning_codes"] == ["numbering-jump", ""] and shown["warnings_en"][0] == "line 9: numbering jumps to 三、: 二、 is missing"
    assert "二、" in shown["warnings"][0] and shown["warnings"][0] != shown["warnings_en"][0]  # the Chinese beside the English
    script = Script("标题", "", [Section("开场", 0, ["同志们好。"], "opening")], warnings=said)
    assert understood(script)["warning_codes"] == ["numbering-jump", ""]
