"""The meeting player: one self-contained index.html beside a render's audio.

The page reads nothing but itself and the MP3s next to it, so it works opened from the file
system, on a meeting-room computer with no network, and on a phone. The text is laid out here
(it reads fine with scripts off); the script only needs the sentence times, which are embedded
as sorted columns so the page can binary-search them on every time update.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import sys
import webbrowser
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from importlib import resources
from itertools import groupby
from pathlib import Path
from urllib.parse import quote

from ..errors import OutputError
from .manifest import ChunkEntry, Manifest, SectionEntry
from .playlist import TrackFile

PAGE_NAME = "index.html"
TEMPLATE_NAME = "player_template.html"


@dataclass(frozen=True)
class Sentence:
    """One sentence as the page shows it: its chunks joined, timed from first start to last end."""

    text: str
    section: int
    paragraph: int
    role: str
    start_ms: int
    end_ms: int


def sentences(chunks: Iterable[ChunkEntry]) -> list[Sentence]:
    """Join consecutive chunks of the same (section, paragraph, sentence) into sentences."""
    out: list[Sentence] = []
    last_key: tuple[int, int, int] | None = None
    for c in chunks:
        key = (c.section, c.paragraph, c.sentence)
        if key == last_key:
            prev = out[-1]
            out[-1] = Sentence(prev.text + c.text, prev.section, prev.paragraph, prev.role, prev.start_ms, max(prev.end_ms, c.end_ms))
        else:
            # The title's later sentences are the speaker and the date read after it: a byline.
            role = "byline" if c.role == "title" and c.sentence > 0 else c.role
            out.append(Sentence(c.text, c.section, c.paragraph, role, c.start_ms, c.end_ms))
        last_key = key
    return out


def storage_key(manifest: Manifest) -> str:
    """The localStorage key of a render: every file:// page shares one origin, so a meeting's
    saved position must be told apart from every other speech (and voice) on the same machine."""
    ident = json.dumps([manifest.title, manifest.source.sha256, asdict(manifest.voice), asdict(manifest.settings)], ensure_ascii=False, sort_keys=True)
    return "speechcast:" + hashlib.sha256(ident.encode("utf-8")).hexdigest()[:20]


def _href(name: str) -> str:
    """A relative URL for a file beside the page (titles hold Chinese, spaces, '#', '?')."""
    return quote(name, safe="")


def _tracks(manifest: Manifest) -> list[TrackFile]:
    tracks = manifest.tracks or (TrackFile(1, manifest.title, manifest.files.full, "", 0, manifest.duration_ms),)
    return sorted(tracks, key=lambda t: t.start_ms)


def _track_of(starts: list[int], ms: int) -> int:
    """Index of the track holding a global time (the last one starting at or before it)."""
    lo, hi = 0, len(starts)
    while lo < hi:
        mid = (lo + hi) // 2
        if starts[mid] <= ms:
            lo = mid + 1
        else:
            hi = mid
    return max(lo - 1, 0)


def _clock(ms: int) -> str:
    s = max(ms, 0) // 1000
    h, m, s = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _block_tags(role: str, level: int) -> tuple[str, str]:
    if role == "heading":
        tag = "h2" if level <= 1 else "h3"
        return f'<{tag} class="heading">', f"</{tag}>"
    return {"title": ('<h1 class="title">', "</h1>"), "salutation": ('<p class="salutation">', "</p>"), "byline": ('<p class="byline">', "</p>")}.get(
        role, ("<p>", "</p>")
    )


def _text_html(manifest: Manifest, said: list[Sentence], order: dict[int, int]) -> str:
    """The full text: one <section> per manuscript section, a block per paragraph, a span per
    sentence whose id is its rank in time (the page's arrays are indexed by that rank)."""
    sections = {s.index: s for s in manifest.sections}
    spoken_heading = {s.section for s in said if s.role == "heading"}
    out: list[str] = []
    if not any(s.role == "title" for s in said):
        out.append(f'<h1 class="title">{html.escape(manifest.title)}</h1>')
    current: int | None = None
    blocks = groupby(enumerate(said), key=lambda p: (p[1].section, p[1].paragraph, p[1].role))
    for (sec, _paragraph, role), members in blocks:
        if sec != current and sec in sections:
            if current is not None:
                out.append("</section>")
            current = sec
            out.append(f'<section class="sec" data-sec="{sec}">')
            if sec not in spoken_heading and sections[sec].kind != "opening":
                # An unspoken display title (开场/结束语): shown for orientation, not clickable.
                out.append(f'<h2 class="label">{html.escape(sections[sec].title)}</h2>')
        opener, closer = _block_tags(role, sections[sec].level if sec in sections else 1)
        spans = "".join(f'<span class="s" id="s{order[i]}">{html.escape(s.text)}</span>' for i, s in members)
        out.append(opener + spans + closer)
    if current is not None:
        out.append("</section>")
    return "\n".join(out)


def _nav_html(sections: list[SectionEntry]) -> str:
    items = []
    for k, s in enumerate(sections):
        items.append(
            f'<li class="lv{min(s.level, 4)}"><button type="button" id="n{k}" data-k="{k}">'
            f'<span class="nt">{html.escape(s.title)}</span>'
            f'<span class="nd">{_clock(s.end_ms - s.start_ms)}</span></button></li>'
        )
    return "\n".join(items)


def _links_html(manifest: Manifest) -> str:
    f = manifest.files
    links = [(f.full, "完整音频"), (f.m4b, "有声书 M4B"), (f.playlist, "播放列表"), (f.srt, "SRT 字幕"), (f.lrc, "LRC 歌词")]
    return " · ".join(f'<a href="{_href(name)}">{label}</a>' for k, (name, label) in enumerate(links) if name and (k == 0 or name != f.full))


def _json_for_script(data: object) -> str:
    """JSON safe inside <script>: no '</script', no '<!--', no HTML entities can form."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def page_data(manifest: Manifest) -> tuple[dict, list[Sentence], dict[int, int]]:
    """What the script needs, plus the sentences in reading order and each one's rank in time."""
    tracks = _tracks(manifest)
    starts = [t.start_ms for t in tracks]
    said = sentences(manifest.chunks)
    by_time = sorted(range(len(said)), key=lambda i: said[i].start_ms)
    order = {i: rank for rank, i in enumerate(by_time)}
    sections = sorted(manifest.sections, key=lambda s: s.start_ms)
    data = {
        "key": storage_key(manifest),
        "title": manifest.title,
        "tracks": [{"src": _href(t.file), "title": t.title, "start": t.start_ms, "end": t.end_ms} for t in tracks],
        "sections": [{"title": s.title, "start": s.start_ms, "end": s.end_ms, "track": _track_of(starts, s.start_ms)} for s in sections],
        "sentences": {
            "start": [said[i].start_ms for i in by_time],
            "end": [said[i].end_ms for i in by_time],
            "track": [_track_of(starts, said[i].start_ms) for i in by_time],
        },
    }
    return data, said, order


def render_page(manifest: Manifest) -> str:
    """The whole player page for one render, as HTML text."""
    data, said, order = page_data(manifest)
    sections = sorted(manifest.sections, key=lambda s: s.start_ms)
    values = {
        "title": html.escape(manifest.title),
        "nav": _nav_html(sections),
        "count": str(len(sections)),
        "text": _text_html(manifest, said, order),
        "links": _links_html(manifest),
        "duration": _clock(manifest.duration_ms),
        "version": html.escape(manifest.speechcast),
        "data": _json_for_script(data),
    }
    template = resources.files(__package__).joinpath(TEMPLATE_NAME).read_text(encoding="utf-8")
    # One pass, so text inserted for one placeholder is never scanned for another.
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], template)


