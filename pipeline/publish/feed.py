"""A podcast feed over an output folder: RSS 2.0 with the iTunes namespace, one item per render (or
per section track), and Podcasting 2.0 chapters, so a phone's podcast app can subscribe.

Everything comes from the renders' manifests: the title, the voice, the duration, the sections; the
publication date is when the manifest was written. An enclosure is the base URL joined with the
file's path relative to the output folder, percent-encoded, with its exact length. Chapter files go
into OUTPUT/chapters/ beside feed.xml; both are written whole or not at all.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from ..errors import InputError
from ..text.hanzi import is_traditional
from .manifest import MANIFEST, Manifest, Unreadable, read_manifest
from .staging import atomic_write_text

FEED_NAME = "feed.xml"
CHAPTERS_FOLDER = "chapters"
COVER_NAME = "cover.jpg"
"""The podcast's image, when one is put beside the feed."""
_MIME = {".mp3": "audio/mpeg", ".m4b": "audio/x-m4a"}
"""Enclosure types by suffix (Apple's podcast directory names audio/x-m4a for AAC in MP4)."""
_NAMESPACES = 'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:podcast="https://podcastindex.org/namespace/1.0"'


@dataclass(frozen=True)
class Episode:
    title: str
    file: Path
    duration_ms: int
    published: float
    """Seconds since the epoch."""
    guid: str
    chapters: list[tuple[int, str]]
    """(start ms, title) within the file."""
    description: str
    speaker: str = ""
    """Who gave the speech, when its title block says (the item's itunes:author)."""
    episode: int = 0
    """With --tracks, the track's number in its speech (itunes:episode), so apps keep them in order."""
    season: int = 0
    """With --tracks, the speech's number, oldest first (itunes:season): an app groups its tracks."""


DEFAULT_TITLE = "讲话录音 · speechcast"
_GENERIC_FOLDERS = frozenset({"output", "out", "renders", "speechcast"})


@dataclass(frozen=True)
class Feed:
    """A feed as text: the RSS, and its chapter files by name (each goes to CHAPTERS_FOLDER/NAME)."""

    xml: str
    chapters: dict[str, str]


def build_feed(root: Path, base_url: str, *, tracks: bool = False, title: str = "", author: str = "speechcast", language: str = "",
               warn: Callable[[str], None] | None = None) -> Feed:  # fmt: skip
    """The feed of every render under `root`, its links under `base_url` (a feed with no episode when
    there is none). A render whose manifest cannot be trusted is left out, and `warn` told which and why.
    The language is zh-tw when most titles are in traditional characters, else zh-cn, unless given."""
    root = Path(root)
    if not base_url.lower().startswith(("http://", "https://")):
        raise InputError("--base-url must be an http:// or https:// address such as http://192.168.1.5:8000/, not '{base_url}'.", base_url=base_url)
    if language and not _LANGUAGE.fullmatch(language):
        raise InputError("--language must be a language tag such as zh-cn, zh-tw or en, not '{language}'.", language=language)
    episodes = sorted(_episodes(root, tracks, warn or (lambda _: None)), key=lambda e: (-e.published, e.title))
    base = base_url.rstrip("/") + "/"
    chapters = {f"{e.guid[:16]}.json": json.dumps(_chapters(e), ensure_ascii=False, indent=2) + "\n" for e in episodes}
    items = [_item(e, base, root, root / CHAPTERS_FOLDER / f"{e.guid[:16]}.json") for e in episodes]
    # A folder's name is the title when it says something (会议录音/); the default output folder's does not.
    named = root.resolve().name
    channel_title = title or (named if named.lower() not in _GENERIC_FOLDERS else DEFAULT_TITLE)
    image = root / COVER_NAME
    feed = "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<rss version=\"2.0\" {_NAMESPACES}>",
        "<channel>",
        f"<title>{escape(channel_title)}</title>",
        f"<link>{escape(base)}</link>",
        f"<description>{escape(f'{channel_title}: speeches rendered by speechcast')}</description>",
        f"<language>{escape(language or _language(episodes))}</language>",
        f"<itunes:author>{escape(author)}</itunes:author>",
        "<itunes:explicit>false</itunes:explicit>",
        *(["<itunes:type>serial</itunes:type>"] if tracks else []),
        *([f"<itunes:image href={quoteattr(base + _path(image, root))}/>"] if image.is_file() else []),
        *items,
        "</channel>",
        "</rss>",
    ])  # fmt: skip
    return Feed(feed + "\n", chapters)


