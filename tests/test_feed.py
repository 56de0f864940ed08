"""`speechcast feed`: a podcast feed over an output folder, read back with feedparser."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest
from conftest import speech_text

# Renders, servers, browsers or the whole corpus: left out of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow

BASE = "http://127.0.0.1:8000/podcast/"


def _rendered(cli, tmp_path: Path) -> Path:
    for name, title in (("一号讲话.txt", "在全县工作会议上的讲话\n县长  李四\n（2024年3月5日）"), ("second talk.txt", "在全市座谈会上的讲话")):
        (tmp_path / name).write_text(speech_text(title, sections=2, paragraphs=1, sentences=2), encoding="utf-8")
        done = cli.run("render", name, "--engine", "espeak", "--pace", "0.2", "-o", "out", "-q")
        assert done.returncode == 0, done.stderr
    return tmp_path / "out"


def _check(feed: feedparser.FeedParserDict, root: Path) -> None:
    assert not feed.bozo, feed.get("bozo_exception")
    for entry in feed.entries:
        (enclosure,) = entry.enclosures
        assert enclosure.href.startswith(BASE) and enclosure.type == "audio/mpeg"
        file = root / unquote(urlsplit(enclosure.href).path[len(urlsplit(BASE).path) :])
        assert file.is_file() and int(enclosure.length) == file.stat().st_size
        hours, minutes, seconds = map(int, entry.itunes_duration.split(":"))
        assert 0 < hours * 3600 + minutes * 60 + seconds < 3600


def _chapters(feed_text: str, root: Path) -> list[dict]:
    import re

    urls = re.findall(r'<podcast:chapters url="([^"]+)" type="application/json\+chapters"/>', feed_text)
    found = []
    for url in urls:
        path = root / unquote(urlsplit(url).path[len(urlsplit(BASE).path) :])
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["version"] == "1.2.0" and isinstance(data["chapters"], list) and data["chapters"]
        starts = [c["startTime"] for c in data["chapters"]]
        assert all(isinstance(s, (int, float)) and s >= 0 for s in starts) and starts == sorted(starts)
        assert all(isinstance(c["title"], str) and c["title"] for c in data["chapters"])
        found.append(data)
    return found


def test_a_feed_of_two_renders(cli, tmp_path: Path) -> None:
    root = _rendered(cli, tmp_path)
    done = cli.run("feed", "out", "--base-url", BASE, "--title", "讲话选听")
    assert done.returncode == 0, done.stderr
    text = (root / "feed.xml").read_text(encoding="utf-8")
    feed = feedparser.parse(text)
    _check(feed, root)
    assert feed.feed.title == "讲话选听" and feed.feed.itunes_explicit in (False, "false", None)
    assert sorted(e.title for e in feed.entries) == ["在全县工作会议上的讲话（offline-female）", "在全市座谈会上的讲话（offline-female）"]
    # The speaker of the title block is the episode's author, and with the date leads its description.
    county = next(e for e in feed.entries if e.title.startswith("在全县"))
    assert county.author == "县长 李四" and county.summary.startswith("县长 李四 · 2024年3月5日。")
    assert "author" not in next(e for e in feed.entries if e.title.startswith("在全市"))
    # and the player page shows them under the title, once, each a sentence a listener can click
    (page,) = [p for p in root.glob("*/*/index.html") if "在全县" in p.read_text(encoding="utf-8")]
    html = page.read_text(encoding="utf-8")
    assert html.count("县长 李四") == 1 and '<p class="byline"><span class="s" id="s1">县长 李四</span><span class="s" id="s2">2024年3月5日</span></p>' in html
    assert any("%20" in e.enclosures[0].href or "%E4" in e.enclosures[0].href for e in feed.entries)  # paths percent-encoded
    chapters = _chapters(text, root)
    manifests = sorted(root.glob("*/*/manifest.json"))
    assert sorted(len(c["chapters"]) for c in chapters) == sorted(len(json.loads(m.read_text(encoding="utf-8"))["sections"]) for m in manifests)
    guids = [e.id for e in feed.entries]
    assert feed.feed.language == "zh-cn" and "itunes_season" not in feed.entries[0]
    assert cli.run("feed", "out", "--base-url", BASE, "--language", "zh-tw").returncode == 0
    assert feedparser.parse((root / "feed.xml").read_text(encoding="utf-8")).feed.language == "zh-tw"
    again = cli.run("feed", "out", "--base-url", BASE)
    assert again.returncode == 0 and [e.id for e in feedparser.parse((root / "feed.xml").read_text(encoding="utf-8")).entries] == guids


def test_a_feed_of_section_tracks(cli, tmp_path: Path) -> None:
    root = _rendered(cli, tmp_path)
    assert cli.run("feed", "out", "--base-url", BASE, "--tracks").returncode == 0
    feed = feedparser.parse((root / "feed.xml").read_text(encoding="utf-8"))
    _check(feed, root)
    tracks = sum(len(json.loads(m.read_text(encoding="utf-8"))["tracks"]) for m in root.glob("*/*/manifest.json"))
    assert len(feed.entries) == tracks and len({e.id for e in feed.entries}) == tracks
    # Each speech's tracks keep their order in an app: numbered episodes a second apart, a serial show.
    for speech in {e.title.split(" · ")[0] for e in feed.entries}:
        own = sorted((e for e in feed.entries if e.title.startswith(speech + " · ")), key=lambda e: int(e.itunes_episode))
        assert [int(e.itunes_episode) for e in own] == list(range(1, len(own) + 1))
        assert [e.published_parsed for e in own] == sorted({e.published_parsed for e in own}), "tracks share a date or run backwards"
    # and each speech is a season of its own, the one rendered first the first
    seasons: dict[str, set[int]] = {}
    for e in feed.entries:
        seasons.setdefault(e.title.split(" · ")[0], set()).add(int(e.itunes_season))
    assert sorted(seasons.values(), key=min) == [{1}, {2}] and seasons["在全县工作会议上的讲话"] == {1}
    assert "<itunes:type>serial</itunes:type>" in (root / "feed.xml").read_text(encoding="utf-8")
    assert feed.feed.title == "讲话录音 · speechcast"  # not the folder's name, "out"
    assert feed.feed.language == "zh-cn"


def test_a_feed_needs_renders_and_an_address(cli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert "holds no render" in cli.error("feed", "empty", "--base-url", BASE)
    assert "--base-url must be an http://" in cli.error("feed", "empty", "--base-url", "ftp://x")
    assert "--language must be a language tag" in cli.error("feed", "empty", "--base-url", BASE, "--language", "中文<x>")
    assert not (tmp_path / "empty" / "feed.xml").exists()


def test_a_manifest_edited_by_hand_is_left_out_with_one_line_and_never_followed(cli, tmp_path: Path) -> None:
    from pipeline.web.library import entries, library_file

    root = _rendered(cli, tmp_path)
    first, second = sorted(root.glob("*/*/manifest.json"))
    data = json.loads(first.read_text(encoding="utf-8"))
    data["files"]["full"] = "../../../../etc/shadow"
    first.write_text(json.dumps(data), encoding="utf-8")
    done = cli.run("feed", "out", "--base-url", BASE)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("\n") == 1 and "left out of the feed" in done.stderr and "Traceback" not in done.stderr
    text = (root / "feed.xml").read_text(encoding="utf-8")
    assert "shadow" not in text and len(feedparser.parse(text).entries) == 1
    assert [e["id"] for e in entries(root)] == [f"{second.parent.parent.name}/{second.parent.name}"]
    assert library_file(root, f"{first.parent.parent.name}/{first.parent.name}/manifest.json") is None
    # A field of the wrong type: the same, one line each, and with nothing left a plain sentence.
    data = json.loads(second.read_text(encoding="utf-8"))
    data["duration_ms"] = "3:52"
    second.write_text(json.dumps(data), encoding="utf-8")
    done = cli.run("feed", "out", "--base-url", BASE)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.count("left out of the feed") == 2 and "holds no render" in done.stderr
    assert entries(root) == []


def _live(server, path: str = "/feed.xml", **kw) -> feedparser.FeedParserDict:  # type: ignore[no-untyped-def]
    answer = server.request(path, **kw)
    assert answer.status == 200 and answer.headers["content-type"].startswith("application/rss+xml"), (answer.status, answer.body[:300])
    feed = feedparser.parse(answer.body)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def _fetch(server, url: str, **kw):  # type: ignore[no-untyped-def]
    """GET an address the feed gave, from the server it names."""
    parts = urlsplit(url)
    assert parts.port == server.port, url
    return server.request(parts.path, host=parts.netloc, **kw)


def _plays(server, entry, **kw) -> None:  # type: ignore[no-untyped-def]
    """The entry's enclosure is the render's MP3, whole, and its chapters are there."""
    (enclosure,) = entry.enclosures
    audio = _fetch(server, enclosure.href, **kw)
    assert audio.status == 200 and audio.headers["content-type"] == "audio/mpeg", (enclosure.href, audio.status)
    assert len(audio.body) == int(enclosure.length) > 1000 and audio.body[:3] in (b"ID3", b"\xff\xfb", b"\xff\xf3")
    chapters = _fetch(server, entry.podcast_chapters["url"], **kw)
    assert chapters.status == 200 and chapters.json()["chapters"], entry.podcast_chapters["url"]


def test_serve_feeds_each_render_the_moment_it_is_done(serve, make_speech) -> None:
    """No `speechcast feed`: the feed `serve` gives is built when asked, from the library as it is, its
    addresses those the client used; the library's own folder gets no feed file."""
    from test_serve import rendered

    server = serve()
    assert server.request("/api/settings").json()["feed"] == "/feed.xml"
    empty = _live(server)
    assert empty.entries == [] and empty.feed.title == "讲话录音 · speechcast"  # an app can subscribe before the first render

    first = rendered(server, make_speech("一号讲话.txt", "在全县工作会议上的讲话", sections=2, paragraphs=1, sentences=2))
    feed = _live(server)
    assert [e.title for e in feed.entries] == ["在全县工作会议上的讲话（offline-female）"]
    assert feed.entries[0].enclosures[0].href.startswith(f"http://127.0.0.1:{server.port}/feed/")
    _plays(server, feed.entries[0])
    # Asked by another name of the machine, the links use that name.
    other = _live(server, host=f"localhost:{server.port}")
    assert other.entries[0].enclosures[0].href.startswith(f"http://localhost:{server.port}/feed/")
    _plays(server, other.entries[0])

    second = rendered(server, make_speech("second talk.txt", "在全市座谈会上的讲话", sections=3, paragraphs=1, sentences=2), voice="offline-male")
    feed = _live(server)
    assert sorted(e.title for e in feed.entries) == ["在全县工作会议上的讲话（offline-female）", "在全市座谈会上的讲话（offline-male）"]
    assert feed.entries[0].title.startswith("在全市"), "the newest render comes first"
    for entry in feed.entries:
        _plays(server, entry)

    # One episode per section track, each speech's in the order heard.
    tracks = _live(server, "/feed.xml?tracks=1")
    for render in (first, second):
        own = sorted((e for e in tracks.entries if e.title.startswith(render["title"] + " · ")), key=lambda e: int(e.itunes_episode))
        assert [e.title.split(" · ", 1)[1].rsplit("（", 1)[0] for e in own] == [t["title"] for t in render["tracks"]]
        assert [int(e.itunes_episode) for e in own] == list(range(1, len(render["tracks"]) + 1))
        for entry in own:
            _plays(server, entry)
    assert not (server.out / "feed.xml").exists() and not (server.out / "chapters").exists()
    # The feed's folder (links to the renders) goes with the server; the renders stay.
    files = sorted(p for p in server.out.rglob("*") if p.is_file())
    assert "Traceback" not in server.stop()
    assert sorted(p for p in server.out.rglob("*") if p.is_file()) == files and len(files) > 10
