"""Every kind of bad input either renders correctly or is refused in one plain sentence
(exit code ≠ 0, one line on stderr starting "speechcast: ", no traceback). The messages asserted
here are what a user sees; the command runs in a subprocess from the test's folder."""

from __future__ import annotations

import contextlib
import json
import re
import resource
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from edge_service import EdgeService, speech_frames
from frontend_util import assert_chunks_cover

from pipeline.render import choose_voice, render
from pipeline.settings import Pauses, RenderSettings
from pipeline.speech.cache import ChunkCache
from pipeline.text.manuscript import load_script
from pipeline.text.split import split_script

SPEECH = "在全市工作会议上的讲话\n\n同志们：\n\n今天我们召开全市工作会议。主要任务是总结工作，部署下一步安排。\n"
PACE = "0.2"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def dry_run_chunks(stdout: str) -> list[str]:
    """The chunk texts `render --dry-run` lists ("[s.p.s.part] role pause text")."""
    return [m.group(1) for m in re.finditer(r"^\[[-\d.]+\] +\S+ +\S+ +(.*)$", stdout, flags=re.M)]


# ------------------------------------------------------------------------------------ the file


def test_a_missing_file(cli) -> None:
    assert cli.error("render", "nowhere.txt", code=2) == "speechcast: nowhere.txt does not exist: check the path and try again."


def test_a_folder_without_manuscripts(cli, tmp_path: Path) -> None:
    (tmp_path / "speeches").mkdir()
    (tmp_path / "speeches" / "cover.png").write_bytes(b"\x89PNG")
    assert cli.error("render", "speeches", code=2) == (
        "speechcast: speeches holds no manuscript (.txt/.md/.docx/.pdf/.html/.ofd): give files, or another folder."
    )


@pytest.mark.parametrize("content", ["", "  \n\n\t \n"], ids=["empty", "whitespace"])
def test_an_empty_file(cli, tmp_path: Path, content: str) -> None:
    write(tmp_path, "empty.txt", content)
    expected = "speechcast: empty.txt is empty: put the manuscript's text in it, or give another file."
    assert cli.error("render", "empty.txt", code=2) == expected
    assert cli.error("outline", "empty.txt", code=2) == expected


def test_a_file_of_only_adverts(cli, tmp_path: Path) -> None:
    write(tmp_path, "ads.txt", "仅供学习 禁止外传\n酷乐文行整理，咨询QQ206157060\n\n扫码关注公众号\n")
    assert cli.error("render", "ads.txt", code=2) == (
        "speechcast: ads.txt holds no Chinese speech after cleaning (3 lines or fragments were removed as adverts "
        "or page furniture): check the file, or write a script with `speechcast outline`."
    )


def _mp3() -> bytes:
    return b"".join(speech_frames()[:40])


def test_a_broken_pdf_renamed_txt_is_read_as_a_pdf(cli, tmp_path: Path) -> None:
    write(tmp_path, "speech.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    line = cli.error("render", "speech.txt", code=2)
    assert line.startswith("speechcast: speech.txt is not a PDF we can read") and line.endswith("or copy its text into a .txt file.")


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "a PNG image"),
        (_mp3, "an MP3 file"),
        (lambda: b"ID3\x03\x00\x00\x00\x00\x00\x00" + _mp3(), "an MP3 file"),
        ("同志们：\n今天开会\x00。\n".encode(), "a binary file"),
    ],
    ids=["png", "mp3", "mp3-with-tags", "nul-bytes"],
)
def test_a_binary_file_renamed_txt(cli, tmp_path: Path, content, kind: str) -> None:
    write(tmp_path, "speech.txt", content() if callable(content) else content)
    assert cli.error("render", "speech.txt", code=2) == (f"speechcast: speech.txt is {kind}, not text: give a manuscript (.txt/.md/.docx/.pdf/.html/.ofd).")


# ------------------------------------------------------------------------------ what it holds


FIVE_MB_PHRASES = ("要坚持以人民为中心的发展思想", "全市地区生产总值增长5.2%", "推动高质量发展取得新成效",
                   "切实把好事办好、实事办实", "各级领导干部要以身作则、率先垂范", "守住安全生产的底线")  # fmt: skip


def five_megabytes() -> tuple[str, int]:
    """A speech of 5 MB: ten sections of paragraphs of long sentences; and how many sentences."""
    lines = ["在全市经济工作会议上的讲话", "同志们："]
    sentences = size = 0
    while size < 5_000_000:
        section, start = divmod(sentences, 3500)
        if start == 0 and section < 10:
            lines.append(f"{'一二三四五六七八九十'[section]}、第{section + 1}方面的工作")
        paragraph = "".join(f"第{sentences + k + 1}条，" + "，".join(FIVE_MB_PHRASES[(sentences + k + j) % 6] for j in range(3)) + "。" for k in range(5))
        sentences += 5
        lines.append(paragraph)
        size += len(paragraph.encode()) + 1
    return "\n".join(lines) + "\n", sentences