def write_feed(root: Path, base_url: str, *, tracks: bool = False, title: str = "", author: str = "speechcast", language: str = "",
               warn: Callable[[str], None] | None = None) -> Path:  # fmt: skip
    """OUTPUT/feed.xml (and its chapter files) for every render under `root`. Raises InputError when
    there is none."""
    feed = build_feed(root, base_url, tracks=tracks, title=title, author=author, language=language, warn=warn)
    if not feed.chapters:
        raise InputError("{root} holds no render (no */*/manifest.json): render a manuscript into it first, then make its feed.", root=root)
    (root / CHAPTERS_FOLDER).mkdir(exist_ok=True)
    for name, text in feed.chapters.items():
        atomic_write_text(root / CHAPTERS_FOLDER / name, text)
    target = root / FEED_NAME
    atomic_write_text(target, feed.xml)
    return target


def _episodes(root: Path, tracks: bool, warn: Callable[[str], None]) -> list[Episode]:
    episodes = []
    for season, (published, folder, render) in enumerate(_renders(root, warn), 1):
        voice = render.voice.preset or render.voice.voice
        sections = [(s.start_ms, s.title, s.track) for s in render.sections]
        byline = " · ".join(x for x in (render.speaker, render.date) if x)
        lead = f"{byline}。" if byline else ""
        if not tracks:
            episodes.append(Episode(f"{render.title}（{voice}）", folder / render.files.full, render.duration_ms, published,
                                    _guid(folder, render.files.full, render.render_key), [(start, t) for start, t, _ in sections],
                                    lead + " · ".join(t for _, t, _ in sections), render.speaker))  # fmt: skip
            continue
        for track in render.tracks:
            own = [(start - track.start_ms, t) for start, t, n in sections if n == track.number]
            # A second apart (a feed's dates are whole seconds), in the order they are heard.
            episodes.append(Episode(f"{render.title} · {track.title}（{voice}）", folder / track.file,
                                    track.end_ms - track.start_ms, published + track.number,
                                    _guid(folder, track.file, render.render_key), own, lead + track.title, render.speaker, track.number, season))  # fmt: skip
    return [e for e in episodes if e.file.is_file()]


_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


def _language(episodes: list[Episode]) -> str:
    return "zh-tw" if is_traditional("".join(e.title + e.description for e in episodes)) else "zh-cn"


def _renders(root: Path, warn: Callable[[str], None]) -> list[tuple[float, Path, Manifest]]:
    """(when written, folder, manifest) of every render under `root` we can trust, oldest first."""
    found = []
    for manifest_path in sorted(root.glob(f"*/*/{MANIFEST}")):
        folder = manifest_path.parent
        if folder.is_symlink() or folder.parent.is_symlink():
            continue  # a link is not a render of the folder's own (the library serves none through one)
        try:
            render = read_manifest(folder)
            published = manifest_path.stat().st_mtime
        except Unreadable as exc:
            warn(f"{exc}; it is left out of the feed.")
            continue
        except OSError:
            continue  # gone since the folder was listed
        if render is not None:
            found.append((published, folder, render))
    return sorted(found, key=lambda r: (r[0], str(r[1])))


def _guid(folder: Path, name: str, render_key: str) -> str:
    """The same render of the same file keeps its guid; a new render of it gets a new one."""
    return hashlib.sha256(f"{folder.parent.name}/{folder.name}/{name}\n{render_key}".encode()).hexdigest()


def _path(file: Path, root: Path) -> str:
    return "/".join(quote(part) for part in file.relative_to(root).parts)


def _item(episode: Episode, base: str, root: Path, chapters: Path) -> str:
    seconds = round(episode.duration_ms / 1000)
    duration = f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return "\n".join([
        "<item>",
        f"<title>{escape(episode.title)}</title>",
        f"<description>{escape(episode.description)}</description>",
        f"<enclosure url={quoteattr(base + _path(episode.file, root))} length=\"{episode.file.stat().st_size}\" type=\"{_MIME.get(episode.file.suffix, 'audio/mpeg')}\"/>",
        f"<guid isPermaLink=\"false\">{episode.guid}</guid>",
        f"<pubDate>{email.utils.formatdate(episode.published, usegmt=True)}</pubDate>",
        f"<itunes:duration>{duration}</itunes:duration>",
        *([f"<itunes:author>{escape(episode.speaker)}</itunes:author>"] if episode.speaker else []),
        *([f"<itunes:season>{episode.season}</itunes:season>"] if episode.season else []),
        *([f"<itunes:episode>{episode.episode}</itunes:episode>"] if episode.episode else []),
        "<itunes:explicit>false</itunes:explicit>",
        f"<podcast:chapters url={quoteattr(base + _path(chapters, root))} type=\"application/json+chapters\"/>",
        "</item>",
    ])  # fmt: skip


def _chapters(episode: Episode) -> dict[str, Any]:
    """Podcasting 2.0 chapters (version 1.2.0): a start time in seconds and a title each."""
    return {"version": "1.2.0", "chapters": [{"startTime": round(start / 1000, 3), "title": title} for start, title in episode.chapters]}
