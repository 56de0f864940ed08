"""A render survives a flaky service, an interrupted render resumes where it stopped,
renders running at once keep to their own files, and no character of a manuscript goes unaccounted.
The Edge path runs against the stand-in service; the command runs as a user runs it, in a
subprocess that the tests kill and interrupt."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import subprocess
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import LONG_SPEECH
from edge_service import FAULTS, EdgeService
from frontend_util import CORPUS, FIXTURES, SEED, visible

from pipeline.model import Script
from pipeline.render import choose_voice, chunk_for, describe_chunk, plan_render, render
from pipeline.settings import Pauses, RenderSettings
from pipeline.sound.audio import decode, trim
from pipeline.speech.cache import STALE_TEMP_SECONDS, ChunkCache
from pipeline.text.load import read_text
from pipeline.text.manuscript import load_script
from pipeline.text.scriptmd import is_script
from pipeline.text.split import chinese_marks, split_script

# Renders, servers, browsers or the whole corpus: left out of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow

PACE = "0.2"
"""Short pauses: short audio, quick tests."""
INTERRUPTED = "speechcast: interrupted: finished chunks are cached; run the same command again to continue."
LONG = {"sections": 4, "paragraphs": 3, "sentences": 5}
CHUNKS = 67
"""Of LONG: the title, the salutation, 4 headings, 60 sentences and the closing, each one chunk."""


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch, edge_tts_state: None) -> Iterator[EdgeService]:
    """The stand-in at 50 ms a character (a fifth of a real voice's length); the engine waits 5 s
    for an answer (ample on a loaded machine) and tries a chunk up to 8 times."""
    with EdgeService(ms_per_char=50) as service:
        monkeypatch.setenv("SPEECHCAST_EDGE_URL", service.url)
        monkeypatch.setenv("SPEECHCAST_EDGE_TIMEOUT", "5")
        monkeypatch.setenv("SPEECHCAST_EDGE_ATTEMPTS", "8")
        yield service


def visible_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")} if folder.is_dir() else {}


def hidden_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) if folder.is_dir() else []


def cache_dir() -> Path:
    return Path(os.environ["SPEECHCAST_CACHE_DIR"])


def entries(cache: Path) -> list[Path]:
    """Finished cache entries (a write in progress has a hidden temporary name)."""
    return [p for p in cache.glob("??/*") if not p.name.startswith(".")]


def keyed_texts(path: Path, preset: str = "xiaoxiao", engine: str = "edge") -> dict[str, str]:
    """Cache key → text of every chunk a render of `path` needs."""
    voice = choose_voice(preset, engine)
    return {key: chunk.text for chunk, key in plan_render(path, voice).keys.items()}  # the chunks as the render sends them


def cached_texts(cache: Path, keyed: dict[str, str]) -> set[str]:
    return {keyed[p.stem] for p in entries(cache)}


def words(text: str) -> str:
    return re.sub(r"\W", "", text)


def asked_for(requests: list[str], texts: list[str]) -> list[str]:
    """The chunks the requests asked for: a request carries one or more whole chunks, in manuscript
    order (skipping cached ones), each closed as a sentence (so compare words, not punctuation)."""
    found = []
    for request in requests:
        rest = words(request)
        for text in texts:
            if rest.startswith(words(text)):
                found.append(text)
                rest = rest[len(words(text)) :]
                if not rest:
                    break
        assert not rest, f"the request “{request[:20]}…” is not made of whole chunks"
    return found


def assert_cache_whole(cache: Path, keyed: dict[str, str], service: EdgeService) -> None:
    """Every entry is one of this speech's chunks, passes its checksum and holds the audio the
    service sent for it (alone: those very bytes; in a shared request: as long as its sentences);
    anything else is a hidden temporary file."""
    store = ChunkCache(cache)
    for path in entries(cache):
        assert path.suffix in (".mp3", ".flac") and path.stem in keyed, path
        speech = store.get(path.stem)
        assert speech is not None, f"damaged entry {path}"
        text = keyed[path.stem]
        if speech.format == "mp3":
            assert speech.data == service.audio_for(text), f"wrong audio in {path}"
        else:
            seconds = len(trim(decode(speech))) / 1000
            assert seconds == pytest.approx(service.seconds_for(text), abs=0.08), f"wrong audio in {path}"
    strays = [p for p in cache.rglob("*") if p.is_file() and p not in entries(cache)]
    assert all(p.name.startswith(".tmp-") and p.name.endswith(".part") for p in strays), strays


def edge_render(path: Path, name: str, tmp_path: Path, request_chars: int):
    settings = RenderSettings(pauses=Pauses().scaled(float(PACE)))
    voice = choose_voice("xiaoxiao", "edge")
    voice.engine.request_chars = request_chars
    return render(path, voice, settings=settings, out_root=tmp_path / name / "out",
                  cache=tmp_path / name / "cache", player=False)  # fmt: skip


# --------------------------------------------------------------------------------------- faults

FAULT_SEED = 3
"""With this seed every kind of fault has occurred by the 32nd connection (a fault goes with the
connection's place in line, fixed by the seed whatever order the requests go in)."""
SMALL_REQUESTS = 40
"""About two sentences a request: the long speech then takes 30-odd requests, room for every
kind of fault to strike shared requests."""


def test_random_faults_of_every_kind_leave_the_audio_unchanged(stand_in: EdgeService, make_speech, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SPEECHCAST_EDGE_TIMEOUT", "1")  # a stalled request is given up after about a second
    path = make_speech(**LONG)
    clean = edge_render(path, "clean", tmp_path, SMALL_REQUESTS)
    texts = stand_in.texts
    assert {a.fault for a in stand_in.attempts} == {None} and clean.synthesis.unique == CHUNKS
    assert sorted(asked_for(texts, list(keyed_texts(path).values()))) == sorted(keyed_texts(path).values())
    assert 30 <= len(texts) == clean.synthesis.engine_calls < CHUNKS

    stand_in.reset_records()
    stand_in.fail_randomly(0.2, seed=FAULT_SEED)
    faulty = edge_render(path, "faulty", tmp_path, SMALL_REQUESTS)
    faults = Counter(a.fault for a in stand_in.attempts if a.fault)
    assert set(faults) == set(FAULTS), faults
    assert 0.12 <= sum(faults.values()) / len(stand_in.attempts) <= 0.3, faults
    assert {a.text for a in stand_in.attempts if a.fault is None} == set(texts)
    assert faulty.synthesis.engine_calls == clean.synthesis.engine_calls
    written = visible_files(faulty.out_dir)
    assert written == visible_files(clean.out_dir) and sum(name.endswith(".mp3") for name in written) == 7


def test_a_chunk_that_keeps_failing_stops_the_render_and_the_rerun_does_only_the_rest(
    stand_in: EdgeService, cli, make_speech, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = make_speech(**LONG)
    script = load_script(path)
    chunks = chunk_for(script, RenderSettings(), choose_voice("xiaoxiao", "edge").engine)
    target = next(c for c in chunks if (c.section, c.paragraph, c.sentence) == (2, 1, 2))
    monkeypatch.setenv("SPEECHCAST_EDGE_ATTEMPTS", "2")
    stand_in.speed = 10  # slow enough that much is still to do when the failure is final
    stand_in.fail_text(target.text, "no_audio")

    line = cli.error("render", path, "-e", "edge", "--pace", PACE, code=3)
    where = describe_chunk(script, target)
    assert where == "Paragraph 2, sentence 3 of section '二、第二方面的工作' (“第23项任务守住安全生产的底线。”)"
    assert line.startswith(f"speechcast: {where} could not be synthesized. Edge gave up after 2 attempts (the service sent no audio)")
    assert line.endswith("or use --engine espeak. Everything finished so far is cached, so the next run only does the rest.")
    # The shared request holding it failed twice; asked for alone, so did the sentence itself.
    failed = [a.text for a in stand_in.attempts if a.fault]
    assert len(failed) == 4 and failed[0] == failed[1] != target.text and target.text in failed[0]
    assert failed[2:] == [target.text] * 2
    done = cached_texts(cache_dir(), keyed_texts(path))
    assert target.text not in done and not (tmp_path / "output").exists()

    stand_in.fail_text(target.text, "no_audio", times=0)  # the service has recovered
    stand_in.reset_records()
    again = cli.run("render", path, "-e", "edge", "--pace", PACE)
    assert again.returncode == 0, again.stderr
    missing = {c.text for c in chunks} - done
    assert set(asked_for(stand_in.texts, [c.text for c in chunks])) == missing and len(missing) >= 5
    requests = len(stand_in.texts)
    assert 1 < requests < len(missing)
    assert f"({CHUNKS} chunks: {CHUNKS - len(missing)} from cache, {len(missing)} synthesized in {requests} requests)" in again.stdout


# --------------------------------------------------------------------------------- interruption


def wait_until(proc: subprocess.Popen[str], reached: Callable[[float], bool], limit: float = 60) -> bool:
    """Poll until `reached(seconds since start)`; False if the process ended first."""
    started = time.monotonic()
    while proc.poll() is None:
        elapsed = time.monotonic() - started
        assert elapsed < limit, "the render neither finished nor reached the kill point"
        if reached(elapsed):
            return True
        time.sleep(0.002)
    return False


def wait_for_group(pgid: int) -> None:
    """Until every process of the group (ffmpeg encoders orphaned by a kill) has ended."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)
    raise AssertionError("the killed render's encoders are still running after 30 s")


def test_killed_renders_leave_only_whole_files_and_the_next_run_reuses_every_finished_chunk(stand_in: EdgeService, cli, make_speech, tmp_path: Path) -> None:
    path = make_speech(**LONG)
    keyed = keyed_texts(path)
    cache = cache_dir()
    out_dir = tmp_path / "output" / "speech" / "xiaoxiao"
    command = ("render", path, "-e", "edge", "--no-player")
    # A finished render with other pauses already sits where the killed ones write.
    first = cli.run(*command, "--pace", "0.3", "--cache-dir", tmp_path / "other-cache")
    assert first.returncode == 0, first.stderr
    old = visible_files(out_dir)

    stand_in.speed = 10
    rng = random.Random(5)
    points: list[tuple[str, Callable[[float], bool]]] = [
        ("synthesizing", lambda _: len(entries(cache)) >= 12),
        ("synthesizing", lambda _: len(entries(cache)) >= 40),
        ("encoding", lambda _: any(name.endswith(".part") for name in hidden_files(out_dir))),
        *((f"at {t:.2f} s", lambda elapsed, t=t: elapsed >= t) for t in sorted(rng.uniform(0.3, 2.5) for _ in range(3))),
    ]
    snapshots = []
    leftovers: list[str] = []
    for label, reached in points:
        cached = cached_texts(cache, keyed)
        stand_in.reset_records()
        proc = cli.start(*command, "--pace", PACE)
        running = wait_until(proc, reached)
        proc.kill()  # SIGKILL to the render alone: its encoders live on, as after `kill -9`
        proc.communicate()
        wait_for_group(proc.pid)
        assert running or label.startswith("at"), f"the render finished before the kill point ({label})"
        assert not set(asked_for(stand_in.texts, list(keyed.values()))) & cached, "a finished chunk was synthesized again"
        assert_cache_whole(cache, keyed, stand_in)
        snapshots.append((label, visible_files(out_dir)))
        leftovers += hidden_files(out_dir)

    cached = cached_texts(cache, keyed)
    stand_in.reset_records()
    final = cli.run(*command, "--pace", PACE)
    assert final.returncode == 0, final.stderr
    assert set(asked_for(stand_in.texts, list(keyed.values()))) == set(keyed.values()) - cached
    if final.stdout.startswith("Up to date"):  # the last kill came after that render had finished
        assert len(cached) == CHUNKS and not stand_in.texts
    else:
        done = rf"\({CHUNKS} chunks: {len(cached)} from cache, {CHUNKS - len(cached)} synthesized( in \d+ requests?)?\)"
        assert re.search(done, final.stdout), final.stdout
    new = visible_files(out_dir)
    assert new.keys() == old.keys() and new != old
    assert leftovers, "no kill left a temporary file: the clean-up below proves nothing"
    assert hidden_files(out_dir) == [], "the killed renders' temporary files were not cleared"
    for label, files in snapshots:
        for name, data in files.items():
            assert data in (old[name], new[name]), f"{name} is neither the old nor the new file after the kill {label}"
    fresh = cli.run(*command, "--pace", PACE, "-o", "fresh")
    assert fresh.returncode == 0 and f"({CHUNKS} chunks: {CHUNKS} from cache, 0 synthesized)" in fresh.stdout
    assert visible_files(tmp_path / "fresh" / "speech" / "xiaoxiao") == new


def stop(proc: subprocess.Popen[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Ctrl-C as a terminal sends it (to the whole foreground group); seconds until the render ended."""
    sent = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    return time.monotonic() - sent, subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize("phase", ["synthesizing", "encoding"])
def test_ctrl_c_stops_promptly_with_one_line(stand_in: EdgeService, cli, make_speech, tmp_path: Path, phase: str) -> None:
    path = make_speech(**LONG)
    keyed = keyed_texts(path)
    out_dir = tmp_path / "output" / "speech" / "xiaoxiao"
    if phase == "encoding":  # everything cached: the render goes straight to assembling and encoding
        assert cli.run("render", path, "-e", "edge", "--pace", PACE, "-o", "before").returncode == 0
    stand_in.speed = 3
    proc = cli.start("render", path, "-e", "edge", "--pace", PACE)
    ready = {"synthesizing": lambda _: len(entries(cache_dir())) >= 3,
             "encoding": lambda _: any(n.endswith(".part") for n in hidden_files(out_dir))}[phase]  # fmt: skip
    assert wait_until(proc, ready), "the render finished before it could be interrupted"
    took, done = stop(proc)
    assert (done.returncode, done.stderr, done.stdout) == (130, INTERRUPTED + "\n", "")
    assert took < 2.0, f"Ctrl-C took {took:.2f} s to stop the render"
    assert visible_files(out_dir) == {} and hidden_files(out_dir) == []
    assert_cache_whole(cache_dir(), keyed, stand_in)


def test_ctrl_c_while_waiting_for_the_service_says_so_in_one_line(cli, make_speech, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_speech()
    with socket.socket() as silent:  # accepts connections, never answers: a network that hangs
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        silent.settimeout(30)
        monkeypatch.setenv("SPEECHCAST_EDGE_URL", f"ws://127.0.0.1:{silent.getsockname()[1]}/edge/v1")
        proc = cli.start("render", path)
        connection, _ = silent.accept()  # the render is probing the service now
        with connection:
            took, done = stop(proc)
    assert (done.returncode, done.stdout) == (130, "")
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("speechcast: interrupted"), done.stderr
    assert took < 2.0


# ---------------------------------------------------------------------------------- concurrency


def test_renders_at_once_keep_to_their_own_files(cli, make_speech, tmp_path: Path) -> None:
    """Offline (real espeak-ng), one cache: a and b into one root, a into another root, and a second
    a into the first root (the two take turns in that folder)."""
    a = make_speech("a.txt", title="在甲会议上的讲话", sections=2, paragraphs=1, sentences=4)
    b = make_speech("b.txt", title="在乙会议上的讲话", sections=3, paragraphs=1, sentences=3)
    runs = [("a", "one"), ("b", "one"), ("a", "two"), ("a", "one")]
    procs = [cli.start("render", tmp_path / f"{m}.txt", "-e", "espeak", "--pace", PACE, "-o", root) for m, root in runs]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err

    folders = {(m, root): tmp_path / root / m / "offline-female" for m, root in runs}
    outputs = {run: visible_files(folder) for run, folder in folders.items()}
    assert outputs[("a", "one")] == outputs[("a", "two")], "renders of one speech from one cache differ"
    assert outputs[("a", "one")] != outputs[("b", "one")]
    for run, folder in folders.items():
        assert hidden_files(folder) == []
        manifest = json.loads(outputs[run]["manifest.json"])
        assert manifest["source"]["path"].endswith(f"{run[0]}.txt")
        listed = {*filter(None, manifest["files"].values()), *(t[k] for t in manifest["tracks"] for k in ("file", "lrc"))}
        assert listed | {"manifest.json"} == set(outputs[run])
    keyed = keyed_texts(a, "offline-female", "espeak") | keyed_texts(b, "offline-female", "espeak")
    cache = cache_dir()
    assert sorted(p.stem for p in entries(cache)) == sorted(keyed)
    assert all(ChunkCache(cache).get(key) is not None for key in keyed)
    assert not [p for p in cache.rglob(".*") if p.is_file()]


def test_temporary_files_of_killed_renders_in_the_cache_go_once_surely_abandoned(tmp_path: Path) -> None:
    cache = ChunkCache(tmp_path / "cache")
    (tmp_path / "cache" / "ab").mkdir(parents=True)
    abandoned, recent = tmp_path / "cache" / "ab" / ".tmp-old.part", tmp_path / "cache" / "ab" / ".tmp-new.part"
    for temp in (abandoned, recent):
        temp.write_bytes(b"half an entry")
    hour_ago = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(abandoned, (hour_ago, hour_ago))
    cache.ensure_writable()
    assert not abandoned.exists() and recent.exists(), "a young one may belong to a render still running"


# ---------------------------------------------------------------------------------- nothing lost

HEADING_END = frozenset(unicodedata.normalize("NFKC", "。：:！!？?．."))
"""The structure finder keeps a heading without the punctuation that ended it in the source."""
# A Markdown manuscript's comments are reported like any markup, so only heading marks (and the
# closing's name, which is a label and never spoken) are not text.
_MARKDOWN_SYNTAX = re.compile(r"^#+[ \t]+", re.M)
_SCRIPT_CLOSING = re.compile(r"^## 结束语$", re.M)
"""A speechcast script's mark of closing words with no heading: not text. A manuscript's own
`## 结束语` is a heading like any other, and spoken."""
_MARKER = re.compile(r"^(?:第[一二三四五六七八九十\d]+(?:部分|章)|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．])")


def manuscripts() -> list[Path]:
    seed = CORPUS / f"{SEED}.txt"
    assert seed.is_file(), f"the seed manuscript is missing: expected {seed}"
    return [*sorted(FIXTURES.iterdir()), seed, CORPUS / f"{SEED}.expected.md"]


def accounting(text: str, spoken: list[str], script: Script, markdown: bool) -> tuple[Counter[str], Counter[str]]:
    """(lost, added): characters of the input neither spoken nor reported, and spoken ones not in the
    input. Markdown's heading marks (and a script's closing mark) are not text."""
    if markdown:
        text = _MARKDOWN_SYNTAX.sub("", _SCRIPT_CLOSING.sub("", text) if is_script(text) else text)

    def chars(pieces: str) -> Counter[str]:
        # chinese_marks() widens ASCII punctuation by its neighbours, which a removed fragment lacks: fold widths
        return Counter(unicodedata.normalize("NFKC", visible(chinese_marks(pieces))))

    source = chars(text)
    accounted = chars("".join(spoken)) + sum((chars(r.text) for r in script.removed), Counter())
    return source - accounted, accounted - source


@pytest.mark.parametrize("path", manuscripts(), ids=lambda p: p.name)
def test_every_character_of_every_manuscript_is_spoken_or_reported(path: Path) -> None:
    script = load_script(path)
    chunks = split_script(script, 250)
    lost, added = accounting(read_text(path), [c.text for c in chunks], script, path.suffix == ".md")
    assert set(lost) <= HEADING_END and sum(lost.values()) < len(script.sections), f"lost: {lost}"
    recovered = [s.title for s in script.sections if s.note.startswith("recovered")]
    assert added == Counter("".join(_MARKER.match(t).group() for t in recovered)), f"added: {added}"  # type: ignore[union-attr]


def test_a_section_the_cleaner_emptied_is_reported_not_dropped(cli, tmp_path: Path) -> None:
    text = "\n".join([
        "在全市安全生产工作会议上的讲话", "", "同志们：", "", "今天我们召开全市安全生产工作会议。", "",
        "一、去年工作回顾", "", "去年全市安全生产形势总体平稳。", "",
        "二、今年重点任务", "", "扫码关注公众号，获取更多讲话稿", "酷乐文行整理，咨询QQ206157060", "",
        "三、加强组织领导", "", "各级党委政府要切实担起安全生产的政治责任。", "", "谢谢大家！", "",
    ])  # fmt: skip
    (tmp_path / "emptied.txt").write_text(text, encoding="utf-8")
    warning = (
        "line 11: 二、今年重点任务 has no text of its own after cleaning: lines 13, 14 under it went "
        "(advert: follow the account, scan the code; advert: contact); check the removal report"
    )
    outline = cli.run("outline", "emptied.txt")
    assert outline.returncode == 0 and f"  - {warning}\n" in outline.stdout, outline.stdout
    assert re.search(r"2\. 二、今年重点任务 +0 paragraphs", outline.stdout)

    done = cli.run("render", "emptied.txt", "-e", "espeak", "--pace", PACE)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "output" / "emptied" / "offline-female" / "manifest.json").read_text(encoding="utf-8"))
    assert [t["title"] for t in manifest["tracks"]] == ["开场", "一、去年工作回顾", "二、今年重点任务", "三、加强组织领导", "结束语"]
    assert "二、今年重点任务" in [c["text"] for c in manifest["chunks"]]
    assert f"<!-- warning: {warning} -->" in manifest["script"]
    script = load_script(tmp_path / "emptied.txt")
    lost, added = accounting(text, [c["text"] for c in manifest["chunks"]], script, markdown=False)
    assert (lost, added) == (Counter(), Counter())


@pytest.mark.parametrize("stage", ["synthesizing", "encoding+0.0", "encoding+0.2", "encoding+0.4", "encoding+0.8"])
def test_a_cancel_at_any_stage_ends_the_render_promptly_and_writes_nothing(tmp_path: Path, make_speech, most_of_a_long_speech, stage: str) -> None:
    """Part of the speech cached, part not: a cancel while chunks are spoken, or once they all are and
    the tracks are being encoded (the encoder's queue full), stops the render within two seconds,
    leaves no file at the output path and no thread behind."""
    import threading

    from pipeline.errors import Cancelled
    from pipeline.speech.pcm import decode_samples
    from pipeline.speech.synthesize import NoProgress

    voice = choose_voice("offline-female", "espeak")
    cache = tmp_path / "cache"
    most_of_a_long_speech(cache, "offline-female")
    source = make_speech("whole.txt", **LONG_SPEECH)
    # The process has one decoding thread, started by its first decode and kept for good: start it
    # before counting threads, so that only what this render leaves behind counts.
    spoken = ChunkCache(cache).get(next(p for p in cache.rglob("*") if p.is_file()).stem)
    assert spoken is not None
    decode_samples(spoken)
    cancel = threading.Event()

    class CancelAt:
        def start(self, total: int, cached: int = 0) -> None:
            assert cached > 0 and total > 0, "the case needs chunks both cached and not"

        def advance(self, n: int = 1) -> None:
            if stage == "synthesizing":
                cancel.set()

        def close(self) -> None:  # every chunk spoken: the assembly and encoding run on; cancel a moment later
            if stage.startswith("encoding"):
                threading.Timer(float(stage.split("+")[1]), cancel.set).start()

        def writing(self) -> NoProgress:
            return NoProgress()

    before = set(threading.enumerate())
    ended: list[BaseException] = []

    def run() -> None:
        try:
            render(source, voice, out_root=tmp_path / "out", cache=cache, progress=CancelAt(), cancel=cancel)
        except BaseException as err:
            ended.append(err)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    assert cancel.wait(120), "the render never reached the stage"
    worker.join(2)
    assert not worker.is_alive(), "the render was still running two seconds after the cancel"
    if not ended:  # the render beat the cancel to the end: then it must have written everything
        assert (tmp_path / "out" / "whole" / "offline-female" / "manifest.json").is_file()
        return
    assert len(ended) == 1 and isinstance(ended[0], Cancelled), ended
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file()], "a cancelled render left files"
    time.sleep(0.3)
    assert [t.name for t in set(threading.enumerate()) - before if t.is_alive()] == []


def test_two_renders_into_one_folder_take_turns_and_the_second_finds_the_first(tmp_path: Path, make_speech) -> None:
    """Started together, the same manuscript in the same voice: the second waits for the first for
    the whole render and then finds its result (nothing spoken twice, nothing silently overwritten);
    a waiting render that is cancelled stops at once."""
    import threading

    from pipeline.errors import Cancelled

    voice = choose_voice("offline-female", "espeak")
    source = make_speech("speech.txt", sections=3, paragraphs=3, sentences=4)
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(render(source, voice, out_root=tmp_path / "out"))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(r.up_to_date for r in results) == [False, True]
    assert sum(r.synthesis.engine_calls for r in results) == next(r for r in results if not r.up_to_date).synthesis.engine_calls

    other = make_speech("other.txt", sections=8, paragraphs=6, sentences=6)
    first = threading.Thread(target=lambda: render(other, voice, out_root=tmp_path / "out"), daemon=True)
    first.start()
    time.sleep(0.5)
    cancel = threading.Event()
    waiting: list[BaseException] = []

    def second() -> None:
        try:
            render(other, choose_voice("offline-female", "espeak", rate="+10%"), out_root=tmp_path / "out", cancel=cancel)
        except BaseException as err:
            waiting.append(err)

    worker = threading.Thread(target=second, daemon=True)
    worker.start()
    time.sleep(0.5)
    cancel.set()
    worker.join(2)
    assert not worker.is_alive() and len(waiting) == 1 and isinstance(waiting[0], Cancelled), waiting
    first.join(120)


def test_a_commit_cut_short_is_said_and_never_taken_for_a_finished_render(cli, make_speech, tmp_path: Path) -> None:
    """A file that cannot be put in place (here a folder stands at the MP3's name; on Windows a player
    holding it open) stops the render with one sentence, after some tracks were replaced: the folder
    then has no manifest, and the next run renders it again rather than saying "Up to date"."""
    path = make_speech(sections=2, paragraphs=1, sentences=2)
    assert cli.run("render", path, "-e", "espeak", "--pace", PACE, "-q").returncode == 0
    folder = next((tmp_path / "output").glob("*/offline-female"))
    full = folder / json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]["full"]
    full.unlink()
    full.mkdir()
    (full / "held").write_text("a player holds this", encoding="utf-8")
    line = cli.error("render", path, "-e", "espeak", "--pace", "0.3", code=4)
    assert "Could not put" in line and "render again" in line
    assert not (folder / "manifest.json").exists() and not [p for p in folder.iterdir() if p.name.startswith(".")]
    (full / "held").unlink()
    full.rmdir()
    again = cli.run("render", path, "-e", "espeak", "--pace", "0.3")
    assert again.returncode == 0 and "Up to date" not in again.stdout and full.is_file()
    # An MP3 changed after its render (not the size the manifest recorded) is not up to date either.
    with full.open("ab") as out:
        out.write(b"\0" * 417)
    third = cli.run("render", path, "-e", "espeak", "--pace", "0.3")
    assert third.returncode == 0 and "Up to date" not in third.stdout
    assert "Up to date" in cli.run("render", path, "-e", "espeak", "--pace", "0.3").stdout
