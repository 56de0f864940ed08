"""The readers: one for each format a manuscript comes in, behind one interface.

Each reader says what it reads — the suffixes, and for formats that carry a signature, a sniff of
the file's first bytes (a PDF renamed .txt is still read as a PDF) — and reads a file to a `Reading`:
its text or its blocks, and the markup it took out on the way. `reader_for` picks the reader of a
file; `load_script` is a loop over it. Adding a format is one class here (docs/architecture.md,
"Adding a reader").
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from ..errors import InputError
from ..model import RemovedLine, Script
from .blocks import Block

TEXT_BYTES_MAX = 8 * 1024 * 1024
"""A manuscript in text, Markdown or HTML is at most this large: a three-hour report is about 150 KB
of text, and every stage after reading grows with the size (a 20 MB page took half a minute and
750 MB to read)."""


@dataclass
class Reading:
    """What a reader gives: the manuscript's text (plain text) or its blocks, and what it took out."""

    source: str | list[Block]
    removed: list[RemovedLine] = field(default_factory=list)


class Reader(ABC):
    """One format of manuscript."""

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]
    """The suffixes it reads, the usual one first (that one names the format in messages)."""

    def sniffs(self, head: bytes) -> bool:
        """Whether the file's first bytes are this format's, whatever the file is called."""
        return False

    @abstractmethod
    def read(self, path: Path) -> Reading | Script:
        """The manuscript at `path` (a Script when it is a script speechcast wrote, taken as given)."""


class PdfReader(Reader):
    name, suffixes = "PDF", (".pdf",)

    def sniffs(self, head: bytes) -> bool:
        return head.startswith(b"%PDF-")

    def read(self, path: Path) -> Reading:
        from .pdf import pdf_blocks

        return Reading(*pdf_blocks(path))


class WordReader(Reader):
    name, suffixes = "Word", (".docx", ".doc", ".wps")

    def sniffs(self, head: bytes) -> bool:
        from .word import OLE_SIGNATURE  # (a Word 97–2003 or WPS file)

        return head.startswith(OLE_SIGNATURE)

    def read(self, path: Path) -> Reading:
        from .word import word_blocks

        return Reading(word_blocks(_existing(path)))


class WebPageReader(Reader):
    name, suffixes = "web page", (".html", ".htm", ".xhtml", ".mhtml", ".mht")

    def sniffs(self, head: bytes) -> bool:
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        return start.startswith((b"<!doctype html", b"<html"))

    def read(self, path: Path) -> Reading:
        from .webpage import webpage_blocks

        _within_size(path)
        return Reading(*webpage_blocks(_existing(path)))


class OfdReader(Reader):
    name, suffixes = "OFD", (".ofd",)

    def read(self, path: Path) -> Reading:
        from .ofd import ofd_paragraphs

        # A paragraph a block (its lines joined by where they start on the page), numbered in order.
        return Reading([Block(text, n) for n, text in enumerate(ofd_paragraphs(_existing(path)), 1) if text.strip()])


class TextReader(Reader):
    name, suffixes = "text", (".txt", ".text")

    def read(self, path: Path) -> Reading | Script:
        from .load import read_text
        from .scriptmd import from_markdown, is_script

        _within_size(path)
        text = read_text(path)
        if is_script(text):  # a script speechcast wrote, whatever its suffix: taken as given
            return from_markdown(text, source=str(path))
        return self.parse(text)

    def parse(self, text: str) -> Reading:
        return Reading(text)


class MarkdownReader(TextReader):
    name, suffixes = "Markdown", (".md", ".markdown")

    def parse(self, text: str) -> Reading:
        from .markdown import markdown_blocks

        return Reading(*markdown_blocks(text))


_TEXT = TextReader()
READERS: tuple[Reader, ...] = (_TEXT, MarkdownReader(), WordReader(), PdfReader(), WebPageReader(), OfdReader())
"""Every reader, the commonest format first (the order messages name them in)."""
READABLE = frozenset(suffix for reader in READERS for suffix in reader.suffixes)
"""What a folder given to `render` or `outline` stands for: the manuscripts with these suffixes."""
FORMATS = "/".join(reader.suffixes[0] for reader in READERS)
"""The formats as messages name them (.txt/.md/.docx/.pdf/.html/.ofd)."""


def reader_for(path: Path) -> Reader:
    """The reader of a file: the one whose signature its first bytes carry (a PDF or a web page saved
    as .txt is read as what it is), else the one its suffix names, else plain text."""
    try:
        with path.open("rb") as file:
            head = file.read(512)
    except OSError:
        head = b""  # the reader says, in one sentence, what is wrong with the path
    suffix = path.suffix.lower()
    return sniffed(head) or next((r for r in READERS if suffix in r.suffixes), _TEXT)


def sniffed(head: bytes) -> Reader | None:
    """The reader whose format's signature the first bytes `head` carry, if any."""
    return next((r for r in READERS if r.sniffs(head)), None)


def _within_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError:
        return  # the reader says what is wrong with it
    if size > TEXT_BYTES_MAX:
        raise InputError(
            "{path} is {mb} MB, far more than any speech (a three-hour report is about 150 KB of text): "
            "check that it is the right file, or split it into the speeches it holds.",
            path=path,
            mb=size // (1024 * 1024),
        )


def _existing(path: Path) -> Path:
    if not path.is_file():
        from .load import read_text

        read_text(path)  # says, in one sentence, what is wrong with the path
    return path
