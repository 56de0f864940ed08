"""The M4B audiobook: the MP3's timeline in AAC, its chapters, tags and cover, read back with ffmpeg,
mutagen and Chromium as players read them."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from media_util import chapters, listing, pcm, png
from mutagen.id3 import ID3
from mutagen.mp4 import MP4

from pipeline.render import choose_voice, render
from pipeline.settings import RenderSettings

# Renders, servers, browsers or the whole corpus: left out of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow

SEED = Path(__file__).resolve().parent / "corpus" / "000_f942a4ce7236a7e5.txt"
AAC_FRAME = 1024


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    root = tmp_path_factory.mktemp("m4b")
    cover = root / "cover.png"
    cover.write_bytes(png(48, 32, (180, 30, 30)))
    voice = choose_voice("offline-female", "espeak")
    settings = RenderSettings(formats=("mp3", "m4b"), cover=cover)
    result = render(SEED, voice, settings=settings, out_root=root / "out", cache=root / "cache")
    manifest = json.loads((result.out_dir / "manifest.json").read_text(encoding="utf-8"))
    return result, manifest, cover.read_bytes()


def test_both_formats_share_chapters_and_duration(both) -> None:
    result, manifest, _ = both
    mp3 = result.out_dir / manifest["files"]["full"]
    m4b = result.out_dir / manifest["files"]["m4b"]
    assert mp3.suffix == ".mp3" and m4b.suffix == ".m4b" and m4b in result.files
    book, disc = chapters(m4b), chapters(mp3)
    assert [t for _, _, t in book] == [t for _, _, t in disc] == [s["title"] for s in manifest["sections"]]
    assert all(abs(a[0] - b[0]) <= 1 for a, b in zip(book, disc)), (book, disc)  # the same millisecond
    heard_book, heard_disc = pcm(m4b).size, pcm(mp3).size
    assert abs(heard_book - heard_disc) <= AAC_FRAME, (heard_book, heard_disc)
    assert abs(heard_book / manifest["sample_rate"] * 1000 - manifest["duration_ms"]) < 200
    report = listing(m4b)
    assert "Audio: aac" in report


def test_tags_and_cover_in_both_formats(both) -> None:
    result, manifest, cover = both
    book = MP4(result.out_dir / manifest["files"]["m4b"])
    assert book.tags is not None
    assert book.tags["\xa9nam"] == [manifest["title"]] and book.tags["\xa9alb"] == [manifest["title"]]
    assert book.tags["\xa9ART"] == [manifest["voice"]["preset"]] and book.tags["\xa9day"][0][:4].isdigit()
    assert bytes(book.tags["covr"][0]) == cover
    full = ID3(result.out_dir / manifest["files"]["full"])
    assert full.getall("APIC")[0].data == cover and full.getall("APIC")[0].mime == "image/png"
    track = ID3(result.out_dir / manifest["tracks"][1]["file"])
    assert track.getall("APIC")[0].data == cover


def test_the_audiobook_plays_in_chromium(both, browser) -> None:
    result, manifest, _ = both
    page_file = result.out_dir / "m4b-check.html"
    page_file.write_text(f'<audio src="{manifest["files"]["m4b"]}" muted></audio>', encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(page_file.as_uri())
        duration, played = page.locator("audio").evaluate("""async (a) => {
            if (a.readyState < 1) await new Promise((ok, no) => { a.onloadedmetadata = ok; a.onerror = () => no(a.error.message); });
            await a.play();
            await new Promise(r => setTimeout(r, 800));
            return [a.duration, a.currentTime]; }""")
    finally:
        page.close()
        page_file.unlink()
    assert abs(duration * 1000 - manifest["duration_ms"]) < 200
    assert played > 0.2


def test_m4b_alone_replaces_the_full_mp3_and_keeps_the_tracks(make_speech, tmp_path: Path, cli) -> None:
    speech = make_speech("short.txt", sections=2, paragraphs=1, sentences=2)
    done = cli.run("render", speech, "-v", "offline-female", "--format", "m4b", "-o", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "out" / "short" / "offline-female"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"]["full"] == manifest["files"]["m4b"] and manifest["files"]["full"].endswith(".m4b")
    assert not list(folder.glob("在全市工作会议上的讲话.mp3"))
    assert all((folder / t["file"]).is_file() for t in manifest["tracks"])
    assert "m4b" in done.stdout and not list(folder.glob(".speechcast-*"))
    again = cli.run("render", speech, "-v", "offline-female", "--format", "m4b", "-o", tmp_path / "out")
    assert "Up to date" in again.stdout
    assert cli.run("feed", tmp_path / "out", "--base-url", "http://127.0.0.1:8000/").returncode == 0
    feed = feedparser.parse((tmp_path / "out" / "feed.xml").read_bytes())
    enclosure = feed.entries[0].enclosures[0]
    assert enclosure.type == "audio/x-m4a" and enclosure.href.endswith(".m4b")
    assert int(enclosure.length) == (folder / manifest["files"]["m4b"]).stat().st_size
    mp3 = cli.run("render", speech, "-v", "offline-female", "-o", tmp_path / "out")
    assert "Rendered" in mp3.stdout  # another format is another render
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"]["m4b"] is None and not list(folder.glob("*.m4b"))


def test_a_new_cover_is_a_new_render_and_a_bad_one_is_refused(make_speech, tmp_path: Path, cli) -> None:
    speech = make_speech("short.txt", sections=1, paragraphs=1, sentences=2)
    cover = tmp_path / "cover.png"
    cover.write_bytes(png(8, 8, (0, 0, 0)))
    out = tmp_path / "out"
    assert cli.run("render", speech, "-v", "offline-female", "--cover", cover, "-o", out).returncode == 0
    assert "Up to date" in cli.run("render", speech, "-v", "offline-female", "--cover", cover, "-o", out).stdout
    cover.write_bytes(png(8, 8, (255, 255, 255)))
    assert "Rendered" in cli.run("render", speech, "-v", "offline-female", "--cover", cover, "-o", out).stdout
    text = tmp_path / "cover.txt"
    text.write_text("not a picture", encoding="utf-8")
    assert "JPEG or PNG" in cli.error("render", speech, "-v", "offline-female", "--cover", text, "-o", out, code=2)
    assert "mp3, m4b or both" in cli.error("render", speech, "--format", "ogg", "-o", out, code=2)
