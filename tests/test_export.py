from __future__ import annotations

import dataclasses
import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile
from imageio_ffmpeg import get_ffmpeg_exe as ffmpeg_exe
from media_util import ebur128
from mutagen.id3 import ID3
from scipy.signal import butter, sosfilt
from test_assemble import PAUSES, RATE, Clips, chunks, sections

from pipeline.errors import OutputError
from pipeline.model import Chunk, Placement, Reason, RemovedLine, Script, Timeline
from pipeline.publish.mp3 import Mp3Writer
from pipeline.publish.playlist import TrackFile, m3u8
from pipeline.publish.record import RenderInfo
from pipeline.publish.staging import safe_filename
from pipeline.publish.subtitles import Cue, cues, lrc, srt
from pipeline.publish.write import write_render  # fmt: skip
from pipeline.settings import RenderSettings, VoiceSettings
from pipeline.sound.audio import AudioSegment, samples, segment
from pipeline.sound.loudness import integrated_loudness, normalize

# ---------------------------------------------------------------- file names


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("一、增强宗旨意识", "一、增强宗旨意识"),
        ("../../etc/passwd", "etc_passwd"),
        ('a/b\\c:d*e?f"g<h>i|j', "a_b_c_d_e_f_g_h_i_j"),
        ("标题\x00\x07\n换行", "标题_换行"),
        ("结尾有点和空格. . ", "结尾有点和空格"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1", "_com1"),
        ("CONTENT", "CONTENT"),
        ("讲话\u202egpj.exe", "讲话gpj.exe"),  # a right-to-left override turns a name around: it goes
        ("零宽\u200b字符", "零宽字符"),
        ("", "untitled"),
        ("...", "untitled"),
        ("  ", "untitled"),
    ],
)
def test_safe_filename(title: str, expected: str) -> None:
    assert safe_filename(title) == expected


def test_safe_filename_trims_long_titles_on_character_boundaries() -> None:
    name = safe_filename("很" * 200)
    assert name == "很" * 80
    emoji = safe_filename("🎤" * 200)
    assert len(emoji.encode("utf-8")) == 240 and set(emoji) == {"🎤"}
    assert safe_filename("x" * 200, max_len=10) == "x" * 10


# ---------------------------------------------------------------- cues and subtitle formats


def timeline_of(*spoken: tuple[Chunk, int, int], rate: int = 1000) -> Timeline:
    """A timeline at 1000 samples/s, so samples read as milliseconds."""
    return Timeline(rate, spoken[-1][2] + 500, [Placement(c, s, e) for c, s, e in spoken])


def test_short_sentences_get_one_cue_each() -> None:
    a = Chunk("同志们好。", 0, 0, 0)
    b1, b2 = Chunk("今天我们开会，", 0, 0, 1, part=0, pause_after="clause"), Chunk("研究工作。", 0, 0, 1, part=1)
    t = timeline_of((a, 500, 1700), (b1, 2300, 3900), (b2, 4150, 5000))
    assert cues(t) == [Cue(500, 1700, "同志们好。", 0), Cue(2300, 5000, "今天我们开会，研究工作。", 0)]


def test_long_sentence_splits_at_chunk_boundaries_first() -> None:
    first = Chunk("我们要坚持以人民为中心的发展思想，", 1, 0, 0, part=0, pause_after="clause")  # 17
    second = Chunk("把人民群众的利益放在首位，切实解决群众急难愁盼问题。", 1, 0, 0, part=1)  # 26
    t = timeline_of((first, 1000, 4000), (second, 4250, 9000))
    assert cues(t) == [Cue(1000, 4000, first.text, 1), Cue(4250, 9000, second.text, 1)]


def test_long_chunk_splits_at_punctuation_with_times_by_characters() -> None:
    text = "全面从严治党永远在路上，党的自我革命永远在路上，决不能有松劲歇脚、疲劳厌战的情绪。"
    t = timeline_of((Chunk(text, 2, 1, 0, role="body"), 10_000, 14_200))
    got = cues(t)
    assert [c.text for c in got] == ["全面从严治党永远在路上，党的自我革命永远在路上，", "决不能有松劲歇脚、疲劳厌战的情绪。"]
    # 22 spoken characters, then 15: 4200 ms shared 22:15
    assert [(c.start_ms, c.end_ms) for c in got] == [(10_000, 12_497), (12_497, 14_200)]


