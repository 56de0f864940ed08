"""Lines that belong together: a paragraph the format broke softly, or a copy hard-wrapped at a margin.

A sentence broken across lines is joined without adding or dropping a character; a line that ends a
sentence, a byline, and a line that opens a heading stay apart, so two paragraphs are never joined.
"""

from __future__ import annotations

import re

from .blocks import Block
from .markers import CLOSING_HEADING, marker

PARAGRAPH_END = re.compile(r"[。！？!?：:；;…”’」』）)】》]$")
WRAP_SHARE = 0.9
"""A line at least this share of the usual full line's length runs to the margin."""
WRAP_MIN_BREAKS = 3
"""Lines running to the margin mid-sentence before a manuscript counts as hard-wrapped."""


_BYLINE_MAX = 20
_ANY_PUNCT = re.compile(r"[，。、；：！？,.;:!?（）()《》“”]")


def _name_or_date(text: str) -> bool:
    """A short line with no punctuation (国务院总理 李克强, 2023年3月5日) stands alone: it is no sentence."""
    return len(text) <= _BYLINE_MAX and not _ANY_PUNCT.search(text)


def join_continued(blocks: list[Block]) -> list[Block]:
    """Lines the format put in one paragraph (Markdown's soft breaks) joined where the sentence runs
    on: not after a line that ends a sentence or a byline, not before a line that opens a heading."""
    out: list[Block] = []
    for block in blocks:
        previous = out[-1] if out else None
        if (
            previous is not None
            and block.continues
            and not PARAGRAPH_END.search(previous.text)
            and not previous.text.startswith(("—", "－"))
            and not _name_or_date(previous.text)
            and marker(block.text) is None
        ):
            out[-1] = previous.with_text(previous.text + gap(previous.text, block.text) + block.text)
        else:
            out.append(block)
    return out


def gap(before: str, after: str) -> str:
    """Chinese lines join with nothing; Latin words keep a space between."""
    return " " if before[-1:].isascii() and before[-1:].isalnum() and after[:1].isascii() and after[:1].isalnum() else ""


def rejoin_wrapped(lines: list[Block]) -> tuple[list[Block], int]:
    """Paragraphs of a hard-wrapped copy joined back together, and how many line breaks went.

    Text copied out of a PDF breaks every line at the page margin, mid-sentence: read as they are,
    those lines would be paragraphs, with a paragraph's pause in the middle of each sentence. A line
    is continued by the next when it reaches the margin without ending a sentence and the next does
    not open a heading; a manuscript counts as wrapped only when several lines do so (a paragraph
    that merely lacks its full stop is left alone). A paragraph whose last line happens to end at
    the margin with a full stop cannot be told from two paragraphs, and stays two.
    """
    lengths = sorted(len(b.text) for b in lines)
    if len(lengths) < WRAP_MIN_BREAKS:
        return lines, 0
    margin = WRAP_SHARE * lengths[(len(lengths) * 3) // 4]

    def runs_on(text: str) -> bool:
        return len(text) >= margin and not PARAGRAPH_END.search(text)

    if sum(runs_on(b.text) for b in lines) < WRAP_MIN_BREAKS:
        return lines, 0
    out: list[Block] = []
    joined = 0
    previous = ""
    for block in lines:
        text = block.text
        joinable = out and out[-1].kind != "heading" and block.kind != "heading"
        if joinable and runs_on(previous) and marker(text) is None and not CLOSING_HEADING.match(text):
            gap = " " if previous[-1].isascii() and previous[-1].isalpha() and text[0].isascii() and text[0].isalpha() else ""
            out[-1] = out[-1].with_text(out[-1].text + gap + text)
            joined += 1
        else:
            out.append(block)
        previous = text
    return out, joined
