"""Manuscripts handed to the web app, on their way to a render: the upload kept under a name of our
own, what the front end understood, the lines a person put back and the script as they edited it.

A file's name is only ever shown: it is stored as `<workspace>/<random id>/manuscript<suffix>`, the
suffix one of the formats speechcast reads, and the output folder is named with safe_filename.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..errors import InputError
from ..model import Script
from ..publish.staging import atomic_write_text, safe_filename

#: Uploads larger than this are refused unless `serve --max-upload` says otherwise (bytes).
DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024


@dataclass
class Draft:
    id: str
    name: str
    """The file name as the browser sent it (display only), or a name made from a pasted title."""
    folder: Path
    source: Path
    """The manuscript as uploaded (or pasted, as .txt)."""
    stem: str
    """The manuscript's name in the output folder: OUTPUT/<stem>/<voice>/."""
    kept: set[tuple[int, str]] = field(default_factory=set)
    """Removed pieces a person put back, as (line, text) of the front end's report."""
    dropped: set[tuple[int, str]] = field(default_factory=set)
    """Lines kept as unsure that the person took out."""
    script_md: str = ""
    """The editable script now: the front end's reading, or the person's edit of it."""
    edited: bool = False


class Drafts:
    """The manuscripts of one running app, held in memory over files in `root`."""

    def __init__(self, root: Path, read_seconds: float) -> None:
        self.root = root
        self.read_seconds = read_seconds
        self._drafts: dict[str, Draft] = {}
        self._lock = threading.Lock()

    def add_file(self, name: str, data: bytes) -> Draft:
        """A manuscript uploaded as a file; InputError (naming the file, not our path) if it is no manuscript."""
        if not data.strip():
            raise InputError("{display} is empty: choose the file that holds the manuscript.", display=_display(name))
        return self._read(_display(name), _suffix(name, data), data)

    def add_text(self, text: str) -> Draft:
        """A manuscript pasted as text."""
        if not text.strip():
            raise InputError("Nothing was pasted: paste the manuscript's text, or choose a file.")
        draft = self._read("pasted.txt", ".txt", text.encode("utf-8"))
        title = self.script(draft).title
        if title:  # named for its title, as the renders of it will be found
            draft.name, draft.stem = f"{title[:60]}.txt", safe_filename(title, fallback="manuscript")
        return draft

    def _read(self, name: str, suffix: str, data: bytes) -> Draft:
        draft_id = secrets.token_hex(8)
        folder = self.root / draft_id
        folder.mkdir(parents=True)
        source = folder / f"manuscript{suffix}"
        draft = Draft(draft_id, name, folder, source, safe_filename(Path(_display(name)).stem, fallback="manuscript"))
        try:
            source.write_bytes(data)
            self._reread(draft)
        except BaseException:  # whatever stopped it (a bad file, a full disk, a bug): no folder stays behind
            _remove(folder)
            raise
        with self._lock:
            self._drafts[draft_id] = draft
        return draft

    def from_script(self, stem: str, markdown: str) -> Draft:
        """A render's own script (from its manifest), to render again in another voice."""
        draft_id = secrets.token_hex(8)
        folder = self.root / draft_id
        folder.mkdir(parents=True)
        source = folder / "manuscript.md"
        try:
            source.write_text(markdown, encoding="utf-8")
        except BaseException:
            _remove(folder)
            raise
        draft = Draft(draft_id, f"{stem}.md", folder, source, safe_filename(stem, fallback="manuscript"), script_md=markdown)
        with self._lock:
            self._drafts[draft_id] = draft
        return draft

    def get(self, draft_id: str) -> Draft:
        with self._lock:
            draft = self._drafts.get(draft_id)
        if draft is None:
            raise KeyError(draft_id)
        return draft

    def restore(self, draft: Draft, line: int, text: str) -> Draft:
        """Put one removed piece back: the front end reads the manuscript again, keeping it."""
        draft.kept.add((line, text))
        try:
            self._reread(draft)
        except InputError:
            draft.kept.discard((line, text))
            raise
        return draft

    def remove(self, draft: Draft, line: int, text: str) -> Draft:
        """Take out one line the front end kept but doubted: the manuscript is read again without it."""
        draft.dropped.add((line, text))
        self._reread(draft)
        return draft

    def edit(self, draft: Draft, markdown: str) -> Script:
        """The person's script; the outline follows it."""
        from ..text.scriptmd import SCRIPT_MARK, from_markdown, is_script

        if not is_script(markdown):
            markdown = f"{SCRIPT_MARK}\n\n{markdown.lstrip()}"  # a pasted-over editor lost the mark: it is still ours
        script = from_markdown(markdown, source=draft.name)
        draft.script_md, draft.edited = markdown, True
        return script

    def set_reading(self, draft: Draft, word: str, reading: str) -> Script:
        """How `word` is read in this speech, set in the script's own 读音 lines (InputError, saying
        what to write, for a reading that cannot be one); the rest of the script is left as it is."""
        from ..text.readings import entry
        from ..text.scriptmd import with_reading

        (line,) = entry(word, reading).lines()
        draft.script_md = with_reading(draft.script_md, *line.split(" = ", 1))
        return self.script(draft)

    def script(self, draft: Draft) -> Script:
        from ..text.scriptmd import from_markdown

        return from_markdown(draft.script_md, source=draft.name)

    def write_script(self, draft: Draft) -> Path:
        """The script as it is now, as the file a render reads: a new file for every render asked
        for, so a later edit cannot change the bytes a queued render records as its source. Its
        name gives the output folder its name."""
        path = draft.folder / f"render-{secrets.token_hex(4)}" / f"{draft.stem}.md"
        path.parent.mkdir()
        atomic_write_text(path, draft.script_md)
        return path

    def _reread(self, draft: Draft) -> None:
        from .isolated import script_markdown

        # In a process of its own, with a deadline and a memory ceiling: a file a stranger sent.
        draft.script_md = script_markdown(draft.source, draft.name, frozenset(draft.kept), frozenset(draft.dropped), self.read_seconds)
        draft.edited = False


def _display(name: str) -> str:
    """The last part of whatever path the browser sent, for showing only."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name.strip()
    return base or "manuscript.txt"


def _suffix(name: str, data: bytes) -> str:
    """A suffix speechcast reads, from the name when it is one, else from the first bytes."""
    from ..text.readers import READABLE, sniffed

    suffix = Path(_display(name)).suffix.lower()
    if suffix in READABLE:
        return suffix
    reader = sniffed(data[:512])
    if reader is not None:
        return reader.suffixes[0]
    if data.startswith(b"PK\x03\x04"):  # a zip no reader claims by its first bytes: most likely a .docx
        return ".docx"
    return ".txt"


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
