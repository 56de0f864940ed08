from __future__ import annotations

import numpy as np
import pytest

from pipeline.model import Chunk, Section
from pipeline.settings import Pauses
from pipeline.sound.assemble import Assembler, display_title, pause_samples
from pipeline.sound.audio import AudioSegment, samples, segment

RATE = 22050
PAUSES = Pauses(clause=111, sentence=333, paragraph=777, subsection=1234, section=2001, title=2500, lead_in=500, tail=1499)


def sections() -> list[Section]:
    """Opening, 一 with a sub-section, 二, and a closing without a heading."""
    return [
        Section("", 1, ["同志们好。"], "opening"),
        Section("一、增强宗旨意识", 1, ["第一段。"]),
        Section("（一）坚持人民至上", 2, ["小节。"]),
        Section("二、坚决廉洁从政", 1, ["第二段。"]),
        Section("", 1, ["谢谢大家。"], "closing"),
    ]


def chunks() -> list[Chunk]:
    return [
        Chunk("关于作风建设的讲话", 0, -1, 0, pause_after="title", role="title"),
        Chunk("同志们：", 0, -1, 1, pause_after="paragraph", role="salutation"),
        Chunk("同志们好。", 0, 0, 0, pause_after="section"),
        Chunk("一、增强宗旨意识", 1, -1, 0, pause_after="paragraph", role="heading"),
        Chunk("第一段前半，", 1, 0, 0, part=0, pause_after="clause"),
        Chunk("第一段后半。", 1, 0, 0, part=1, pause_after="subsection"),
        Chunk("（一）坚持人民至上", 2, -1, 0, pause_after="paragraph", role="heading"),
        Chunk("小节。", 2, 0, 0, pause_after="section"),
        Chunk("二、坚决廉洁从政", 3, -1, 0, pause_after="paragraph", role="heading"),
        Chunk("第二段。", 3, 0, 0, pause_after="sentence"),
        Chunk("还有一句。", 3, 0, 1, pause_after="section"),
        Chunk("谢谢大家。", 4, 0, 0, pause_after="end"),
    ]


def noise(n: int, seed: int, rate: int = RATE) -> np.ndarray:
    """Loud from the first sample to the last, so trimming keeps all `n` samples."""
    rng = np.random.default_rng(seed)
    return np.clip(rng.normal(0, 4000, n), -20000, 20000).astype(np.int16) | np.int16(512)


