"""The `speechcast` command as a user meets it: what it prints, where, and with which exit code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from edge_service import EdgeService
from test_render import closed_port_url

PACE = "0.2"
FALLBACK = (
    "speechcast: warning: The edge service could not be reached: speaking offline with 'offline-female' (robotic but clear); run again online for 'xiaoxiao'."
)


def test_help_lists_every_command(cli) -> None:
    done = cli.run("--help")
    assert done.returncode == 0
    for command in ("render", "outline", "voices", "open", "doctor"):
        assert re.search(rf"^│ {command} ", done.stdout, flags=re.M), done.stdout


@pytest.mark.parametrize(
    ("args", "complaint"),
    [(["nosuch"], "No such command 'nosuch'."), (["render", "x.txt", "--bogus"], "No such option: --bogus")],
)  # fmt: skip
def test_usage_errors_exit_2_with_a_hint(cli, args: list[str], complaint: str) -> None:
    done = cli.run(*args)
    assert done.returncode == 2 and complaint in done.stderr and "--help" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.slow
def test_offline_render_reports_what_it_did_and_reuses_the_cache(cli, make_speech) -> None:
    path = make_speech()
    first = cli.run("render", path, "--pace", PACE)
    assert first.returncode == 0 and first.stderr == FALLBACK + "\n", first.stderr
    lines = first.stdout.splitlines()
    assert re.fullmatch(r"Rendered \d+ min \d\d s with espeak voice 'offline-female' \(17 chunks: 0 from cache, 17 synthesized\)\.", lines[0])
    assert lines[1] == "Output: output/speech/offline-female/"
    assert lines[2:] == [f"  {name}" for name in [
        "在全市工作会议上的讲话.mp3", "01-开场.mp3", "01-开场.lrc", "02-一、第一方面的工作.mp3", "02-一、第一方面的工作.lrc",
        "03-二、第二方面的工作.mp3", "03-二、第二方面的工作.lrc", "04-结束语.mp3", "04-结束语.lrc",
        "在全市工作会议上的讲话.srt", "在全市工作会议上的讲话.lrc", "playlist.m3u8", "manifest.json", "index.html"]]  # fmt: skip
    again = cli.run("render", path, "--pace", PACE, "-q")  # -q: only errors, so not even the fallback's warning
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    listed = cli.run("render", path, "--pace", PACE, "--engine", "espeak")
    assert listed.stderr == "" and listed.stdout.startswith("Up to date: ") and listed.stdout.splitlines()[2:] == lines[2:]
    slower = cli.run("render", path, "--pace", "0.5", "--engine", "espeak")
    assert slower.stderr == "" and "(17 chunks: 17 from cache, 0 synthesized)" in slower.stdout


@pytest.mark.slow
def test_an_outline_script_is_written_whole_and_renders(cli, make_speech, tmp_path: Path) -> None:
    path = make_speech()
    done = cli.run("outline", path, "-o", "script.md")
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("\nEditable script written to script.md: fix it, then `speechcast render script.md`.\n")
    script = (tmp_path / "script.md").read_text(encoding="utf-8")
    assert (
        script.startswith("<!-- speechcast script v1 -->\n\n# 在全市工作会议上的讲话\n\n同志们：\n\n## 一、第一方面的工作\n\n第1项任务")
        and "## 二、第二方面的工作\n" in script
    )
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    rendered = cli.run("render", "script.md", "-e", "espeak", "--pace", PACE, "-q")
    assert rendered.returncode == 0 and (tmp_path / "output" / "script" / "offline-female" / "manifest.json").is_file()


@pytest.mark.slow
def test_an_outline_written_over_a_link_a_private_file_or_a_device_leaves_each_as_it_was(cli, make_speech, tmp_path: Path) -> None:
    import os
    import stat

    path = make_speech(sections=1, paragraphs=1, sentences=1)
    (tmp_path / "real.md").write_text("old", encoding="utf-8")
    (tmp_path / "link.md").symlink_to("real.md")
    os.link(tmp_path / "real.md", tmp_path / "hard.md")
    (tmp_path / "private.md").write_text("old", encoding="utf-8")
    (tmp_path / "private.md").chmod(0o600)
    for target in ("link.md", "hard.md", "private.md", os.devnull):
        done = cli.run("outline", path, "-o", target)
        assert done.returncode == 0, (target, done.stderr)
    assert (tmp_path / "link.md").is_symlink() and (tmp_path / "link.md").read_text(encoding="utf-8").startswith("<!-- speechcast script")
    assert os.stat(tmp_path / "hard.md").st_ino == os.stat(tmp_path / "real.md").st_ino  # still one file, two names
    assert stat.S_IMODE(os.stat(tmp_path / "private.md").st_mode) == 0o600
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    (tmp_path / "folder.md").mkdir()
    line = cli.error("outline", path, "-o", "folder.md", code=4)
    assert "is a folder" in line
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.slow
def test_edge_patience_comes_from_the_environment(edge_service: EdgeService, cli, make_speech, monkeypatch) -> None:
    path = make_speech(sections=1, paragraphs=1, sentences=1)
    edge_service.fail_text("同志们", "stall")  # the request it shares with the title, then its own
    monkeypatch.setenv("SPEECHCAST_EDGE_TIMEOUT", "0.3")
    monkeypatch.setenv("SPEECHCAST_EDGE_ATTEMPTS", "2")
    started = time.monotonic()
    line = cli.error("render", path, "-e", "edge", code=3)
    assert time.monotonic() - started < 8
    assert line.startswith("speechcast: The salutation of the opening (“同志们：”) could not be synthesized. "
                           "Edge gave up after 2 attempts (the service did not finish in time)")  # fmt: skip
    assert [a.fault for a in edge_service.attempts if a.text == "同志们："] == ["stall", "stall"]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SPEECHCAST_EDGE_TIMEOUT", "soon", "SPEECHCAST_EDGE_TIMEOUT must be a number of seconds such as 20, not 'soon': fix or unset it."),
        ("SPEECHCAST_EDGE_ATTEMPTS", "0", "SPEECHCAST_EDGE_ATTEMPTS must be a whole number such as 8, not '0': fix or unset it."),
        ("SPEECHCAST_EDGE_URL", "http://example.com/tts",
         "SPEECHCAST_EDGE_URL must be a ws:// or wss:// address such as ws://127.0.0.1:8080/edge/v1, not 'http://example.com/tts'."),
    ],
)  # fmt: skip
def test_a_bad_environment_is_named(cli, make_speech, monkeypatch, variable: str, value: str, message: str) -> None:
    path = make_speech(sections=1, paragraphs=1, sentences=1)
    monkeypatch.setenv(variable, value)
    assert cli.error("render", path, "-e", "edge", code=2) == f"speechcast: {message}"


def test_ctrl_c_while_the_command_loads_ends_in_one_line() -> None:
    # The interrupt lands while pipeline.cli (typer and all) is being imported.
    code = (
        "import sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'pipeline.cli':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "from pipeline.__main__ import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr, done.stdout) == (130, "speechcast: interrupted.\n", "")


@pytest.mark.slow
def test_an_unchanged_render_is_up_to_date_even_where_edge_cannot_be_reached(edge_service: EdgeService, cli, make_speech, monkeypatch) -> None:
    path = make_speech(sections=1, paragraphs=1, sentences=2)
    first = cli.run("render", path, "--pace", PACE)
    assert first.returncode == 0 and "with edge voice 'xiaoxiao'" in first.stdout, first.stderr
    monkeypatch.setenv("SPEECHCAST_EDGE_URL", closed_port_url())  # now offline
    again = cli.run("render", path, "--pace", PACE)
    assert (again.returncode, again.stderr) == (0, ""), again.stderr  # no probe, so no fallback warning
    assert again.stdout.startswith("Up to date: ") and "with edge voice 'xiaoxiao'" in again.stdout
    assert sorted(p.name for p in (cli.cwd / "output" / path.stem).iterdir()) == ["xiaoxiao"]
    # A change needs the engine again: offline, the render falls back to the offline voice, and says so.
    changed = cli.run("render", path, "--pace", "0.5")
    assert "could not be reached" in changed.stderr and "with espeak voice 'offline-female'" in changed.stdout


@pytest.mark.slow
def test_an_unchanged_manuscript_is_up_to_date_without_being_read_again(cli, tmp_path: Path) -> None:
    """Same bytes, same options: the manifest's input key says so, and the front end never loads."""
    from frontend_util import corpus_file

    (tmp_path / "seed.txt").write_bytes(corpus_file(".txt").read_bytes())
    first = cli.run("render", "seed.txt", "--engine", "espeak", "--pace", "0.2", "-o", "out")
    assert first.returncode == 0, first.stderr
    import subprocess
    import sys

    code = (
        "import sys; sys.argv = ['speechcast', 'render', 'seed.txt', '--engine', 'espeak', '--pace', '0.2', '-o', 'out']; from pipeline.cli import main; main()"
    )
    again = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert again.stdout.startswith("Up to date: ")
    assert "pipeline.text.manuscript" not in again.stderr  # the manuscript was not parsed
    edited = (tmp_path / "seed.txt").read_text(encoding="utf-8") + "\n"  # a blank line more: new bytes, the same speech
    (tmp_path / "seed.txt").write_text(edited, encoding="utf-8")
    third = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert "pipeline.text.manuscript" in third.stderr  # new bytes are read again…
    assert third.stdout.startswith("Rendered ") and "0 synthesized" in third.stdout  # …and nothing is spoken again
    other = cli.run("render", "seed.txt", "--engine", "espeak", "--pace", "0.3", "-o", "out")
    assert other.stdout.startswith("Rendered ")


