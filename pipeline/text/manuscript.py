"""The front end in one call: a manuscript file in, a Script out (load → clean → structure).

Only a script speechcast wrote (`outline -o`, marked on its first line) is taken as given: every
other file, Markdown included, is a manuscript to clean and structure.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from ..errors import InputError
from ..model import RemovedLine, Script, Section
from .blocks import Block
from .clean import Cleaned, Kept, clean
from .load import read_text
from .scriptmd import from_markdown, is_script
from .structure import build_script
from .word import is_old_word

_MARKDOWN = frozenset({".md", ".markdown"})
_WEB_PAGE = frozenset({".html", ".htm", ".xhtml", ".mhtml", ".mht"})
_WORD = frozenset({".docx", ".doc", ".wps"})
READABLE = frozenset({".txt", ".text"}) | _MARKDOWN | _WEB_PAGE | _WORD | {".pdf"}
"""What a folder given to `render` or `outline` stands for: the manuscripts with these suffixes."""
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def load_script(path: str | Path, *, appendix: bool = False, keep: Kept = frozenset(), drop: Kept = frozenset()) -> Script:
    """Read a manuscript (.txt, .docx, .md: cleaned and structured) or a script of ours (taken as
    given). With `appendix`, appendices after the speech are spoken as sections of their own; the
    removed pieces named in `keep` ((line, text), as the report gave them) stay in the speech, the
    kept lines named in `drop` go."""
    path = Path(path)
    cleaned = read_cleaned(path, keep, drop)
    script = build_script(cleaned, source=str(path)) if isinstance(cleaned, Cleaned) else cleaned
    return _checked(script, path, appendix)


def read_cleaned(path: Path, keep: Kept = frozenset(), drop: Kept = frozenset()) -> Cleaned | Script:
    """The manuscript read by the reader its format needs and cleaned; a script of ours as given."""
    source = read_source(path)
    return source if isinstance(source, Script) else clean(*source, keep=keep, drop=drop)


Source = tuple["str | list[Block]", "list[RemovedLine]"]


def read_source(path: Path) -> Source | Script:
    """What the reader of the file's format gives: its text or blocks, and the markup it took out."""
    if _is_pdf(path):
        from .pdf import pdf_blocks

        return pdf_blocks(path)
    if path.suffix.lower() in _WORD or is_old_word(path):
        from .word import word_blocks

        return word_blocks(_existing(path)), []
    _within_size(path)
    if path.suffix.lower() in _WEB_PAGE:
        from .webpage import webpage_blocks

        return webpage_blocks(_existing(path))
    text = read_text(path)
    if is_script(text):
        return from_markdown(text, source=str(path))
    if path.suffix.lower() in _MARKDOWN:
        from .markdown import markdown_blocks

        return markdown_blocks(text)
    return text, []


TEXT_BYTES_MAX = 8 * 1024 * 1024
"""A manuscript in text, Markdown or HTML is at most this large: a three-hour report is about 150 KB
of text, and every stage after reading grows with the size (a 20 MB page took half a minute and
750 MB to read)."""


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
        read_text(path)  # says, in one sentence, what is wrong with the path
    return path


def _is_pdf(path: Path) -> bool:
    """A PDF by its first bytes, whatever its name says."""
    try:
        with path.open("rb") as f:
            return f.read(5) == b"%PDF-"
    except OSError:
        return False  # read_text says what is wrong with the path


def _checked(script: Script, path: Path, appendix: bool) -> Script:
    spoken = script.title + script.salutation + "".join(p for s in script.sections for p in s.paragraphs)
    if not _CHINESE.search(spoken):
        raise InputError(
            "{path} holds no Chinese speech after cleaning ({count} lines or fragments were removed as adverts or page furniture): "
            "check the file, or write a script with `speechcast outline`.",
            path=path,
            count=len(script.removed),
        )
    return with_appendices(script) if appendix else script


def with_appendices(script: Script) -> Script:
    """`script` with its appendices spoken: each a section of its own after the speech."""
    if not script.appendices:
        return script
    spoken = [Section(a.title, 1, list(a.paragraphs), "section") for a in script.appendices]
    removed = [r for r in script.removed if r.kind != "appendix"]
    return dataclasses.replace(script, sections=[*script.sections, *spoken], appendices=[], removed=removed)