@pytest.mark.slow
def test_a_five_megabyte_file_is_outlined_and_planned_quickly(cli, tmp_path: Path) -> None:
    """Rendering it would make days of audio, which is allowed; outline and --dry-run answer in seconds."""
    text, sentences = five_megabytes()
    path = write(tmp_path, "big.txt", text)
    assert 5_000_000 <= path.stat().st_size <= 5_100_000
    started = time.monotonic()
    outline = cli.run("outline", "big.txt")
    outlined = time.monotonic() - started
    assert outline.returncode == 0, outline.stderr
    assert re.search(r"Length: +\d{7} characters", outline.stdout) and "十、第10方面的工作" in outline.stdout
    started = time.monotonic()
    planned = cli.run("render", "big.txt", "--engine", "espeak", "--dry-run")
    planning = time.monotonic() - started
    assert planned.returncode == 0, planned.stderr
    chunks = dry_run_chunks(planned.stdout)
    assert len(chunks) == 1 + 1 + 10 + sentences  # the title, the salutation, the headings, the sentences
    assert re.search(rf"^{len(chunks)} chunks for espeak:cmn\+f3 .*Nothing was synthesized", planned.stdout, flags=re.M)
    assert outlined < 15 and planning < 30, (outlined, planning)


@pytest.mark.slow
def test_a_twenty_thousand_character_paragraph_without_punctuation(cli, tmp_path: Path) -> None:
    words = ["我们", "坚持", "人民", "中心", "发展", "思想", "推动", "高质量", "取得", "新成效", "各级", "干部", "以身作则"]
    paragraph = "".join(words[(i * 7) % len(words)] for i in range(20_000))[:20_000]
    path = write(tmp_path, "long.txt", f"同志们：\n{paragraph}\n")
    script = load_script(path)
    for engine, limit in (("edge", 250), ("espeak", 80)):
        chunks = split_script(script, limit)
        assert_chunks_cover(script, chunks, limit)
        planned = cli.run("render", "long.txt", "--engine", engine, "--dry-run")
        assert planned.returncode == 0, planned.stderr
        listed = dry_run_chunks(planned.stdout)
        assert listed == [c.text for c in chunks] and len(listed) >= 20_000 // limit
    outline = cli.run("outline", "long.txt")
    assert outline.returncode == 0 and re.search(r"1 paragraphs +1 sentences +20000 chars", outline.stdout), outline.stdout


def test_control_characters_are_taken_out_and_reported(cli, tmp_path: Path) -> None:
    write(tmp_path, "ctrl.txt", "同志们：\n今天\x01开会\x07。我们\x1b[31m讨论工作\x1b[0m。\u200b再说\x7f一件事\ufeff。\n")
    outline = cli.run("outline", "ctrl.txt")
    assert outline.returncode == 0, outline.stderr
    removed = re.findall(r"^ +line +2 +control character: (.*)$", outline.stdout, flags=re.M)
    assert removed == ["\\u0001", "\\u0007", "\\u001b[31m", "\\u001b[0m", "\\u200b", "\\u007f", "\\ufeff"]
    planned = cli.run("render", "ctrl.txt", "--engine", "espeak", "--dry-run")
    assert dry_run_chunks(planned.stdout) == ["同志们：", "今天开会。我们讨论工作。再说一件事。"]


