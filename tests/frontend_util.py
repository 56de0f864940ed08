"""Shared helpers for the front-end tests: where fixtures live, and the two accounting checks."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

from pipeline.model import Chunk, Script
from pipeline.text.clean import Cleaned
from pipeline.text.split import chinese_marks, spoken_heading

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "manuscripts"
CORPUS = Path(__file__).resolve().parent / "corpus"
SEED = "000_f942a4ce7236a7e5"


def corpus_file(suffix: str) -> Path:
    """A file of the seed manuscript (tests/corpus, part of the repository: absence is a failure)."""
    path = CORPUS / f"{SEED}{suffix}"
    assert path.is_file(), f"the seed manuscript is missing: expected {path}"
    return path


def visible(text: str) -> str:
    return re.sub(r"\s", "", text)


def assert_accounted(text: str, cleaned: Cleaned) -> None:
    """Every non-whitespace character of every input line is kept or reported for that line (same
    multiset), and the kept text is the input line with pieces taken out (an ordered subsequence)."""
    kept = dict(cleaned.lines)
    reported: defaultdict[int, list[str]] = defaultdict(list)
    for item in cleaned.removed:
        reported[item.line].append(item.text)
    lines = text.split("\n")
    assert set(kept) | set(reported) <= set(range(1, len(lines) + 1))
    for number, raw in enumerate(lines, 1):
        source = visible(raw)
        assert Counter(source) == Counter(visible(kept.get(number, "") + "".join(reported[number]))), (
            f"line {number} not accounted for: {raw!r} → kept {kept.get(number)!r}, removed {reported[number]!r}"
        )
        rest = iter(source)
        assert all(char in rest for char in visible(kept.get(number, ""))), f"line {number} reordered"


def spoken_text(script: Script) -> str:
    headings_and_paragraphs = "".join(spoken_heading(s) + "".join(s.paragraphs) for s in script.sections)
    return script.title + "".join(script.byline) + script.salutation + headings_and_paragraphs


def assert_chunks_cover(script: Script, chunks: list[Chunk], max_chars: int) -> None:
    assert visible("".join(c.text for c in chunks)) == visible(chinese_marks(spoken_text(script)))
    assert all(c.text.strip() and re.search(r"\w", c.text) for c in chunks), "an empty or punctuation-only chunk"
    assert max(len(c.text) for c in chunks) <= max_chars