def test_outline_the_dry_run_and_the_web_page_give_one_estimate(cli, make_speech) -> None:
    """Before any audio exists, the speech's length is one figure wherever it is shown."""
    from pipeline import load_script
    from pipeline.web.views import understood

    path = make_speech(sections=3, paragraphs=2, sentences=4)
    outlined = re.search(r"about (\d+):(\d\d) min with the pauses", cli.run("outline", path).stdout)
    planned = re.search(r"about (\d+) min (\d\d) s of audio", cli.run("render", path, "--dry-run", "-e", "espeak").stdout)
    assert outlined and planned, "outline or --dry-run no longer says its estimate"
    seconds = understood(load_script(path))["estimate_s"]
    assert int(outlined[1]) * 60 + int(outlined[2]) == int(planned[1]) * 60 + int(planned[2]) == seconds > 0


def test_text_from_standard_input_or_the_command_line_is_a_manuscript(cli, tmp_path: Path) -> None:
    """`-` reads the manuscript from standard input (in any encoding a file may have), `--text` takes
    it as an argument; each is named by its first line, and --version says the version."""
    import subprocess

    speech = "在全县工作会议上的讲话\n\n同志们：\n\n今天我们召开全县工作会议，部署今年的任务。\n\n谢谢大家！\n"
    piped = subprocess.run(cli.command("outline", "-"), input=speech.encode("gb18030"), capture_output=True, cwd=tmp_path, timeout=60)
    assert piped.returncode == 0 and "Title:       在全县工作会议上的讲话" in piped.stdout.decode(), piped.stderr.decode()
    argued = cli.run("outline", "--text", speech)
    assert argued.returncode == 0 and "Salutation:  同志们：" in argued.stdout, argued.stderr
    assert cli.error("outline", code=2) == "speechcast: Give a manuscript: a file, a folder, a link, - for standard input, or --text."
    version = cli.run("--version")
    assert version.returncode == 0 and re.fullmatch(r"speechcast \d+\.\d+\.\d+\n", version.stdout)