def test_ssml_lookalikes_are_spoken_as_text(edge_service: EdgeService, tmp_path: Path) -> None:
    """What the service parses out of the SSML it receives is exactly our text: nothing in it was
    taken for markup. (<speak> tags are HTML-like tags, which the cleaner takes out and reports.)"""
    line = "我们要把<speak>这句话</speak>读出来，&amp;不是符号，]]>也不是结尾，<![CDATA[这段]]>照样读，a<b&c>d也一样。"
    path = write(tmp_path, "ssml.txt", f"同志们：\n{line}\n")
    settings = RenderSettings(pauses=Pauses().scaled(float(PACE)))
    result = render(path, choose_voice("xiaoxiao", "edge"), settings=settings, out_root=tmp_path / "out", player=False)
    spoken = "我们要把这句话读出来，&amp；不是符号，]]>也不是结尾，<![CDATA[这段]]>照样读，a<b&c>d也一样。"
    assert sorted(edge_service.texts) == sorted(["同志们：", spoken])
    manifest = json.loads((result.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert [c["text"] for c in manifest["chunks"]] == ["同志们：", spoken]
    assert [(r["text"], r["reason"]) for r in manifest["source"]["removed"]] == [("<speak>", "html-tag"), ("</speak>", "html-tag")]


@pytest.mark.slow
def test_unsafe_section_titles_make_safe_file_names_inside_the_folder(cli, tmp_path: Path) -> None:
    long_title = "二、" + "关于加强和改进机关作风建设" * 16
    assert len(long_title) >= 200
    script = "\n\n".join([
        "# ../../etc/passwd:*?讲话", "同志们：", "今天开会。",
        "## 一、../上级/要求\\下级:*?\"<>|", "要求很明确。",
        f"## {long_title}", "这一节的标题很长。",
        "## ..", "最后一节。",
    ])  # fmt: skip
    write(tmp_path, "a:b*c?.md", script + "\n")
    done = cli.run("render", "a:b*c?.md", "--engine", "espeak", "--pace", PACE, "-o", "out")
    assert done.returncode == 0, done.stderr
    out_dir = tmp_path / "out" / "a_b_c" / "offline-female"
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert written and all(p.parent == out_dir for p in written)
    for path in written:
        assert not re.search(r'[/\\:*?"<>|\x00-\x1f]', path.name) and not path.name.startswith(".")
        assert len(path.name.encode("utf-8")) <= 255
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert [t["title"] for t in manifest["tracks"]] == ["开场", '一、../上级/要求\\下级:*?"<>|', long_title, ".."]
    tracks = [t["file"] for t in manifest["tracks"]]
    assert tracks[:2] == ["01-开场.mp3", "02-一、.._上级_要求_下级.mp3"] and tracks[3] == "04-section.mp3"
    assert tracks[2].startswith("03-二、关于加强") and len(tracks[2]) == len("03-") + 80 + len(".mp3")
    assert manifest["files"]["full"] == "etc_passwd_讲话.mp3"
    assert {t["file"] for t in manifest["tracks"]} | {manifest["files"]["full"]} <= {p.name for p in written}


# ---------------------------------------------------------------------------- where it goes


@pytest.mark.slow
def test_an_output_folder_that_cannot_be_created(cli, tmp_path: Path) -> None:
    write(tmp_path, "speech.txt", SPEECH)
    write(tmp_path, "blocker", "a file where a folder should be")
    assert cli.error("render", "speech.txt", "-e", "espeak", "-o", "blocker/out", code=4) == (
        "speechcast: The output folder blocker/out/speech/offline-female cannot be written (Not a directory): choose another with -o."
    )
    assert cli.error("render", "speech.txt", "-e", "espeak", "--cache-dir", "blocker/cache", code=4) == (
        "speechcast: The cache folder blocker/cache cannot be written (Not a directory): pass --cache-dir with a writable folder."
    )
    outlined = cli.run("outline", "speech.txt", "-o", "blocker/script.md")  # the outline is shown, then the write fails
    assert (outlined.returncode, outlined.stderr) == (4, "speechcast: Cannot write blocker/script.md (Not a directory): choose another place for it.\n")


@contextlib.contextmanager
def small_disk(folder: Path, size: int) -> Iterator[object]:
    """`folder` on a file system of `size` bytes (a tmpfs; needs root). Where mounting is not
    allowed, writes stop at `size` bytes a file instead (RLIMIT_FSIZE, applied to the command)."""
    folder.mkdir()
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    except OSError:  # no mount command at all
        mounted = None
    if mounted is None or mounted.returncode != 0:
        yield lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        return
    try:
        yield None
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.slow
def test_a_full_disk_is_reported_plainly_and_leaves_nothing_half_written(cli, tmp_path: Path, make_speech) -> None:
    path = make_speech(sections=2, paragraphs=2, sentences=3)
    filled = cli.run("render", path, "-e", "espeak", "--pace", PACE, "-o", "roomy")  # the cache is filled here
    assert filled.returncode == 0, filled.stderr
    with small_disk(tmp_path / "small", 64 * 1024) as limit:
        done = subprocess.run(cli.command("render", path, "-e", "espeak", "--pace", PACE, "-o", "small"),
                              capture_output=True, text=True, cwd=tmp_path, preexec_fn=limit, timeout=120)  # fmt: skip
        assert done.returncode == 4 and "Traceback" not in done.stderr, done.stderr
        assert re.fullmatch(
            r"speechcast: (Encoding \S+\.mp3|Writing to \S+) failed \(.*(No space left on device|File too large|Broken pipe)\); "
            r"(check the output folder has space and is writable|free some space or choose another folder with -o)\.\n",
            done.stderr,
        ), done.stderr
        left = [p for p in (tmp_path / "small").rglob("*") if p.is_file()]
        assert left == [], "a failed render left files behind"

        done = subprocess.run(cli.command("render", path, "-e", "espeak", "--cache-dir", "small/cache"),
                              capture_output=True, text=True, cwd=tmp_path, preexec_fn=limit, timeout=120)  # fmt: skip
        assert done.returncode != 0 and done.stderr.count("\n") == 1, done.stderr
        assert re.search(r"Could not write to the cache folder small/cache \((No space left on device|File too large)\): "
                         r"free some space or pass --cache-dir\.$", done.stderr), done.stderr  # fmt: skip
        kept = [p for p in (tmp_path / "small").rglob("*") if p.is_file()]  # (entries that fitted, under a file-size limit)
        assert all(not p.name.startswith(".") and ChunkCache(p.parent.parent).get(p.stem) is not None for p in kept), kept


# ------------------------------------------------------------------------------ the settings


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-v", "nosuch"], "There is no voice preset called 'nosuch': run `speechcast voices` to list them."),
        (["-v", "xiaoxia"], "There is no voice preset called 'xiaoxia': did you mean xiaoxiao, xiaoyi? run `speechcast voices` to list them."),
        (["-v", "zh-CN-NobodyNeural", "-e", "edge"],
         "Edge has no voice 'zh-CN-NobodyNeural': did you mean zh-CN-XiaoyiNeural or zh-CN-YunxiNeural or zh-CN-XiaoxiaoNeural?"),
        (["--rate", "fast"], "Rate 'fast' is not valid: use a signed percentage from -90% to +200%, e.g. +10% or -20%."),
        (["--rate", "+300%"], "Rate '+300%' is not valid: use a signed percentage from -90% to +200%, e.g. +10% or -20%."),
        (["--rate", "10%"], "Rate '10%' is not valid: use a signed percentage from -90% to +200%, e.g. +10% or -20%."),
        (["--pitch", "+5"], "Pitch '+5' is not valid: use signed hertz from -100Hz to +100Hz, e.g. +5Hz."),
        (["--volume", "loud"], "Volume 'loud' is not valid: use a signed percentage from -100% to +100%, e.g. -10%."),
        (["--jobs", "50"], "--jobs must be between 1 and 8: more gets the IP throttled by the service."),
        (["--pace", "9"], "--pace must be between 0.1 and 5.0, not 9.0."),
        (["--pause", "sentence=long"], "--pause takes KIND=MILLISECONDS with KIND one of clause, sentence, paragraph, "
                                      "subsection, section, title, lead_in, tail, not 'sentence=long'."),
    ],
    ids=["unknown-voice", "misspelt-voice", "unknown-edge-voice", "rate-fast", "rate-300", "rate-unsigned", "pitch",
         "volume", "jobs", "pace", "pause"],
)  # fmt: skip
def test_bad_settings_are_refused_before_anything_is_synthesized(cli, tmp_path: Path, args: list[str], message: str) -> None:
    write(tmp_path, "speech.txt", SPEECH)
    assert cli.error("render", "speech.txt", *args, code=2) == f"speechcast: {message}"
    assert not (tmp_path / "output").exists()


