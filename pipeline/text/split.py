"""Cut a Script into the chunks an engine speaks: sentences, and pieces of sentences too long for it (docs/architecture.md,
"Sentences and chunks").

Invariant: the chunk texts, in order, hold every non-whitespace character of the normalised spoken
script (title, salutation, spoken headings, paragraphs); nothing is dropped, nothing reordered.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from types import ModuleType

from ..model import Chunk, ChunkRole, PauseKind, Script, Section

_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_ELLIPSIS = re.compile(r"\.{3,}|。{3,}|[…⋯]+")
_DASH = re.compile(r"-{2,}")
_ASCII_PUNCT = re.compile(rf"(?<=[{_CJK}])[;,!?:](?!\d)|[;,!?:](?=[{_CJK}])")
_WIDE = dict(zip(";,!?:", "；，！？："))
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

_SENTENCE = re.compile(r".*?(?:……|[。！？])+[”’」』）》】\"')\]]*|.+", re.S)
_WORD = re.compile(r"\w")
_CLOSERS = "”’」』）》】\"')]"
#: Break classes from the best place to cut a sentence to the worst: a clause (；) keeps its sense best, a dash least.
_BREAKS = ("；", "：，", "、", "—")
_PAIRS = {"《": "》", "“": "”", "「": "」", "『": "』", "‘": "’", "（": "）"}
#: jieba sees this much text past the limit, so the tokens near the cut are not truncated ones.
_JIEBA_CONTEXT = 20


def chinese_marks(text: str) -> str:
    """Ellipses to ……, -- to ——, full-width digits to ASCII, ASCII ;,!?: beside Chinese to full width."""
    text = _ELLIPSIS.sub("……", text)
    text = _DASH.sub("——", text)
    text = text.translate(_DIGITS)
    return _ASCII_PUNCT.sub(lambda match: _WIDE[match.group()], text)


def split_sentences(text: str) -> list[str]:
    """Sentences ending at 。！？ or ……, each keeping its closing quotes and brackets; punctuation
    that stands alone (a stray 。 or ”) joins the sentence before it."""
    sentences: list[str] = []
    for match in _SENTENCE.finditer(chinese_marks(text)):
        sentence = match.group().strip()
        if not sentence:
            continue
        if sentences and not (_WORD.search(sentence) and _WORD.search(sentences[-1])):
            sentences[-1] += sentence
        else:
            sentences.append(sentence)
    return sentences


def split_script(script: Script, max_chars: int, min_chars: int = 10) -> list[Chunk]:
    """The chunks to speak, in order: title, salutation, then each section's spoken heading and its
    paragraphs' sentences; no chunk is longer than `max_chars` (the engine's request size) and
    sentences shorter than `min_chars` ride with a neighbour."""
    if max_chars < 2:
        raise ValueError("max_chars must be at least 2")
    floor = min(min_chars, max_chars // 2)
    chunks = [replace(c, text=t) for c, t in _absorb_punctuation(list(_raw_chunks(script, max_chars, floor)))]
    levels = [section.level for section in script.sections]
    following: list[Chunk | None] = [*chunks[1:], None]
    return [replace(chunk, pause_after=_pause(chunk, nxt, levels)) for chunk, nxt in zip(chunks, following)]


@dataclass(frozen=True)
class _Unit:
    """One text the splitter must cover, with the position its chunks will carry."""

    text: str
    section: int
    paragraph: int
    role: ChunkRole
    first_sentence: int = 0
    whole: bool = False
    """Speak as one sentence (title, salutation, heading): break only for length."""


def _units(script: Script) -> Iterator[_Unit]:
    if script.title:
        yield _Unit(script.title, 0, -1, "title", 0, True)
    # The speaker and the date are read once, after the title and in its voice: one sentence each.
    for number, text in enumerate(script.byline, 1):
        yield _Unit(text, 0, -1, "title", number, True)
    if script.salutation:
        yield _Unit(script.salutation, 0, -1, "salutation", 1 + len(script.byline), True)
    for index, section in enumerate(script.sections):
        if spoken_heading(section):
            yield _Unit(section.title, index, -1, "heading", 0, True)
        for number, paragraph in enumerate(section.paragraphs):
            yield _Unit(paragraph, index, number, "body")


def spoken_heading(section: Section) -> str:
    """The heading a listener hears: the manuscript's own ("" for an opening or closing it did not
    head, which a player shows as 开场 / 结束语)."""
    return section.title


def _raw_chunks(script: Script, limit: int, floor: int) -> Iterator[Chunk]:
    for unit in _units(script):
        sentences = [chinese_marks(unit.text).strip()] if unit.whole else _merge_tiny(split_sentences(unit.text), limit, floor)
        for offset, sentence in enumerate(sentences):
            for part, piece in enumerate(_pieces(sentence, limit, floor)):
                yield Chunk(piece, unit.section, unit.paragraph, unit.first_sentence + offset, part, role=unit.role)


def _merge_tiny(sentences: list[str], limit: int, floor: int) -> list[str]:
    """A sentence under `floor` characters joins its next neighbour (or its previous one) when the
    two fit under the limit: engines read two-character requests badly."""
    merged: list[str] = []
    for sentence in sentences:
        if merged and len(merged[-1]) < floor and len(merged[-1]) + len(sentence) <= limit:
            merged[-1] += sentence
        else:
            merged.append(sentence)
    if len(merged) > 1 and len(merged[-1]) < floor and len(merged[-2]) + len(merged[-1]) <= limit:
        merged[-2:] = [merged[-2] + merged[-1]]
    return merged


def _absorb_punctuation(chunks: list[Chunk]) -> list[tuple[Chunk, str]]:
    """Punctuation alone makes an engine return no audio: it rides with the chunk before (or after)."""
    texts = [chunk.text for chunk in chunks]
    keep = [bool(_WORD.search(text)) for text in texts]
    for index, text in enumerate(texts):
        if keep[index]:
            continue
        before = next((k for k in range(index - 1, -1, -1) if keep[k]), None)
        after = next((k for k in range(index + 1, len(texts)) if keep[k]), None)
        if before is not None:
            texts[before] += text
        elif after is not None:
            texts[after] = text + texts[after]
    return [(chunk, text) for chunk, text, kept in zip(chunks, texts, keep) if kept]


def _pause(chunk: Chunk, nxt: Chunk | None, levels: list[int]) -> PauseKind:
    if nxt is None:
        return "end"
    if chunk.role == "title" and nxt.role != "title":
        return "title"
    if nxt.key == chunk.key and nxt.role == chunk.role:
        return "clause"
    if nxt.section != chunk.section:
        return "subsection" if levels[nxt.section] >= 2 else "section"
    if nxt.paragraph != chunk.paragraph or nxt.role != chunk.role:
        return "paragraph"
    return "sentence"


# --- breaking one over-long sentence --------------------------------------------------------


def _pieces(sentence: str, limit: int, floor: int) -> list[str]:
    pieces: list[str] = []
    while len(sentence) > limit:
        cut = _cut(sentence, limit, floor)
        pieces.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    return [*pieces, sentence] if sentence else pieces


def _cut(text: str, limit: int, floor: int) -> int:
    """Where to end the first piece: after the best-ranked break that leaves both pieces at least
    `floor` long, then any break, then (protected pairs like 《》 ignored) again, then a word boundary."""
    for guard in (True, False):
        allowed = _breakable(text, limit, guard)
        for low in (floor, 1):
            for marks in _BREAKS:
                found = [i for i in allowed if text[i - 1] in marks and low <= i <= len(text) - low]
                if found:
                    return max(found)
    return _word_cut(text, limit, floor)


def _breakable(text: str, limit: int, guard: bool) -> list[int]:
    """Cut positions (after text[i-1]) up to `limit`, outside 《》“”… when `guard`, never inside a
    number (1,000) nor between the two dashes of ——, and never before a closing quote."""
    depth = 0
    cuts: list[int] = []
    for i in range(1, min(limit, len(text) - 1) + 1):
        char, after = text[i - 1], text[i]
        if char in _PAIRS:
            depth += 1
        elif char in _PAIRS.values():
            depth = max(0, depth - 1)
        if guard and depth:
            continue
        if after in _CLOSERS or after == char == "—" or (text[i - 2 : i - 1].isdigit() and after.isdigit()):
            continue
        cuts.append(i)
    return cuts


def word_bounds(text: str) -> list[int]:
    """Every place between two words of `text` (jieba's tokens): where a line may break without
    cutting 安全|生产 in two."""
    bounds: list[int] = []
    for token in _jieba().cut(text):
        bounds.append((bounds[-1] if bounds else 0) + len(token))
    return bounds[:-1]


def _word_cut(text: str, limit: int, floor: int) -> int:
    """The last jieba token boundary within the limit that leaves both pieces `floor` long (or at
    least leaves words after it); jieba keeps 5.2%, 13812345678 and 十四五 whole."""
    bounds: list[int] = []
    for token in _jieba().cut(text[: limit + _JIEBA_CONTEXT]):
        position = (bounds[-1] if bounds else 0) + len(token)
        if position > limit:
            break
        bounds.append(position)
    for fits in (lambda b: floor <= b <= len(text) - floor, lambda b: _WORD.search(text[b:])):
        found = [b for b in bounds if fits(b)]
        if found:
            return max(found)
    return limit  # one token longer than the limit (a long number or URL): cut it where it must be


@cache
def _jieba() -> ModuleType:
    """jieba takes about a second to load its dictionary: only text with no punctuation needs it."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba
