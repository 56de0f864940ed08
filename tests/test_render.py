"""`render` end to end: the seed manuscript offline (real espeak-ng), and the Edge path against the
stand-in service; every written file decoded and checked against the manifest."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from media_util import chapters, ebur128, pcm

from pipeline.model import Warn
from pipeline.render import choose_voice, render
from pipeline.settings import Pauses, RenderSettings

# Renders, servers, browsers or the whole corpus: left out of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus"
SEED = CORPUS / "000_f942a4ce7236a7e5.txt"
EXAMPLE = REPO / "examples" / "safety-meeting.txt"
PAUSES = Pauses()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"ws://127.0.0.1:{port}/consumer/speech/synthesize/readaloud/edge/v1"


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    assert SEED.is_file(), f"the seed manuscript is missing: expected {SEED}"
    root = tmp_path_factory.mktemp("seed")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SPEECHCAST_CONFIG_DIR", str(root / "config"))
        voice = choose_voice("offline-female", "espeak")
        result = render(SEED, voice, out_root=root / "out", cache=root / "cache")
    manifest = json.loads((result.out_dir / "manifest.json").read_text(encoding="utf-8"))
    return root, result, manifest


def test_seed_has_six_tracks_with_the_expected_titles(seed):
    _, result, m = seed
    assert result.out_dir.parts[-2:] == ("000_f942a4ce7236a7e5", "offline-female")
    assert [t["title"] for t in m["tracks"]] == [
        "开场", "一、增强宗旨意识", "二、坚决廉洁从政", "三、提高个人修养", "四、狠抓作风建设", "结束语",
    ]  # fmt: skip
    assert sorted(p.name for p in result.out_dir.glob("0*.mp3")) == sorted(t["file"] for t in m["tracks"])
    assert (m["engine"], m["voice"]["voice"], m["voice"]["preset"]) == ("espeak", "cmn+f3", "offline-female")
    assert m["title"] == "在机关主题党日活动后的讲话" and m["salutation"] == "同志们："
    assert m["source"]["removed_lines"] == 10


def test_full_mp3_lasts_the_sum_of_the_tracks(seed):
    _, result, m = seed
    rate = m["sample_rate"]
    full = len(pcm(result.out_dir / m["files"]["full"]))
    tracks = [len(pcm(result.out_dir / t["file"])) for t in m["tracks"]]
    assert abs(full - sum(tracks)) <= 0.050 * rate
    assert abs(full - m["duration_ms"] * rate / 1000) <= 0.050 * rate


def test_chapters_carry_the_chinese_titles_and_times(seed):
    _, result, m = seed
    listed = chapters(result.out_dir / m["files"]["full"])
    assert listed == [(s["start_ms"], s["end_ms"], s["title"]) for s in m["sections"]]
    assert [t for _, _, t in listed][1] == "一、增强宗旨意识"


def test_timeline_arithmetic_is_exact(seed):
    _, _, m = seed
    chunks = m["chunks"]
    assert chunks[0]["start_ms"] == PAUSES.lead_in
    for here, after in zip(chunks, chunks[1:]):
        # pauses are placed in samples at 22050 Hz; each end is rounded to the ms: ±1
        assert abs(after["start_ms"] - here["end_ms"] - PAUSES.after(here["pause_after"])) <= 1, here
    assert abs(m["duration_ms"] - chunks[-1]["end_ms"] - PAUSES.tail) <= 1
    assert [c["pause_after"] for c in chunks].count("section") == 5
    sections = m["sections"]
    assert sections[0]["start_ms"] == 0 and sections[-1]["end_ms"] == m["duration_ms"]
    assert all(a["end_ms"] == b["start_ms"] for a, b in zip(sections, sections[1:]))
    for section in sections[1:]:
        first = next(c for c in chunks if c["section"] == section["index"])
        assert section["start_ms"] == first["start_ms"]


def parse_srt(text: str) -> list[tuple[int, int, str]]:
    def ms(stamp: str) -> int:
        h, m, rest = stamp.split(":")
        s, milli = rest.split(",")
        return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(milli)

    cues = []
    for block in text.strip().split("\n\n"):
        lines = block.split("\n")
        start, end = lines[1].split(" --> ")
        cues.append((ms(start), ms(end), "".join(lines[2:])))
    return cues


def test_subtitles_match_the_manifest(seed):
    _, result, m = seed
    srt = parse_srt((result.out_dir / m["files"]["srt"]).read_text(encoding="utf-8"))
    assert srt == [(c["start_ms"], c["end_ms"], c["text"]) for c in m["cues"]]
    lrc = (result.out_dir / m["files"]["lrc"]).read_text(encoding="utf-8")
    stamps = re.findall(r"^\[(\d+):(\d\d)\.(\d\d)\](.*)$", lrc, flags=re.M)
    assert [(int(a) * 60_000 + int(b) * 1000 + int(c) * 10, t) for a, b, c, t in stamps] == [
        ((c["start_ms"] + 5) // 10 * 10, c["text"])
        for c in m["cues"]  # centiseconds, rounded
    ]
    spoken = "".join(c["text"] for c in m["chunks"])
    assert "".join(c["text"] for c in m["cues"]) == spoken
    # every cue sits inside the speech of the chunks it came from
    starts = {c["start_ms"] for c in m["chunks"]}
    sentence_starts = [c for c in m["cues"] if c["start_ms"] in starts]
    assert len(sentence_starts) >= len({(c["section"], c["paragraph"], c["sentence"]) for c in m["chunks"]})


def test_no_junk_line_is_heard(seed):
    _, _, m = seed
    junk = [line.split("\t", 1)[1] for line in (CORPUS / "000_f942a4ce7236a7e5.junk.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    spoken = "".join(c["text"] for c in m["chunks"])
    for line in junk:
        assert line.strip() not in spoken
    assert "QQ" not in spoken and "酷乐文行" not in spoken and "订阅" not in spoken


def test_every_file_is_at_minus_16_lufs(seed):
    _, result, m = seed
    for name in [m["files"]["full"], *(t["file"] for t in m["tracks"])]:
        lufs, peak = ebur128(result.out_dir / name)
        assert -17.0 <= lufs <= -15.0, name
        assert peak <= -1.0, name


def test_unchanged_rerender_writes_nothing_and_calls_no_engine(seed):
    root, first, m = seed
    stamps = {p.name: p.stat().st_mtime_ns for p in first.out_dir.iterdir()}
    again = render(SEED, choose_voice("offline-female", "espeak"), out_root=root / "out", cache=root / "cache")
    assert again.up_to_date and again.synthesis.engine_calls == 0
    assert again.duration_ms == m["duration_ms"] and sorted(again.files) == sorted(first.files)
    assert {p.name: p.stat().st_mtime_ns for p in first.out_dir.iterdir()} == stamps


def test_rewrite_from_the_cache_makes_zero_engine_calls_and_identical_audio(seed):
    root, first, _m = seed
    before = {p.name: pcm(p) for p in first.out_dir.glob("*.mp3")}
    # Without the player page the render key differs: everything is assembled again, from the cache.
    again = render(SEED, choose_voice("offline-female", "espeak"), out_root=root / "out", cache=root / "cache", player=False)
    assert not again.up_to_date and again.synthesis.engine_calls == 0
    assert again.synthesis.cached == again.synthesis.unique == first.synthesis.unique
    after = {p.name: pcm(p) for p in again.out_dir.glob("*.mp3")}
    assert before.keys() == after.keys() and all((before[k] == after[k]).all() for k in before)
    assert not (again.out_dir / "index.html").exists()  # the old page went with the render that listed it


def in_order(requests: list[str], chunks: list[str]) -> bool:
    """Whether the requests, put in manuscript order (they may arrive in any), hold every chunk once."""

    def words(text: str) -> str:  # a request closes each chunk as a sentence: compare words only
        return re.sub(r"\W", "", text)

    whole = words("".join(chunks))
    return "".join(sorted(map(words, requests), key=whole.index)) == whole


def test_edge_render_through_the_stand_in_and_revoicing(edge_service, tmp_path):
    voice = choose_voice("xiaoxiao", "auto")
    assert voice.engine.id == "edge" and not voice.warnings
    settings = RenderSettings(jobs=4)
    first = render(EXAMPLE, voice, settings=settings, out_root=tmp_path / "out", cache=tmp_path / "cache")
    m = json.loads((first.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert (m["engine"], m["voice"]["voice"], m["sample_rate"]) == ("edge", "zh-CN-XiaoxiaoNeural", 24000)
    # Consecutive sentences share requests of at most 300 characters; every chunk is asked for once.
    texts = [c["text"] for c in m["chunks"]]
    assert len(edge_service.requests) == first.synthesis.engine_calls < first.synthesis.unique == len(texts)
    assert all(len(re.sub(r"\W", "", t)) <= 300 for t in edge_service.texts)
    assert in_order(edge_service.texts, texts)
    assert 1 < edge_service.max_open <= 4
    # Each chunk got its own sentences' audio out of the shared answers: as long as the stand-in
    # speaks that text alone (give or take the 25 ms margins trimming keeps and MP3's edges).
    for chunk in m["chunks"]:
        spoken = (chunk["end_ms"] - chunk["start_ms"]) / 1000
        assert spoken == pytest.approx(edge_service.seconds_for(chunk["text"]), abs=0.08), chunk["text"]
    assert next(t["title"] for t in m["tracks"]) == "开场" and m["tracks"][-1]["title"] == "结束语"
    assert all("www." not in c["text"] and "公众号" not in c["text"] for c in m["chunks"])

    edge_service.reset_records()
    again = render(EXAMPLE, choose_voice("xiaoxiao", "auto"), settings=settings, out_root=tmp_path / "out", cache=tmp_path / "cache")
    assert len(edge_service.requests) == 0 and again.synthesis.engine_calls == 0 and again.up_to_date
    paced = render(
        EXAMPLE, choose_voice("xiaoxiao", "auto"), settings=RenderSettings(pauses=Pauses().scaled(1.5)), out_root=tmp_path / "out", cache=tmp_path / "cache"
    )
    assert not paced.up_to_date and len(edge_service.requests) == 0 and paced.synthesis.cached == first.synthesis.unique

    other = render(EXAMPLE, choose_voice("yunyang", "auto"), settings=settings, out_root=tmp_path / "out", cache=tmp_path / "cache")
    assert other.out_dir == first.out_dir.parent / "yunyang"
    assert in_order(edge_service.texts, texts) and other.synthesis.engine_calls == len(edge_service.requests)
    assert edge_service.voices == {"zh-CN-YunyangNeural"}


def test_auto_falls_back_to_the_offline_voice_with_a_warning(monkeypatch):
    monkeypatch.setenv("SPEECHCAST_EDGE_URL", closed_port_url())
    voice = choose_voice("yunyang", "auto", probe_timeout=1.0)
    assert (voice.engine.id, voice.preset.name) == ("espeak", "offline-male")
    assert [Warn.of(w) for w in voice.warnings] == [Warn.OFFLINE_FALLBACK] and voice.warnings[0].fields["preset"] == "yunyang"


def run_cli(*args: str, env_extra: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, **env_extra}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_cli_renders_two_voices_and_reports_where(tmp_path):
    env = {"SPEECHCAST_EDGE_URL": closed_port_url(), "SPEECHCAST_CACHE_DIR": str(tmp_path / "cache"),
           "SPEECHCAST_CONFIG_DIR": str(tmp_path / "config")}  # fmt: skip
    done = run_cli("render", str(EXAMPLE), "-v", "offline-male", "-v", "offline-female", "-o", "out", env_extra=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert re.search(r"Rendered \d+ min \d\d s with espeak voice 'offline-male'", done.stdout)
    assert "Output: out/safety-meeting/offline-female/" in done.stdout
    for voice in ("offline-male", "offline-female"):
        folder = tmp_path / "out" / "safety-meeting" / voice
        assert (folder / "manifest.json").is_file() and (folder / "index.html").is_file()
        assert (folder / "playlist.m3u8").read_text(encoding="utf-8").startswith("#EXTM3U")
    # `open` on the manuscript finds its latest render; with no display it prints the page's path
    env.update(DISPLAY="", WAYLAND_DISPLAY="")
    opened = run_cli("open", str(EXAMPLE), "-o", "out", env_extra=env, cwd=tmp_path)
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.strip() == str((tmp_path / "out" / "safety-meeting" / "offline-female" / "index.html").resolve())


def test_cli_dry_run_synthesizes_nothing(tmp_path):
    env = {"SPEECHCAST_EDGE_URL": closed_port_url(), "SPEECHCAST_CACHE_DIR": str(tmp_path / "cache")}
    done = run_cli("render", str(EXAMPLE), "--engine", "espeak", "--dry-run", env_extra=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert re.search(r"\d+ chunks for espeak:cmn\+f3 \(offline-female\), about \d+ min \d\d s", done.stdout)
    assert not (tmp_path / "cache").exists() and not (tmp_path / "output").exists()