def test_unpunctuated_run_is_cut_evenly_and_cues_stay_short() -> None:
    text = "的" * 70
    got = cues(timeline_of((Chunk(text, 0, 0, 0), 0, 7000)))
    assert [len(c.text) for c in got] == [23, 24, 23]
    assert [(c.start_ms, c.end_ms) for c in got] == [(0, 2300), (2300, 4700), (4700, 7000)]


def test_a_line_or_a_cue_without_punctuation_breaks_between_words() -> None:
    """A run with no punctuation is cut, and laid out in lines, where one word ends and the next
    begins: never 安全|生产."""
    from pipeline.publish.subtitles import _lines
    from pipeline.text.split import word_bounds

    text = "全县上下要坚持人民至上生命至上扎实推进安全生产专项整治三年行动持续深化改革开放全面加强基层党组织建设"
    got = cues(timeline_of((Chunk(text, 0, 0, 0), 0, 9000)))
    bounds = set(word_bounds(text))
    ends = [sum(len(c.text) for c in got[: k + 1]) for k in range(len(got) - 1)]
    assert len(got) > 1 and set(ends) <= bounds, [c.text for c in got]
    for cue in got:
        first, *rest = _lines(cue.text)
        assert not rest or len(first) in set(word_bounds(cue.text)), (first, rest)


def test_cues_never_overlap_nor_vanish() -> None:
    text = "一，二，三，四，五，六，七，八，九，十，" * 4
    t = timeline_of((Chunk(text, 0, 0, 0), 0, 3), (Chunk("短句。", 0, 0, 1), 3, 4))
    got = cues(t)
    assert all(c.end_ms > c.start_ms for c in got)
    assert all(a.end_ms <= b.start_ms for a, b in zip(got, got[1:]))
    assert "".join(c.text for c in got) == text + "短句。"


def test_srt_format_with_hours_and_two_lines() -> None:
    text = "这是一个用来测试的句子，它有一点长度，但还不算太长。"
    out = srt([Cue(5, 1999, "短句。", 0), Cue(3_723_004, 3_725_010, text, 1)])
    assert out == ("1\n00:00:00,005 --> 00:00:01,999\n短句。\n\n2\n01:02:03,004 --> 01:02:05,010\n这是一个用来测试的句子，\n它有一点长度，但还不算太长。\n")


def test_lrc_minutes_pass_59_and_offset_applies() -> None:
    got = lrc([Cue(3_723_004, 3_725_000, "一句。", 0), Cue(59_995, 61_000, "二句。", 0)], title="讲话")
    assert got == "[ti:讲话]\n[re:speechcast]\n[62:03.00]一句。\n[01:00.00]二句。\n"
    assert lrc([Cue(125_430, 126_000, "三句。", 0)], offset_ms=65_000).endswith("[01:00.43]三句。\n")


def test_m3u8_lists_relative_files_with_durations() -> None:
    tracks = [TrackFile(1, "开场", "01-开场.mp3", "01-开场.lrc", 0, 61_400), TrackFile(2, "一、x", "02-一、x.mp3", "", 61_400, 70_000)]
    assert m3u8(tracks) == "#EXTM3U\n#EXTINF:61,开场\n01-开场.mp3\n#EXTINF:9,一、x\n02-一、x.mp3\n"


# ---------------------------------------------------------------- loudness and encoding


def speechlike(seconds: float, seed: int = 0, rate: int = RATE) -> np.ndarray:
    """Syllable-sized bursts of band-limited noise plus a voiced tone, at random levels: as peaky
    as real TTS speech (peak-to-loudness ratio near 19 dB), so the limiter has work to do."""
    rng = np.random.default_rng(seed)
    lowpass = butter(4, 3800, fs=rate, output="sos")
    parts, total = [], 0
    while total < seconds * rate:
        n = int(rng.uniform(0.12, 0.3) * rate)
        level = 10 ** (rng.uniform(-14, 0) / 20)
        t = np.arange(n) / rate
        burst = np.hanning(n) * level * (sosfilt(lowpass, rng.standard_normal(n)) + 2 * np.sin(2 * np.pi * rng.uniform(100, 250) * t))
        gap = np.zeros(int(rng.uniform(0.03, 0.25) * rate))
        parts += [burst, gap]
        total += n + gap.size
    x = np.concatenate(parts)[: int(seconds * rate)]
    return (x / np.abs(x).max() * 0.25 * 32767).astype(np.int16)