def _has_display() -> bool:
    """Linux/BSD without X or Wayland is a server or a container: webbrowser would pick a text
    browser there (or nothing), so we print the path instead."""
    if sys.platform.startswith(("win", "darwin")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def find_page(path: Path, output_dir_for: Callable[[Path], Path] | None = None) -> Path:
    """The player page for an output folder, an index.html, or (through output_dir_for) a
    manuscript."""
    path = Path(path)
    if path.is_dir():
        page = path / PAGE_NAME
    elif path.name == PAGE_NAME:
        page = path
    elif path.is_file() and output_dir_for is not None:
        page = Path(output_dir_for(path)) / PAGE_NAME
    else:
        raise OutputError(
            "{path} is neither an output folder nor a manuscript: give the folder `speechcast render` wrote, or the manuscript you rendered.", path=path
        )
    if not page.is_file():
        raise OutputError("No player page in {parent}: render it first with `speechcast render MANUSCRIPT`.", parent=page.parent)
    return page.resolve()


def open_target(path: Path, output_dir_for: Callable[[Path], Path] | None = None) -> str:
    """Open the player page in the default browser; return the line the CLI prints: a note that
    it opened, or just the page's path where no browser can be shown."""
    page = find_page(path, output_dir_for)
    if _has_display():
        try:
            if webbrowser.open(page.as_uri()):
                return f"Opened {page} in your browser."
        except webbrowser.Error:
            pass
    return str(page)
