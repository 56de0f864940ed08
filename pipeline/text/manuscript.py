"""The front end in one call: a manuscript file in, a Script out (load → clean → structure).

Only a script speechcast wrote (`outline -o`, marked on its first line) is taken as given: every
other file, Markdown included, is a manuscript to clean and structure.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from ..errors import InputError
from ..model import Script, Section
from .clean import Cleaned, Kept, clean
from .readers import Reading, reader_for
from .structure import build_script

_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def load_script(path: str | Path, *, appendix: bool = False, keep: Kept = frozenset(), drop: Kept = frozenset()) -> Script:
    """Read a manuscript (any format a reader of `text/readers.py` reads: cleaned and structured) or
    a script of ours (taken as given). With `appendix`, appendices after the speech are spoken as sections of their own; the
    removed pieces named in `keep` ((line, text), as the report gave them) stay in the speech, the
    kept lines named in `drop` go."""
    path = Path(path)
    cleaned = read_cleaned(path, keep, drop)
    script = build_script(cleaned, source=str(path)) if isinstance(cleaned, Cleaned) else cleaned
    return _checked(script, path, appendix)


def read_cleaned(path: Path, keep: Kept = frozenset(), drop: Kept = frozenset()) -> Cleaned | Script:
    """The manuscript read by the reader its format needs and cleaned; a script of ours as given."""
    source = read_source(path)
    return source if isinstance(source, Script) else clean(source.source, source.removed, keep=keep, drop=drop)


def read_source(path: Path) -> Reading | Script:
    """What the reader of the file's format gives: its text or blocks, and the markup it took out."""
    return reader_for(path).read(path)


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