def encode(seg: AudioSegment, path: Path) -> Path:
    writer = Mp3Writer(path, seg.frame_rate)
    writer.write(seg.raw_data)
    return writer.close()


def test_streaming_meter_agrees_with_pyloudnorm() -> None:
    pcm = speechlike(20)
    assert integrated_loudness(segment(pcm, RATE)) == pytest.approx(pyloudnorm.Meter(RATE).integrated_loudness(pcm / 32768.0), abs=0.01)


def test_normalize_hits_target_and_ceiling_measured_by_ffmpeg(tmp_path: Path) -> None:
    quiet = segment(speechlike(30, seed=1), RATE)
    assert integrated_loudness(quiet) < -28
    loud = normalize(quiet, -16.0, -1.5)
    assert len(samples(loud)) == len(samples(quiet))
    lufs, peak = ebur128(encode(loud, tmp_path / "n.mp3"))
    assert -17.0 <= lufs <= -15.0
    assert peak <= -1.0  # −1.5 dBTP plus what the MP3 encoder adds


def test_normalize_other_target(tmp_path: Path) -> None:
    lufs, peak = ebur128(encode(normalize(segment(speechlike(20, seed=2), RATE), -23.0, -3.0), tmp_path / "n.mp3"))
    assert -24.0 <= lufs <= -22.0 and peak <= -2.5


def test_normalize_leaves_silence_and_short_audio_alone() -> None:
    silent = segment(np.zeros(RATE, np.int16), RATE)
    assert samples(normalize(silent)).tolist() == samples(silent).tolist()
    blip = segment(np.full(300, 1000, np.int16), RATE)  # 14 ms: too short to measure
    assert np.array_equal(samples(normalize(blip)), samples(blip))


def test_mp3_writer_renames_only_on_close(tmp_path: Path) -> None:
    target = tmp_path / "a.mp3"
    writer = Mp3Writer(target, RATE)
    writer.write(np.zeros(RATE, np.int16))
    assert not target.exists()
    assert writer.close(before_rename=lambda temp: ID3().save(temp)) == target
    assert soundfile.info(target).frames == RATE
    assert list(tmp_path.iterdir()) == [target]


def test_mp3_writer_leaves_nothing_after_an_exception(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), Mp3Writer(tmp_path / "b.mp3", RATE) as writer:
        writer.write(np.zeros(RATE, np.int16))
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_mp3_writer_is_not_fooled_by_a_pipeline_folder_where_the_user_stands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    decoy = tmp_path / "pipeline"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("")
    (decoy / "mp3encode.py").write_text("import sys\nsys.exit('the wrong encoder')\n")
    monkeypatch.chdir(tmp_path)
    pcm = (8000 * np.sin(np.arange(RATE) / 7)).astype(np.int16)
    with Mp3Writer(Path("out.mp3"), RATE) as writer:
        writer.write(pcm)
        writer.close()
    assert soundfile.info(tmp_path / "out.mp3").frames == RATE


def test_mp3_writer_reports_encoder_failure(tmp_path: Path) -> None:
    writer = Mp3Writer(tmp_path / "gone" / "c.mp3", RATE)  # the encoder cannot create its file
    with pytest.raises(OutputError, match=r"Encoding c.mp3 failed \(No such file or directory\)"):
        for _ in range(50):
            writer.write(np.zeros(RATE, np.int16))
        writer.close()
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- the whole output stage

MANIFEST_KEYS = {"schema", "speechcast", "title", "speaker", "date", "salutation", "source", "engine", "voice", "settings", "sample_rate",
                 "duration_ms", "files", "sizes", "tracks", "sections", "chunks", "cues", "script", "render_key", "input_key"}  # fmt: skip
INFO = RenderInfo("0.1.0", VoiceSettings("espeak", "cmn", rate="+10%"), preset="standard",
                  source_path="speech.txt", source_sha256="ab" * 32, date="2024-05-01")  # fmt: skip


class SpeechClips(Clips):
    """Speech-like clips (peaky, quiet) with silence either side, as engines return them."""

    def __init__(self, chunk_list: list[Chunk], fail_at: int | None = None) -> None:
        super().__init__(chunk_list, pad=2000)
        self.pcm = {c: speechlike(1.2 + 0.1 * i, seed=i) for i, c in enumerate(chunk_list)}
        self.fail_at = fail_at

    def __call__(self, chunk: Chunk) -> AudioSegment:
        if len(self.calls) == self.fail_at:
            raise RuntimeError("engine went away")
        return super().__call__(chunk)