def test_a_pause_of_years_is_refused_in_one_sentence(cli, tmp_path: Path) -> None:
    (tmp_path / "speech.txt").write_text("在全县工作会议上的讲话\n\n同志们：\n\n今天开会。\n", encoding="utf-8")
    line = cli.error("render", "speech.txt", "--pause", "sentence=99999999999", "-e", "espeak")
    assert "a pause is at most 60000 ms" in line


def test_a_proxy_that_is_no_address_is_said_before_any_work(cli, make_speech) -> None:
    line = cli.error("render", make_speech(), "--proxy", "office-proxy", code=2)
    assert line == "speechcast: --proxy (SPEECHCAST_PROXY) must be a proxy's address such as http://proxy.example.com:8080, not 'office-proxy'."


def test_a_pause_given_with_pause_is_what_was_asked_whatever_the_pace(cli, make_speech) -> None:
    """--pace scales the pauses left as they are; --pause section=3000 stays 3000 ms."""
    done = cli.run("render", make_speech(), "--dry-run", "-e", "espeak", "--pace", "2", "--pause", "section=3000")
    assert done.returncode == 0, done.stderr
    from pipeline.cli import _pauses
    from pipeline.settings import Pauses

    pauses = _pauses(["section=3000"], 2.0)
    assert pauses.section == 3000 and pauses.sentence == Pauses().sentence * 2
