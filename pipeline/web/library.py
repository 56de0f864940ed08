"""The render library: every finished render in the output root (OUTPUT/<manuscript>/<voice>/ with
its manifest), and the one way a request reaches a file there.

`library_file` is the only door: a path of plain names (no "..", no absolute path, no hidden file),
every step of it a real folder or file inside the root (a symlink anywhere on the way is refused,
whatever it points at), ending at a file a render's manifest lists or the podcast feed.
"""

from __future__ import annotations

import logging
import os
import stat
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

from ..publish.manifest import MANIFEST, Manifest, Unreadable, plain_name, read_manifest

log = logging.getLogger("speechcast.serve")


def trusted(folder: Path) -> Manifest | None:
    """The render in `folder`, or None when it has none or one we cannot trust (left out of the
    library, said once in the server's log)."""
    try:
        return read_manifest(folder)
    except Unreadable as exc:
        log.warning("left out of the library: %s", exc)
        return None


def entries(root: Path) -> list[dict[str, Any]]:
    """Every render in `root`, newest first, as the page lists them."""
    found = []
    for path in root.glob(f"*/*/{MANIFEST}"):
        folder = path.parent
        if _inside(root, folder) is None:
            continue
        manifest = trusted(folder)
        if manifest is None:
            continue
        found.append((path.stat().st_mtime, entry(folder, manifest)))
    return [e for _, e in sorted(found, key=lambda item: item[0], reverse=True)]


def entry(folder: Path, render: Manifest) -> dict[str, Any]:
    """One render as the page shows it: what it is and the links to its files."""
    key = f"{folder.parent.name}/{folder.name}"

    def link(name: str) -> str | None:
        return f"/files/{_quote(key)}/{_quote(name)}" if name else None

    return {
        "id": key,
        "title": render.title,
        "source": render.source.name,
        "folder": folder.parent.name,
        "voice": render.voice.preset,
        "engine": render.engine,
        "duration_ms": render.duration_ms,
        "date": _date(folder),
        "full": link(render.files.full),
        "player": link(render.files.player),
        "m4b": link(render.files.m4b),
        "srt": link(render.files.srt),
        "lrc": link(render.files.lrc),
        "zip": f"/zip/{_quote(key)}",
        "tracks": [{"title": t.title, "url": link(t.file)} for t in render.tracks],
        # How it was made, so two renders of one speech can be told apart.
        "settings": {
            "rate": render.voice.rate,
            "pitch": render.voice.pitch,
            "formats": list(render.settings.formats),
            "loudness": render.settings.loudness,
            "cover": render.settings.cover,
        },
    }


def _date(folder: Path) -> str:
    import datetime

    mtime = (folder / MANIFEST).stat().st_mtime
    return datetime.datetime.fromtimestamp(mtime).strftime("%Y-%m-%d %H:%M")


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="/")


def _inside(root: Path, target: Path) -> Path | None:
    """`target` when every step from `root` to it is a real folder or file (no symlink), else None."""
    try:
        relative = target.relative_to(root)
    except ValueError:
        return None
    here = root
    for part in relative.parts:
        if not plain_name(part):
            return None
        here = here / part
        try:
            mode = os.lstat(here).st_mode
        except OSError:
            return None
        if stat.S_ISLNK(mode):
            return None
    return here


def library_file(root: Path, path: str) -> Path | None:
    """The file `path` (as in /files/<path>) names in the library, or None: the caller answers 404."""
    from ..publish.feed import CHAPTERS_FOLDER, COVER_NAME, FEED_NAME

    parts = path.split("/")
    if not path or any(not plain_name(p) for p in parts):
        return None
    # The podcast feed, its cover and its chapters, when `speechcast feed` wrote them.
    feed = parts in ([FEED_NAME], [COVER_NAME]) or (len(parts) == 2 and parts[0] == CHAPTERS_FOLDER and parts[1].endswith(".json"))
    if feed:
        target = _inside(root, root.joinpath(*parts))
        return target if target is not None and stat.S_ISREG(os.lstat(target).st_mode) else None
    if len(parts) != 3:
        return None
    folder = _inside(root, root / parts[0] / parts[1])
    manifest = trusted(folder) if folder is not None else None
    if folder is None or manifest is None or parts[2] not in manifest.files_written():
        return None
    target = _inside(root, folder / parts[2])
    return target if target is not None and stat.S_ISREG(os.lstat(target).st_mode) else None


def render_folder(root: Path, key: str) -> tuple[Path, Manifest] | None:
    """(folder, manifest) of the render "<manuscript>/<voice>", or None."""
    parts = key.split("/")
    if len(parts) != 2 or any(not plain_name(p) for p in parts):
        return None
    folder = _inside(root, root / parts[0] / parts[1])
    manifest = trusted(folder) if folder is not None else None
    return (folder, manifest) if folder is not None and manifest is not None else None


def write_zip(folder: Path, manifest: Manifest, out: BinaryIO) -> None:
    """Every file of the render into one zip under a folder named for it; MP3s stored as they are
    (they do not compress), text deflated."""
    base = f"{folder.parent.name}-{folder.name}"
    with zipfile.ZipFile(out, "w") as archive:
        for name in manifest.files_written():
            path = _inside(folder, folder / name)
            if path is None or not path.is_file():
                continue
            method = zipfile.ZIP_STORED if name.endswith(".mp3") else zipfile.ZIP_DEFLATED
            archive.write(path, f"{base}/{name}", compress_type=method)