def script() -> Script:
    return Script("关于作风建设的讲话", "同志们：", sections(), removed=[RemovedLine(3, "扫码关注", Reason.FOLLOW)])


def render(out: Path, clips: Clips, player=None):
    settings = RenderSettings(pauses=PAUSES)
    return write_render(out, script(), chunks(), clips, settings, RATE, INFO, "# 关于作风建设的讲话\n", player=player)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("render")
    pages: list[dict] = []

    def player(manifest: dict) -> str:
        pages.append(manifest)
        return "<html></html>"

    result = render(out, SpeechClips(chunks()), player)
    return out, result, json.loads((out / "manifest.json").read_text(encoding="utf-8")), pages


def test_render_writes_every_file(rendered) -> None:
    out, result, manifest, pages = rendered
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([
        "01-开场.mp3", "01-开场.lrc", "02-一、增强宗旨意识.mp3", "02-一、增强宗旨意识.lrc",
        "03-二、坚决廉洁从政.mp3", "03-二、坚决廉洁从政.lrc", "04-结束语.mp3", "04-结束语.lrc",
        "关于作风建设的讲话.mp3", "关于作风建设的讲话.srt", "关于作风建设的讲话.lrc",
        "playlist.m3u8", "manifest.json", "index.html",
    ])  # fmt: skip
    assert result.track_count == 4 and result.player == out / "index.html"
    assert result.duration_ms == manifest["duration_ms"]
    assert pages and pages[0].title == "关于作风建设的讲话"


def test_manifest_schema_and_timeline(rendered) -> None:
    out, _, m, _ = rendered
    assert set(m) == MANIFEST_KEYS
    # The audio's bytes as committed: every MP3 the render wrote, at its size on disk.
    assert m["sizes"] == {p.name: p.stat().st_size for p in out.glob("*.mp3")}
    assert m["files"] == {"full": "关于作风建设的讲话.mp3", "m4b": None, "srt": "关于作风建设的讲话.srt", "lrc": "关于作风建设的讲话.lrc",
                          "playlist": "playlist.m3u8", "player": "index.html"}  # fmt: skip
    assert m["source"] == {"path": "speech.txt", "sha256": "ab" * 32, "url": "", "removed_lines": 1,
                           "removed": [{"line": 3, "text": "扫码关注", "reason": "advert-follow", "kind": "publication",
                                       "description": "advert: follow the account, scan the code"}], "unsure": [], "owner": ""}  # fmt: skip
    assert m["voice"] == {"preset": "standard", "engine": "espeak", "voice": "cmn", "rate": "+10%", "pitch": "+0Hz", "volume": "+0%"}
    assert m["settings"] == {"pauses": dataclasses.asdict(PAUSES), "loudness": -16.0, "true_peak": -1.5, "bitrate": "64k", "formats": ["mp3"], "cover": False}
    assert (m["engine"], m["sample_rate"], m["salutation"], m["script"]) == ("espeak", RATE, "同志们：", "# 关于作风建设的讲话\n")
    assert [c["text"] for c in m["chunks"]] == [c.text for c in chunks()]
    assert set(m["chunks"][0]) == {"text", "section", "paragraph", "sentence", "part", "role", "pause_after", "start_ms", "end_ms"}
    # chunk times: speech (at most the 1.2 s clip plus two 25 ms margins), then the pause after it
    first, second = m["chunks"][0], m["chunks"][1]
    assert first["start_ms"] == PAUSES.lead_in and 1000 < first["end_ms"] - first["start_ms"] <= 1250
    assert second["start_ms"] - first["end_ms"] in (PAUSES.title - 1, PAUSES.title, PAUSES.title + 1)
    assert [(s["title"], s["level"], s["kind"], s["track"]) for s in m["sections"]] == [
        ("开场", 1, "opening", 1), ("一、增强宗旨意识", 1, "section", 2), ("（一）坚持人民至上", 2, "section", 2),
        ("二、坚决廉洁从政", 1, "section", 3), ("结束语", 1, "closing", 4),
    ]  # fmt: skip
    assert m["sections"][0]["start_ms"] == 0 and m["sections"][-1]["end_ms"] == m["duration_ms"]
    assert all(a["end_ms"] == b["start_ms"] for a, b in zip(m["sections"], m["sections"][1:]))
    assert [t["start_ms"] for t in m["tracks"]] == [m["sections"][i]["start_ms"] for i in (0, 1, 3, 4)]
    assert m["tracks"][-1]["end_ms"] == m["duration_ms"]


