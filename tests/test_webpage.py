"""Saved web pages and links: the article read, the site's chrome reported, a link read like its file.

Links are served by a local HTTP server on 127.0.0.1 only.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from frontend_util import spoken_text as spoken

from pipeline import load_script

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "web"
REAL = Path(__file__).resolve().parent / "corpus" / "web"
PAGE = FIXTURES / "county-safety-meeting.html"


def letters(text: str) -> str:
    return re.sub(r"[\W_]", "", text)


def test_a_gbk_page_of_ours_reads_as_its_article() -> None:
    script = load_script(PAGE)
    assert script.title == "在全县安全生产工作会议上的讲话"  # not "…_某某县人民政府网"
    assert script.salutation == "同志们："
    assert [(s.title, s.level) for s in script.sections if s.kind == "section"] == [
        ("一、提高站位，充分认识安全生产的重要性", 1), ("（一）压实责任", 2), ("二、突出重点，扎实抓好各项工作", 1),
    ]  # fmt: skip
    chrome = {r.text: r.kind for r in script.removed}
    for line in (
        "首页 | 新闻中心 | 领导讲话 | 政务公开",
        "分享到：微信 微博 QQ空间",
        "县长调研安全生产工作",
        "版权所有：某某县人民政府 ICP备12345678号 技术支持：某某科技",
    ):
        assert chrome.get(line) == "furniture", line
    assert chrome["来源：县政府办 发布时间：2023-03-05 责任编辑：张三"] == "publication"
    for words in ("首页", "分享到", "相关新闻", "ICP", "责任编辑"):
        assert words not in spoken(script)


def _expected(page: Path) -> list[tuple[str, str]]:
    rows = page.with_name(page.name[: -len(".html")] + ".expected.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [tuple(row.split("\t", 1)) for row in rows if row.strip()]  # type: ignore[misc]


REAL_PAGES = sorted(REAL.glob("*.html"))


@pytest.mark.parametrize("page", REAL_PAGES, ids=lambda p: p.name)
def test_a_real_saved_page(page: Path) -> None:
    script = load_script(page)
    heard = letters(spoken(script))
    reported = "".join(letters(r.text) for r in script.removed)
    for kind, text in _expected(page):
        if kind == "title":
            assert letters(script.title).startswith(letters(text)) or letters(text) in letters(script.title), (script.title, text)
        elif kind in ("first", "last", "heading"):
            assert letters(text) in heard, (kind, text)
        elif kind == "chrome":  # not heard, or reported: a short one may also stand in the article's own words
            assert letters(text) in reported or letters(text) not in heard, text


def test_the_real_pages_are_there() -> None:
    assert len(REAL_PAGES) >= 3 and (REAL / "SOURCES.md").is_file()


class _Site(http.server.ThreadingHTTPServer):
    daemon_threads = True


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """A local web server: /page.html (our GBK page), /moved (a redirect to it), /speech.pdf,
    /picture.png, /missing (404), /huge.txt (21 MB) and /slow (answers after 5 s)."""
    files = {"/page.html": (PAGE.read_bytes(), "text/html; charset=gbk"),
             "/picture.png": (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png"),
             "/speech.txt": ((Path(__file__).parent / "corpus" / "000_f942a4ce7236a7e5.txt").read_bytes(), "text/plain; charset=utf-8")}  # fmt: skip

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/moved":
                self.send_response(302)
                self.send_header("Location", "/page.html")
                self.end_headers()
            elif self.path == "/slow":
                time.sleep(5)
                self.send_response(200)
                self.end_headers()
            elif self.path == "/trickle.txt":  # a byte a second: each read within the timeout, the whole never
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.end_headers()
                for _ in range(30):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.5)
            elif self.path == "/short.txt":  # promises more than it sends, then hangs up
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.write("同志们好。".encode() * 100)
                self.wfile.flush()
                self.close_connection = True
            elif self.path == "/huge.txt":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                block = ("同志们好。" * 1000).encode("utf-8")
                for _ in range(21 * 1024 * 1024 // len(block) + 2):
                    self.wfile.write(block)
            elif self.path in files:
                body, kind = files[self.path]
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_error(404)

        def log_message(self, *args: object) -> None:
            pass

    server = _Site(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_a_link_reads_exactly_like_the_page_saved_as_a_file(site: str, cli, tmp_path: Path) -> None:
    from_file = cli.run("outline", str(PAGE))
    from_link = cli.run("outline", f"{site}/moved")  # through a redirect
    assert from_link.returncode == 0, from_link.stderr
    strip = lambda out: [line for line in out.splitlines() if not line.startswith("Source:")]  # noqa: E731
    assert strip(from_link.stdout) == strip(from_file.stdout)


@pytest.mark.slow
def test_a_rendered_link_records_its_address(site: str, cli, tmp_path: Path) -> None:
    done = cli.run("render", f"{site}/speech.txt", "--engine", "espeak", "--pace", "0.2", "-o", "out")
    assert done.returncode == 0, done.stderr
    manifests = list((tmp_path / "out").glob("*/*/manifest.json"))
    assert len(manifests) == 1 and manifests[0].parent.parent.name.startswith("speech-")
    source = json.loads(manifests[0].read_text(encoding="utf-8"))["source"]
    assert source["url"] == f"{site}/speech.txt" and Path(source["path"]).is_file()
    again = cli.run("render", f"{site}/speech.txt", "--engine", "espeak", "--pace", "0.2", "-o", "out")
    assert again.stdout.startswith("Up to date: ")


@pytest.mark.parametrize(
    ("path", "words"), [("/picture.png", "is an image (image/png), not a manuscript"), ("/missing", "answered HTTP 404"), ("/huge.txt", "larger than 20 MB")]
)
def test_a_link_that_fails_says_why_in_one_sentence(site: str, cli, tmp_path: Path, path: str, words: str) -> None:
    line = cli.error("render", f"{site}{path}", "--engine", "espeak", "-o", "out")
    assert words in line
    assert not (tmp_path / "out").exists()
    downloads = Path(os.environ["SPEECHCAST_CACHE_DIR"]) / "downloads"
    assert not (downloads.exists() and any(downloads.iterdir())), "a failed fetch left a file behind"


@pytest.mark.slow
def test_a_link_that_times_out(site: str, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPEECHCAST_FETCH_TIMEOUT", "1")
    line = cli.error("outline", f"{site}/slow")
    assert "did not answer within 1 s" in line


@pytest.mark.slow
def test_a_link_that_trickles_or_breaks_off_says_so(site: str, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each read answers within the timeout but the whole never comes: the fetch has a deadline. A
    body shorter than its Content-Length is a broken download, not a manuscript."""
    monkeypatch.setenv("SPEECHCAST_FETCH_TIMEOUT", "1")
    started = time.monotonic()
    line = cli.error("outline", f"{site}/trickle.txt")
    assert "did not finish sending within" in line and time.monotonic() - started < 12
    line = cli.error("outline", f"{site}/short.txt")
    assert "broke off" in line


