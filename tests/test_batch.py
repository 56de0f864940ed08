"""Many manuscripts in one call: each in turn with one cache, a failure named and the rest rendered,
a table at the end, exit ≠ 0 when any failed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import Cli, speech_text

# Renders, servers, browsers or the whole corpus: left out of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow


def test_a_batch_with_one_unreadable_manuscript(cli, tmp_path: Path) -> None:
    text = speech_text("在全县工作会议上的讲话", sections=2, paragraphs=1, sentences=2)
    (tmp_path / "one.txt").write_text(text, encoding="utf-8")
    (tmp_path / "two.txt").write_text(text, encoding="utf-8")  # the same speech under another name
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "three.md").write_text(speech_text("在全市座谈会上的讲话", sections=1, paragraphs=1, sentences=2), encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    done = cli.run("render", "one.txt", "two.txt", "more", "--engine", "espeak", "--pace", "0.2", "-o", "out")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert [line for line in done.stderr.splitlines() if "broken.txt" in line] == [
        "speechcast: more/broken.txt: more/broken.txt is a PNG image, not text: give a manuscript (.txt/.md/.docx/.pdf/.html/.ofd)."
    ]
    rendered = sorted(p.parent.parent.name for p in (tmp_path / "out").glob("*/*/manifest.json"))
    assert rendered == ["one", "three", "two"]
    second = [line for line in done.stdout.splitlines() if line.startswith("Rendered")][1]
    assert "0 synthesized" in second  # the second identical manuscript came from the shared cache
    table = done.stdout[done.stdout.index("file  ") :].splitlines()
    assert len(table) == 1 + 4 + 1 and table[-1] == "3 of 4 manuscripts rendered; 1 failed."
    assert "failed: more/broken.txt is a PNG image" in table[3] and "在全市座谈会上的讲话" in table[4]  # the folder in name order
    manifest = json.loads(next((tmp_path / "out" / "two").glob("*/manifest.json")).read_text(encoding="utf-8"))
    assert manifest["title"] == "在全县工作会议上的讲话"


def test_several_voices_and_files_multiply(cli, tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(speech_text(f"讲话{name[0]}", sections=1, paragraphs=1, sentences=1), encoding="utf-8")
    done = cli.run("render", "a.txt", "b.txt", "-v", "offline-female", "-v", "offline-male", "--engine", "espeak", "--pace", "0.2", "-o", "out", "-q")
    assert done.returncode == 0, done.stderr
    assert sorted(str(p.parent.relative_to(tmp_path / "out")) for p in (tmp_path / "out").glob("*/*/manifest.json")) == [
        "a/offline-female", "a/offline-male", "b/offline-female", "b/offline-male",
    ]  # fmt: skip


def test_outline_takes_several_files(cli, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(speech_text("讲话甲", sections=1), encoding="utf-8")
    (tmp_path / "b.txt").write_text(speech_text("讲话乙", sections=2), encoding="utf-8")
    done = cli.run("outline", "a.txt", "b.txt")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("== ") == 2 and "Title:       讲话甲" in done.stdout and "Title:       讲话乙" in done.stdout
    assert "one manuscript with -o" in cli.error("outline", "a.txt", "b.txt", "-o", "s.md")


def test_a_batch_on_a_terminal_shows_one_view_naming_each_manuscript(tmp_path: Path, make_speech) -> None:
    """On a terminal the batch draws one display: which manuscript of how many, and its synthesis bar."""
    import os
    import pty
    import select

    first = make_speech("first.txt", sections=3, paragraphs=3, sentences=3)
    second = make_speech("second.txt", title="在全县安全生产会议上的讲话", sections=3, paragraphs=3, sentences=3)
    master, slave = pty.openpty()
    done = subprocess.Popen(Cli.command("render", first, second, "-v", "offline-female", "-o", tmp_path / "out"),
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=slave, env={**os.environ, "COLUMNS": "120"})  # fmt: skip
    os.close(slave)
    drawn = b""
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            break
        try:
            piece = os.read(master, 65536)
        except OSError:  # the command ended and closed the terminal
            break
        if not piece:
            break
        drawn += piece
    stdout = done.communicate(timeout=120)[0].decode()
    os.close(master)
    screen = drawn.decode("utf-8", "replace")
    assert done.returncode == 0, screen
    assert "[1/2] first.txt" in screen and "[2/2] second.txt" in screen, screen[-2000:]
    assert "manuscripts" in screen
    assert "2 of 2 manuscripts rendered." in stdout


def test_two_manuscripts_of_one_name_never_share_a_folder(cli, tmp_path: Path) -> None:
    """讲话.txt from two meetings' folders: two folders, the table says which is which, and each
    later render of either finds its own (up to date), in a batch or alone."""
    for meeting, title in (("a", "在全县工作会议上的讲话"), ("b", "在全市座谈会上的讲话")):
        (tmp_path / meeting).mkdir()
        (tmp_path / meeting / "讲话.txt").write_text(speech_text(title, sections=1, paragraphs=1, sentences=2), encoding="utf-8")
    done = cli.run("render", "a/讲话.txt", "b/讲话.txt", "--engine", "espeak", "--pace", "0.2", "-o", "out")
    assert done.returncode == 0, done.stderr
    titles = {p.parent.parent.name: json.loads(p.read_text(encoding="utf-8"))["title"] for p in (tmp_path / "out").glob("*/*/manifest.json")}
    assert titles == {"讲话": "在全县工作会议上的讲话", "讲话-2": "在全市座谈会上的讲话"}
    table = done.stdout[done.stdout.index("file  ") :].splitlines()
    assert "out/讲话/offline-female/" in table[1] and "out/讲话-2/offline-female/" in table[2]
    again = cli.run("render", "b/讲话.txt", "--engine", "espeak", "--pace", "0.2", "-o", "out")
    assert again.returncode == 0 and "Up to date" in again.stdout and "out/讲话-2/offline-female/" in again.stdout, again.stdout
    assert len(list((tmp_path / "out").glob("*/*/manifest.json"))) == 2
    # The library tells them apart too: each row names its manuscript's file and its folder.
    from pipeline.web.library import entries

    rows = {(e["folder"], e["source"], e["title"]) for e in entries(tmp_path / "out")}
    assert rows == {("讲话", "讲话.txt", "在全县工作会议上的讲话"), ("讲话-2", "讲话.txt", "在全市座谈会上的讲话")}


def test_a_later_render_says_what_it_replaced_that_was_asked_for_before(cli, tmp_path: Path) -> None:
    """An M4B and a cover made with --format both --cover do not vanish without a word when the same
    manuscript is rendered again without them; a render that keeps them says nothing."""
    from media_util import png

    (tmp_path / "speech.txt").write_text(speech_text("在全县工作会议上的讲话", sections=1, paragraphs=1, sentences=2), encoding="utf-8")
    (tmp_path / "cover.png").write_bytes(png(16, 16, (200, 20, 20)))
    common = ("--engine", "espeak", "--pace", "0.2", "-o", "out")
    first = cli.run("render", "speech.txt", "--format", "both", "--cover", "cover.png", *common)
    assert first.returncode == 0 and "notice" not in first.stderr, first.stderr
    assert list((tmp_path / "out" / "speech" / "offline-female").glob("*.m4b"))
    again = cli.run("render", "speech.txt", *common)
    assert again.returncode == 0, again.stderr
    notice = ("speechcast: notice: this render replaced the one before in this folder: its M4B and its cover went "
              "(render with --format both --cover IMAGE to have them back)")  # fmt: skip
    assert notice in again.stderr.splitlines(), again.stderr
    assert not list((tmp_path / "out" / "speech" / "offline-female").glob("*.m4b"))