def test_full_file_duration_equals_tracks(rendered) -> None:
    _out, result, m, _ = rendered
    full = soundfile.info(result.full).frames
    tracks = [soundfile.info(p).frames for p in result.tracks]
    assert full == sum(tracks)
    # Each file decodes to exactly its samples (the manifest rounds their two ends to ms: ±22 samples).
    for frames, (start, end) in [(full, (0, m["duration_ms"])), *zip(tracks, ((t["start_ms"], t["end_ms"]) for t in m["tracks"]))]:
        assert -23 <= frames - (end - start) * RATE / 1000 <= 23


def test_chapters_read_back_by_mutagen_and_ffmpeg(rendered) -> None:
    _out, result, m, _ = rendered
    tags = ID3(result.full)
    assert tags.version[:2] == (2, 3)
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.sub_frames["TIT2"].text[0], c.start_time, c.end_time) for c in chaps] == [(s["title"], s["start_ms"], s["end_ms"]) for s in m["sections"]]
    toc = tags.getall("CTOC")[0]
    assert list(toc.child_element_ids) == [c.element_id for c in chaps]
    assert (str(tags["TIT2"]), str(tags["TPE1"]), str(tags["TALB"])) == (
        "关于作风建设的讲话",
        "standard",
        "关于作风建设的讲话",
    )  # no speaker: the preset, never the engine's code
    assert "speechcast" in tags.getall("COMM")[0].text[0]
    listing = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(result.full)], capture_output=True, text=True).stderr
    listed = re.findall(r"Chapter #0:(\d+): start ([\d.]+), end ([\d.]+)\s+Metadata:\s+title\s+: (.+)", listing)
    assert [(int(n), round(float(a) * 1000), round(float(b) * 1000), t.strip()) for n, a, b, t in listed] == [
        (n, s["start_ms"], s["end_ms"], s["title"]) for n, s in enumerate(m["sections"])
    ]


def test_track_tags(rendered) -> None:
    _, result, m, _ = rendered
    for number, path in enumerate(result.tracks, 1):
        tags = ID3(path)
        assert str(tags["TRCK"]) == f"{number}/4"
        assert str(tags["TIT2"]) == m["tracks"][number - 1]["title"]
        assert str(tags["TALB"]) == "关于作风建设的讲话"


def test_every_file_is_at_the_loudness_target(rendered) -> None:
    _, result, _, _ = rendered
    for path in [result.full, *result.tracks]:
        lufs, peak = ebur128(path)
        assert -17.0 <= lufs <= -15.0, path.name
        assert peak <= -1.0, path.name


def test_subtitles_match_the_manifest(rendered) -> None:
    out, result, m, _ = rendered
    cue_list = [Cue(**c) for c in m["cues"]]
    assert result.srt.read_text(encoding="utf-8") == srt(cue_list)
    assert [c["text"] for c in m["cues"]][:2] == ["关于作风建设的讲话", "同志们："]
    assert (m["cues"][0]["start_ms"], m["cues"][0]["end_ms"]) == (m["chunks"][0]["start_ms"], m["chunks"][0]["end_ms"])
    # the two chunks of one sentence share one cue, from the first's start to the second's end
    assert {"text": "第一段前半，第一段后半。", "start_ms": m["chunks"][4]["start_ms"],
            "end_ms": m["chunks"][5]["end_ms"], "section": 1} in m["cues"]  # fmt: skip
    second = m["tracks"][1]
    own = [c for c in cue_list if second["start_ms"] <= c.start_ms < second["end_ms"]]
    assert (out / second["lrc"]).read_text(encoding="utf-8") == lrc(own, title=second["title"], offset_ms=second["start_ms"])
    assert (out / second["lrc"]).read_text(encoding="utf-8").splitlines()[2] == "[00:00.00]一、增强宗旨意识"
    playlist = (out / "playlist.m3u8").read_text(encoding="utf-8").splitlines()
    assert playlist[0] == "#EXTM3U" and playlist[2::2] == [t["file"] for t in m["tracks"]]


