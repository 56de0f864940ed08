"""The front end in one call: a manuscript file in, a Script out (load → clean → structure)."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from ..model import Script
from .clean import clean
from .load import read_text
from .scriptmd import from_markdown
from .structure import build_script

_MARKDOWN = frozenset({".md", ".markdown"})
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def load_script(path: str | Path) -> Script:
    """Read a .txt/.docx manuscript (cleaned and structured) or a .md script (taken as given)."""
    path = Path(path)
    text = read_text(path)
    if path.suffix.lower() in _MARKDOWN:
        script = from_markdown(text, source=str(path))
    else:
        script = build_script(clean(text), source=str(path))
    spoken = script.title + script.salutation + "".join(p for s in script.sections for p in s.paragraphs)
    if not _CHINESE.search(spoken):
        raise InputError(
            f"{path} holds no Chinese speech after cleaning ({len(script.removed)} lines or fragments were "
            "removed as adverts or page furniture): check the file, or write a script with `speechcast outline`."
        )
    return script