class Clips:
    """Clip source that records which chunks were asked for (a fake, not a mock)."""

    def __init__(self, chunk_list: list[Chunk], rate: int = RATE, pad: int = 0) -> None:
        self.pcm = {c: noise(RATE // 4 + 997 * i, i, rate) for i, c in enumerate(chunk_list)}
        self.rate = rate
        self.pad = pad
        self.calls: list[Chunk] = []

    def __call__(self, chunk: Chunk) -> AudioSegment:
        self.calls.append(chunk)
        quiet = np.zeros(self.pad, np.int16)
        return segment(np.concatenate([quiet, self.pcm[chunk], quiet]), self.rate)


def run(clips: Clips, chunk_list: list[Chunk], pauses: Pauses = PAUSES) -> tuple[Assembler, list[tuple[int, int, np.ndarray]]]:
    """Assemble, keeping (number, start, samples) of every track."""
    assembler = Assembler(sections(), chunk_list, clips, pauses, RATE)
    kept = []
    for track in assembler.tracks():
        with track:
            kept.append((track.number, track.start, samples(track.audio(RATE)).copy()))
    return assembler, kept


def expected_programme(clips: Clips, chunk_list: list[Chunk], pauses: Pauses = PAUSES) -> np.ndarray:
    parts = [np.zeros(pause_samples(pauses.lead_in, RATE), np.int16)]
    for c in chunk_list:
        parts += [clips.pcm[c], np.zeros(pause_samples(pauses.after(c.pause_after), RATE), np.int16)]
    return np.concatenate(parts)


def test_pause_samples_rounds_at_the_sample_rate() -> None:
    assert pause_samples(333, 22050) == 7343  # 7342.65
    assert pause_samples(650, 24000) == 15600
    assert pause_samples(0, 24000) == 0


def test_placements_and_pauses_are_exact_to_the_sample() -> None:
    cs = chunks()
    clips = Clips(cs, pad=3000)  # 136 ms of silence either side, trimmed to the 25 ms margin
    assembler, _ = run(clips, cs)
    margin = round(0.025 * RATE)
    pos = pause_samples(PAUSES.lead_in, RATE)
    for placement, chunk in zip(assembler.timeline.placements, cs, strict=True):
        length = len(clips.pcm[chunk]) + 2 * margin
        assert (placement.chunk, placement.start, placement.end) == (chunk, pos, pos + length)
        pos += length + pause_samples(PAUSES.after(chunk.pause_after), RATE)
    assert assembler.timeline.length == pos
    assert clips.calls == cs  # every clip asked for once, in order


def test_tracks_concatenate_to_the_programme() -> None:
    cs = chunks()
    clips = Clips(cs)
    assembler, tracks = run(clips, cs)
    programme = expected_programme(clips, cs)
    assert [n for n, _, _ in tracks] == [1, 2, 3, 4] == list(range(1, assembler.track_count + 1))
    assert sum(len(pcm) for _, _, pcm in tracks) == len(programme) == assembler.timeline.length
    assert np.array_equal(np.concatenate([pcm for _, _, pcm in tracks]), programme)
    starts = [start for _, start, _ in tracks]
    assert starts == [0, *np.cumsum([len(pcm) for _, _, pcm in tracks])[:-1]]


def test_section_spans_tile_the_programme() -> None:
    cs = chunks()
    assembler, tracks = run(Clips(cs), cs)
    timeline = assembler.timeline
    spans = timeline.sections
    by_chunk = {p.chunk: p for p in timeline.placements}
    assert [(s.index, s.title, s.level, s.track) for s in spans] == [
        (0, "开场", 1, 1), (1, "一、增强宗旨意识", 1, 2), (2, "（一）坚持人民至上", 2, 2),
        (3, "二、坚决廉洁从政", 1, 3), (4, "结束语", 1, 4),
    ]  # fmt: skip
    assert spans[0].start == 0  # the opening owns the lead-in
    for span, following in zip(spans, spans[1:]):
        assert span.end == following.start
    assert spans[-1].end == timeline.length
    # a section starts where its first chunk's speech starts
    assert spans[1].start == by_chunk[cs[3]].start and spans[2].start == by_chunk[cs[6]].start
    # the section owns the pause after its last chunk
    assert spans[1].end - by_chunk[cs[5]].end == pause_samples(PAUSES.subsection, RATE)
    # track boundaries are section boundaries
    assert [start for _, start, _ in tracks] == [spans[0].start, spans[1].start, spans[3].start, spans[4].start]


def test_pace_scales_every_pause() -> None:
    cs = chunks()
    clips = Clips(cs)
    slow = PAUSES.scaled(1.5)
    assembler, tracks = run(clips, cs, slow)
    assert np.array_equal(np.concatenate([pcm for _, _, pcm in tracks]), expected_programme(clips, cs, slow))
    gap = assembler.timeline.placements[1].start - assembler.timeline.placements[0].end
    assert gap == pause_samples(round(2500 * 1.5), RATE) == 82688


def test_clip_at_another_rate_is_resampled() -> None:
    cs = chunks()[:3]
    cs[-1] = Chunk("同志们好。", 0, 0, 0, pause_after="end")
    clips = Clips(cs, rate=16000)
    assembler = Assembler(sections(), cs, clips, PAUSES, RATE)
    for track in assembler.tracks():
        track.close()
    for p in assembler.timeline.placements:
        expected = len(samples(segment(clips.pcm[p.chunk], 16000).set_frame_rate(RATE)))
        assert p.end - p.start == expected
        assert abs(expected - len(clips.pcm[p.chunk]) * RATE / 16000) <= 2


def test_sections_without_chunks_get_no_span_and_sub_sections_join_the_track() -> None:
    secs = sections() + [Section("三、没有内容", 1, [])]
    cs = chunks()
    assembler = Assembler(secs, cs, Clips(cs), PAUSES, RATE)
    assert assembler.track_count == 4
    numbers = [t.number for t in assembler.tracks()]
    assert numbers == [1, 2, 3, 4]
    assert [s.index for s in assembler.timeline.sections] == [0, 1, 2, 3, 4]


def test_display_titles() -> None:
    assert display_title(Section("", kind="opening")) == "开场"
    assert display_title(Section("", kind="closing")) == "结束语"
    assert display_title(Section("结束语：几点希望", kind="closing")) == "结束语：几点希望"
    # A speech in traditional characters gets its labels in them too.
    assert display_title(Section("", kind="opening"), traditional=True) == "開場"
    assert display_title(Section("结束语", kind="closing"), traditional=True) == "結束語"
    assert display_title(Section("一、總體情況", kind="section"), traditional=True) == "一、總體情況"


def test_a_speech_in_traditional_characters_is_told_from_a_simplified_one() -> None:
    from pipeline.text.hanzi import is_traditional

    assert is_traditional("各位貴賓、各位鄉親：今天我們在這裡舉行典禮，這是對人民的承諾，我們會繼續努力。")
    assert not is_traditional("各位来宾、各位乡亲：今天我们在这里举行典礼，这是对人民的承诺，我们会继续努力。")
    assert not is_traditional("同志们：今天开会。")


def test_chunks_out_of_section_order_are_refused() -> None:
    cs = chunks()
    with pytest.raises(ValueError, match="order"):
        Assembler(sections(), [cs[3], cs[0]], Clips(cs), PAUSES, RATE)
    with pytest.raises(ValueError, match="no chunks"):
        Assembler(sections(), [], Clips(cs), PAUSES, RATE)


def test_large_tracks_spill_to_disk(monkeypatch) -> None:
    import pipeline.sound.assemble as assemble

    monkeypatch.setattr(assemble, "SPOOL_BYTES", 1000)
    cs = chunks()
    clips = Clips(cs)
    assembler = Assembler(sections(), cs, clips, PAUSES, RATE)
    joined = []
    for track in assembler.tracks():
        with track:
            assert track.pcm._rolled  # type: ignore[attr-defined]
            joined += [block for _, block in track.blocks(size=4096)]
    assert np.array_equal(np.concatenate(joined), expected_programme(clips, cs))