@pytest.mark.slow
def test_a_manuscript_without_a_title_is_known_by_its_file_name(cli, tmp_path: Path) -> None:
    (tmp_path / "周一例会发言.txt").write_text("今天我们开会，主要讲三件事，请大家认真听。第一件事是安全生产。\n\n谢谢大家！\n", encoding="utf-8")
    done = cli.run("render", "周一例会发言.txt", "-e", "espeak", "--pace", PACE)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "output" / "周一例会发言" / "offline-female"
    assert (folder / "周一例会发言.mp3").is_file() and not (folder / "speech.mp3").exists()
    from mutagen.id3 import ID3

    assert str(ID3(folder / "周一例会发言.mp3")["TIT2"]) == "周一例会发言"
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["title"] == "周一例会发言"


@pytest.mark.slow
def test_the_whole_speech_is_saved_where_asked_and_a_bad_place_is_said_first(cli, tmp_path: Path) -> None:
    (tmp_path / "例会.txt").write_text("周一例会上的讲话\n\n同志们：\n\n今天我们开会，主要讲安全生产。\n\n谢谢大家！\n", encoding="utf-8")
    assert cli.error("render", "例会.txt", "-e", "espeak", "--save", "讲话.wav", code=2) == (
        "speechcast: --save 讲话.wav must end in .mp3 or .m4b: name the file the whole speech goes to."
    )
    assert cli.error("render", "例会.txt", "-e", "espeak", "--save", "nowhere/讲话.mp3", code=4) == (
        "speechcast: nowhere is not a folder: create it, or --save somewhere else."
    )
    assert cli.error("render", "例会.txt", "例会.txt", "--text", "又一篇", "--save", "讲话.mp3", code=2) == (
        "speechcast: --save takes one manuscript: render the others without it."
    )
    assert not (tmp_path / "output").exists()  # each refused before any work
    done = cli.run("render", "例会.txt", "-e", "espeak", "--pace", PACE, "--write-media", "讲话.m4b")
    assert done.returncode == 0 and done.stdout.splitlines()[-1] == "The whole speech is also saved as 讲话.m4b.", done.stderr
    folder = tmp_path / "output" / "例会" / "offline-female"
    made = (tmp_path / "讲话.m4b").read_bytes()
    assert made[4:8] == b"ftyp" and made == (folder / "周一例会上的讲话.m4b").read_bytes()  # asked for by its suffix: made
    again = cli.run("render", "例会.txt", "-e", "espeak", "--pace", PACE, "--format", "both", "--save", "讲话.mp3", "-q")  # up to date
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    assert (tmp_path / "讲话.mp3").read_bytes() == (folder / "周一例会上的讲话.mp3").read_bytes()
