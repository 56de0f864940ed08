"""Every test runs in a sealed-off world: its own cache and config folders, and an Edge address that
refuses at once, so no test can ever reach Microsoft (a test that wants the stand-in points
SPEECHCAST_EDGE_URL at it, which overrides this).

Also shared here: `cli`, the `speechcast` command run as a user runs it (a subprocess, so exit codes,
stderr and signals are real), and `make_speech`, a generated manuscript of any size.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# The stand-in Edge service's fixtures (edge_service, edge_tts_state) for every test module.
pytest_plugins = ["edge_service", "serve_util", "browser_util"]

_REFUSING: list[socket.socket] = []
"""The socket that holds the session's refusing Edge port (bound, never listening)."""


def pytest_configure(config: pytest.Config) -> None:
    """Seal the whole session before any fixture runs, module- and session-scoped ones included: the
    developer's own settings, cache and screenshots folder are never read or written, and Edge refuses
    at once. Each test then gets folders of its own (`_isolated`)."""
    home = Path(tempfile.mkdtemp(prefix="speechcast-tests-"))
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    _REFUSING.append(held)
    os.environ.update({
        "SPEECHCAST_CACHE_DIR": str(home / "cache"),
        "SPEECHCAST_CONFIG_DIR": str(home / "config"),
        "SPEECHCAST_EDGE_URL": f"ws://127.0.0.1:{held.getsockname()[1]}/consumer/speech/synthesize/readaloud/edge/v1",
        "SPEECHCAST_TEST_SHOTS": os.environ.get("SPEECHCAST_TEST_SHOTS") or str(home / "screenshots"),
        "LANGUAGE": "en",  # messages in English whatever the developer's locale (tests that want Chinese say so)
    })  # fmt: skip
    for name in ("SPEECHCAST_EDGE_TIMEOUT", "SPEECHCAST_EDGE_ATTEMPTS", "HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        os.environ.pop(name, None)
    _SESSION_HOME.append(home)


_SESSION_HOME: list[Path] = []


def pytest_unconfigure(config: pytest.Config) -> None:
    """The session's folders go with it (screenshots stay where SPEECHCAST_TEST_SHOTS said to keep them)."""
    for home in _SESSION_HOME:
        shutil.rmtree(home, ignore_errors=True)
    for held in _REFUSING:
        held.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that asks for the `browser` fixture (itself or through another fixture) drives Chromium,
    whichever module it is in: it is marked `browser` as the tests that start Chromium themselves are.
    The benchmark smoke test goes last."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    # The benchmark smoke test waits for a run started when the session was collected: asked last,
    # it finds the run done, which went on beside every other test.
    items.sort(key=_bench_smoke)


def _bench_smoke(item: pytest.Item) -> bool:
    return item.path.name == "test_bench_smoke.py"


BENCH_QUICK = pytest.StashKey[tuple["subprocess.Popen[bytes]", Path]]()
"""The benchmark harness's --quick run and the folder it writes to, when the session runs its smoke test."""
_ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_finish(session: pytest.Session) -> None:
    """The benchmark smoke test's run (half a minute of renders, in processes of its own) starts as
    soon as the session knows it will be wanted: the tests are mostly one process, so it runs on the
    other core beside them instead of after them. tests/test_bench_smoke.py waits for it."""
    if not any(_bench_smoke(item) for item in session.items):
        return
    out = Path(tempfile.mkdtemp(prefix="speechcast-bench-quick-"))
    command = [sys.executable, str(_ROOT / "bench" / "run.py"), "--quick", "--work", str(out / "work"),
               "--json", str(out / "bench.json"), "--report", str(out / "bench.md")]  # fmt: skip
    with (out / "stderr.txt").open("wb") as stderr:
        process = subprocess.Popen(command, cwd=_ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
    session.config.stash[BENCH_QUICK] = (process, out)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A run nobody waited for (the smoke test deselected by -k, or the session stopped) is stopped."""
    found = session.config.stash.get(BENCH_QUICK, None)
    if found is not None:
        process, out = found
        if process.poll() is None:
            process.kill()
        process.wait()
        shutil.rmtree(out, ignore_errors=True)


@pytest.fixture(scope="session")
def refusing_url() -> Iterator[str]:
    """A ws:// address on 127.0.0.1 that refuses every connection: the port is bound, so nothing
    else can take it for the whole session, and never listened on, so connecting fails at once."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]
        yield f"ws://127.0.0.1:{port}/consumer/speech/synthesize/readaloud/edge/v1"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory, refusing_url: str) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("SPEECHCAST_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("SPEECHCAST_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("SPEECHCAST_EDGE_URL", refusing_url)
    for name in ("SPEECHCAST_EDGE_TIMEOUT", "SPEECHCAST_EDGE_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)


class Cli:
    """`speechcast …` as a user runs it, with the test's environment, from `cwd`: in this process
    through the command's own entry point (what it prints, its exit code), or in a process of its
    own where signals or standard input are the point (`command`, `start`)."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    @staticmethod
    def command(*args: object) -> list[str]:
        return [sys.executable, "-m", "pipeline", *map(str, args)]

    def run(self, *args: object) -> subprocess.CompletedProcess[str]:
        from pipeline.cli import main

        out, err = io.StringIO(), io.StringIO()
        saved_env, saved_argv, saved_cwd = dict(os.environ), sys.argv, os.getcwd()
        code: int | str | None = 0
        try:
            os.chdir(self.cwd)
            sys.argv = ["speechcast", *map(str, args)]
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    main()
                except SystemExit as done:
                    code = done.code
        finally:
            os.chdir(saved_cwd)
            sys.argv = saved_argv
            os.environ.clear()
            os.environ.update(saved_env)  # --proxy sets a variable for the command's own run
        returncode = code if isinstance(code, int) else (0 if code is None else 1)
        return subprocess.CompletedProcess(list(args), returncode, out.getvalue(), err.getvalue())

    def start(self, *args: object) -> subprocess.Popen[str]:
        """Running in a session of its own, so a test can signal its whole group as a terminal does."""
        return subprocess.Popen(self.command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=self.cwd, start_new_session=True)

    def error(self, *args: object, code: int | None = None) -> str:
        """Run a command that must fail the way a user should see it: exit code ≠ 0 (or `code`),
        nothing on stdout, one line on stderr starting "speechcast: ", no traceback. Returns that line."""
        done = self.run(*args)
        assert done.returncode != 0 if code is None else done.returncode == code, (done.returncode, done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("speechcast: "), done.stderr
        assert done.stdout == "", done.stdout
        return lines[0]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


_NUMERALS = "一二三四五六七八九十"
_PHRASES = (
    "要坚持以人民为中心的发展思想", "推动高质量发展取得新成效", "切实把好事办好实事办实", "各级领导干部要以身作则",
    "持续深化改革开放", "全面加强基层党组织建设", "着力保障和改善民生", "守住安全生产的底线",
)  # fmt: skip


def speech_text(title: str, sections: int = 2, paragraphs: int = 2, sentences: int = 3) -> str:
    """A manuscript with a title, a salutation, numbered sections of distinct sentences, and a closing."""
    lines = [title, "", "同志们：", ""]
    n = 0
    for s in range(sections):
        lines += [f"{_NUMERALS[s]}、第{_NUMERALS[s]}方面的工作", ""]
        for _ in range(paragraphs):
            body = ""
            for _ in range(sentences):
                n += 1
                body += f"第{n}项任务{_PHRASES[n % len(_PHRASES)]}。"
            lines += [body, ""]
    return "\n".join([*lines, "谢谢大家！"]) + "\n"


LONG_SPEECH = {"sections": 10, "paragraphs": 8, "sentences": 8}
"""speech_text's shape for a speech whose tracks take seconds to encode, long after a cancel is asked."""


@pytest.fixture(scope="session")
def most_of_a_long_speech(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., None]:
    """fill(cache, *voices) copies into the chunk cache `cache` the offline speech of LONG_SPEECH but
    its last section (the same title, headings and numbered sentences), in each preset voice given.
    Each voice is spoken once a session (spoken only: nothing is encoded): a render of the whole then
    speaks one section and encodes the rest, where speaking it all took most of a cancel test's time."""
    spoken: dict[str, Path] = {}

    def fill(cache: Path, *voices: str) -> None:
        from pipeline.render import choose_voice, plan_render
        from pipeline.speech.cache import ChunkCache
        from pipeline.speech.synthesize import synthesize

        for name in voices:
            if name not in spoken:
                folder = tmp_path_factory.mktemp(f"most-of-long-{name}")
                part = folder / "part.txt"
                part.write_text(speech_text("在全市工作会议上的讲话", **{**LONG_SPEECH, "sections": LONG_SPEECH["sections"] - 1}), encoding="utf-8")
                voice = choose_voice(name, "espeak")
                planned = plan_render(part, voice, out_root=folder / "out")
                synthesize(planned.chunks, voice.engine, voice.preset.settings, ChunkCache(folder / "cache"), jobs=planned.settings.jobs)
                spoken[name] = folder / "cache"
            shutil.copytree(spoken[name], cache, dirs_exist_ok=True)

    return fill


@pytest.fixture
def make_speech(tmp_path: Path) -> Callable[..., Path]:
    """make_speech(name, title="…", sections=…, paragraphs=…, sentences=…) writes tmp_path/name."""

    def write(name: str = "speech.txt", title: str = "在全市工作会议上的讲话", **shape: int) -> Path:
        path = tmp_path / name
        path.write_text(speech_text(title, **shape), encoding="utf-8")
        return path

    return write