def test_a_link_nothing_answers(cli) -> None:
    import socket

    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]
        line = cli.error("outline", f"http://127.0.0.1:{port}/speech.html")
    assert "could not be reached" in line


@pytest.mark.slow
@pytest.mark.browser
def test_a_page_saved_by_chromium_as_one_file_reads_like_the_page(tmp_path: Path) -> None:
    """A .mhtml archive, made by Chromium itself (its DevTools snapshot, what "Save as: single file" writes)."""
    from playwright.sync_api import sync_playwright

    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail(f"{chromium} is missing: run `apt-get install -y chromium fonts-noto-cjk`.")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(PAGE.as_uri())
        snapshot = page.context.new_cdp_session(page).send("Page.captureSnapshot", {"format": "mhtml"})["data"]
        browser.close()
    archive = tmp_path / "saved.mhtml"
    archive.write_text(snapshot, encoding="utf-8")
    from_archive, from_page = load_script(archive), load_script(PAGE)
    assert (from_archive.title, from_archive.salutation) == (from_page.title, from_page.salutation)
    assert [(s.title, s.level, s.paragraphs) for s in from_archive.sections] == [(s.title, s.level, s.paragraphs) for s in from_page.sections]


def test_markup_written_inside_the_title_is_not_spoken(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"><title>在全县工作会议上的讲话<script>alert("x")</script><b>粗</b></title></head>'
                    "<body><p>同志们：</p><p>今天我们召开全县工作会议，部署今年的重点工作任务，大家要认真抓好落实。</p></body></html>", encoding="utf-8")  # fmt: skip
    script = load_script(page)
    assert script.title == "在全县工作会议上的讲话粗" and "alert" not in script.title and "<" not in script.title


@pytest.mark.parametrize("name", ["saved.txt", "saved.md", "saved"])
def test_a_page_saved_under_another_name_is_read_as_the_page_it_is(tmp_path: Path, name: str) -> None:
    """A web page is known by its first bytes (<!DOCTYPE html>), whatever it was saved as: read as a
    page, its menus and scripts are never spoken."""
    copy = tmp_path / name
    copy.write_bytes(PAGE.read_bytes())
    as_saved, as_page = load_script(copy), load_script(PAGE)
    assert (as_saved.title, [s.title for s in as_saved.sections]) == (as_page.title, [s.title for s in as_page.sections])
    assert spoken(as_saved) == spoken(as_page) and "<" not in spoken(as_saved)
