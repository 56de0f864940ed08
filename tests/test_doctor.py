"""`speechcast doctor`: what a user runs first when something is wrong. Each check in plain words:
the MP3 encoder, the engines (Edge answering or not), the cache folder (size, writable), the output folder."""

from __future__ import annotations

import re
from pathlib import Path

from edge_service import EdgeService

from pipeline.doctor import run_checks
from pipeline.speech.cache import ChunkCache
from pipeline.speech.engines import Speech


def by_name(checks) -> dict:
    return {check.name: check for check in checks}


def test_everything_ready_with_the_service_answering(edge_service: EdgeService, tmp_path: Path) -> None:
    cache = ChunkCache(tmp_path / "cache")
    for n in (1, 2):
        cache.put(f"{n:064x}", Speech(b"\xff\xf3" * 1000 * n, "mp3"))
    (tmp_path / "out").mkdir()
    checks = by_name(run_checks(tmp_path / "cache", tmp_path / "out", timeout=5))
    assert list(checks) == ["mp3 encoder", "engine edge", "engine espeak", "proxy", "cache", "output"]
    assert all(check.ok for check in checks.values()), checks
    assert re.fullmatch(r"LAME \(lameenc 1\.\d+\.\d+\): ready", checks["mp3 encoder"].detail)
    assert re.fullmatch(r"edge-tts 7\.\d+\.\d+: ready", checks["engine edge"].detail)
    assert re.fullmatch(r"espeak-ng 1\.\d+\.\d+.*: ready", checks["engine espeak"].detail)
    assert re.fullmatch(rf"{tmp_path / 'cache'} is writable, [\d.]+ GiB free; 2 chunks, 0\.0 MiB", checks["cache"].detail)
    assert re.fullmatch(rf"{tmp_path / 'out'} is writable, [\d.]+ GiB free", checks["output"].detail)
    assert checks["proxy"].detail.startswith("none: Edge is reached directly")
    assert edge_service.requests == []  # a probe asks for the voice list and synthesizes nothing


def test_a_service_that_does_not_answer_is_reported_but_not_fatal(cli, tmp_path: Path) -> None:
    done = cli.run("doctor", "--cache-dir", "cache", "--out", "out")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line[:18] for line in lines] == ["ok  mp3 encoder   ", "NO  engine edge   ", "ok  engine espeak ",
                                             "ok  proxy         ", "ok  cache         ", "ok  output        "]  # fmt: skip
    assert lines[1].endswith("no answer from the service: renders fall back to the offline voice")
    assert re.fullmatch(r"ok  cache +cache will be created, [\d.]+ GiB free; 0 chunks, 0\.0 MiB", lines[4])
    assert re.fullmatch(r"ok  output +out will be created, [\d.]+ GiB free", lines[5])
    assert not (tmp_path / "cache").exists() and not (tmp_path / "out").exists(), "a check must create nothing"


def test_the_stand_in_answers_the_cli_probe(edge_service: EdgeService, cli) -> None:
    done = cli.run("doctor")
    assert done.returncode == 0 and re.search(r"^ok  engine edge +edge-tts \S+: ready$", done.stdout, flags=re.M), done.stdout


def test_an_output_folder_that_cannot_be_written_fails_the_doctor(cli, tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be", encoding="utf-8")
    done = cli.run("doctor", "--out", "blocker/out", "--cache-dir", "blocker/cache")
    assert done.returncode == 1, done.stdout
    assert "NO  output         blocker/out cannot be written (Not a directory): choose another folder." in done.stdout
    assert "NO  cache          blocker/cache cannot be written (Not a directory): choose another folder." in done.stdout
    assert done.stderr == ""


def test_a_misconfigured_engine_is_reported_not_raised(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SPEECHCAST_EDGE_ATTEMPTS", "many")
    checks = by_name(run_checks(tmp_path / "cache", tmp_path / "out", timeout=1))
    edge = checks["engine edge"]
    assert not edge.ok and edge.detail == ("fails to load: SPEECHCAST_EDGE_ATTEMPTS must be a whole number such as 8, not 'many': fix or unset it.")
    assert checks["engine espeak"].ok


def test_the_proxy_edge_is_reached_through_is_named_without_its_password(cli, monkeypatch) -> None:
    # A service by name (never looked up: the proxy would be asked for it), a proxy that refuses at once.
    monkeypatch.setenv("SPEECHCAST_EDGE_URL", "wss://edge.invalid/consumer/speech/synthesize/readaloud/edge/v1")
    done = cli.run("doctor", "--proxy", "http://clerk:secret@127.0.0.1:1")
    line = next(line for line in done.stdout.splitlines() if line.startswith(("ok  proxy", "NO  proxy")))
    assert line.endswith("Edge is reached through http://127.0.0.1:1") and "secret" not in done.stdout
