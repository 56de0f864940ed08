"""How long a speech will take before any audio exists: one estimate, for `outline`, `render
--dry-run` and the web page alike. What is heard (punctuation and spaces are silent) at an
average speaking speed, and every pause the render will put between the chunks."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import Chunk, Script
from ..settings import Pauses

CHARS_PER_MINUTE = 260
"""An announcer's pace for Chinese: Edge's voices and espeak-ng's both speak about this fast."""
_ESTIMATE_CHUNK = 200
"""The chunk size the estimate cuts a script at (pauses follow sentences, hardly the cut)."""
_SILENT = re.compile(r"[\s\W_]+")


def spoken_chars(text: str) -> int:
    """Characters a reader actually says (punctuation and spaces excluded)."""
    return len(_SILENT.sub("", text))


def chunks_ms(chunks: Sequence[Chunk], pauses: Pauses) -> int:
    """The chunks spoken one after another, with the pause after each and the lead-in before them."""
    speech = sum(spoken_chars(c.text) for c in chunks) * 60_000 / CHARS_PER_MINUTE
    return round(speech + sum(pauses.after(c.pause_after) for c in chunks) + (pauses.lead_in if chunks else 0))


def script_ms(script: Script, pauses: Pauses | None = None) -> tuple[int, list[int]]:
    """The whole speech, and each of its sections (the title and salutation count to the first)."""
    from .split import split_script

    pauses = pauses or Pauses()
    chunks = split_script(script, max_chars=_ESTIMATE_CHUNK)
    sections = [chunks_ms([c for c in chunks if c.section == k], pauses) for k in range(len(script.sections))]
    return chunks_ms(chunks, pauses), sections
