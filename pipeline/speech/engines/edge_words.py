"""Cutting one Edge answer back into the texts it was asked for, in the pauses its word boundaries show.

Neighbouring sentences share one request (fewer round trips, and each sentence read in its
context); the service reports where each word is spoken, so the answer can be cut in the silence
between one text's last word and the next one's first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

_SENTENCE_END = re.compile(r"(?:[。！？!?.]|……)[”’」』）》】\"')\]]*\s*$")
_OPEN_END = re.compile(r"[，,、；;：:—\-\s]+$")
_WORD = re.compile(r"\w+")
_MIN_PAUSE = 0.05
"""Seconds of silence between two texts' words for a cut there to be clean (a voice pauses 0.2–0.6 s
after a sentence, not at all between words)."""
_WORD_SKIP = 8
"""A word boundary may pass over this many characters the service did not report as words (it
reads numbers, say, its own way); further than that, the words no longer tell where a text ends."""


@dataclass(frozen=True)
class Word:
    """One word boundary the service reported: its text and where it is spoken, in seconds."""

    text: str
    start: float
    end: float


def ended(text: str) -> str:
    """`text` closed as a sentence, for a shared request: a heading, the salutation or a piece of a
    long sentence then ends with the fall and the pause it has when spoken alone, and the answer
    can be cut in that pause."""
    if _SENTENCE_END.search(text):
        return text
    stem = _OPEN_END.sub("", text)
    return stem + ("." if stem[-1].isascii() else "。")


def _plain(text: str) -> str:
    """Letters and digits only: word boundaries carry no punctuation or spaces."""
    return "".join(_WORD.findall(text)).lower()


def cut_times(texts: Sequence[str], words: Sequence[Word]) -> list[float | None]:
    """For each pair of neighbouring texts, where the answer passes from one to the other: the
    middle of the silence between the last word of the first and the first word of the second.
    None where the words do not show it (a word spanning both, none found on one side, or no
    pause between them)."""
    plain = "".join(_plain(t) for t in texts)
    ends = list(accumulate(len(_plain(t)) for t in texts))
    found: list[tuple[int, int, Word]] = []
    position = 0
    for word in words:
        text = _plain(word.text)
        at = plain.find(text, position, position + _WORD_SKIP + len(text)) if text else -1
        if at >= 0:
            found.append((at, at + len(text), word))
            position = at + len(text)
    times: list[float | None] = []
    for index, boundary in enumerate(ends[:-1]):
        start_of_text = ends[index - 1] if index else 0
        before = [f for f in found if f[1] <= boundary]
        after = [f for f in found if f[0] >= boundary]
        spanning = any(f[0] < boundary < f[1] for f in found)
        if spanning or not before or not after or before[-1][1] <= start_of_text or after[0][0] >= ends[index + 1]:
            times.append(None)
            continue
        last, first = before[-1][2], after[0][2]
        times.append((last.end + first.start) / 2 if first.start - last.end >= _MIN_PAUSE else None)
    return times