def test_failed_render_leaves_no_file_behind(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="went away"):
        render(tmp_path, SpeechClips(chunks(), fail_at=9))
    assert list(tmp_path.iterdir()) == []


def test_failed_rerender_keeps_the_previous_one_and_a_good_one_replaces_it(tmp_path: Path) -> None:
    render(tmp_path, SpeechClips(chunks()))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(RuntimeError):
        render(tmp_path, SpeechClips(chunks(), fail_at=11))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    # a re-render whose track titles changed removes the old tracks it no longer writes
    renamed = script()
    renamed.sections[3].title = "二、改了标题"
    write_render(tmp_path, renamed, chunks(), SpeechClips(chunks()), RenderSettings(pauses=PAUSES), RATE, INFO, "")
    names = {p.name for p in tmp_path.iterdir()}
    assert "03-二、改了标题.mp3" in names and "03-二、坚决廉洁从政.mp3" not in names and "03-二、坚决廉洁从政.lrc" not in names


def test_unwritable_output_folder_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="-o"):
        render(blocker / "out", SpeechClips(chunks()))


def test_the_speaker_and_the_date_of_the_title_block_are_the_tags_artist_and_date(tmp_path: Path) -> None:
    given = dataclasses.replace(script(), speaker="县委书记 张三", date="2024年3月5日")
    result = write_render(tmp_path, given, chunks(), SpeechClips(chunks()), RenderSettings(pauses=PAUSES), RATE, INFO, "# 关于作风建设的讲话\n")
    for path in [result.full, *result.tracks]:
        tags = ID3(path)
        assert (str(tags["TPE1"]), str(tags["TDRC"])) == ("县委书记 张三", "2024-03-05")
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["speaker"], manifest["date"]) == ("县委书记 张三", "2024年3月5日")


@pytest.mark.parametrize("writer", ["mp3", "m4b"])
def test_an_aborted_writer_never_leaves_the_thread_feeding_it_blocked(tmp_path: Path, writer: str) -> None:
    """A cancelled render aborts its writers while the encoding thread still has blocks to hand over:
    that thread must get an error at once, not wait for ever on a queue nobody empties."""
    import threading

    from pipeline.publish.m4b import M4bWriter
    from pipeline.publish.tags import Mp3Tags

    sink = Mp3Writer(tmp_path / "a.mp3", 24000) if writer == "mp3" else M4bWriter(tmp_path / "a.m4b", 24000, "64k", Mp3Tags("t", "a", "t", "2024", "c"))
    block = np.zeros(24000, dtype=np.int16)
    outcome: list[BaseException | None] = []
    started = threading.Event()

    def feed() -> None:
        try:
            for _ in range(200):
                sink.write(block)
                started.set()
            outcome.append(None)
        except BaseException as err:
            outcome.append(err)

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    assert started.wait(10)
    sink.abort()
    thread.join(2)
    assert not thread.is_alive(), "the feeding thread is still blocked after abort()"
    assert len(outcome) == 1 and isinstance(outcome[0], OutputError), outcome
    assert not list(tmp_path.iterdir()), "abort() left a file"


def test_the_writing_is_counted_as_it_goes_from_both_threads(tmp_path: Path) -> None:
    """Laying out, measuring and encoding take most of a cached re-render: the progress hears of each
    chunk laid out and each block measured and encoded, in thousandths, and the finish only rounds up."""
    import threading

    events: list[tuple] = []

    class Watch:
        def start(self, total: int, cached: int = 0) -> None:
            events.append(("start", total))

        def advance(self, n: int = 1) -> None:
            events.append(("advance", n, threading.current_thread().name))

        def close(self) -> None:
            events.append(("close",))

        def writing(self) -> Watch:
            return self

    settings = RenderSettings(pauses=PAUSES)
    write_render(tmp_path, script(), chunks(), SpeechClips(chunks()), settings, RATE, INFO, "", progress=Watch())
    steps = [e for e in events if e[0] == "advance"]
    assert events[0] == ("start", 999) and events[-1] == ("close",)
    assert sum(e[1] for e in steps) == 999 and all(e[1] > 0 for e in steps)
    assert len(steps) >= len(chunks()) + 2 * 4 and steps[-1][1] < 40  # each chunk, each track measured and encoded; no lump at the end
    assert any(e[2].startswith("speechcast-encode") for e in steps) and any(not e[2].startswith("speechcast-encode") for e in steps)
