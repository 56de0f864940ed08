"""Subtitles read off the timeline: one cue per sentence (long ones cut at punctuation), as SRT and LRC.

Cue text is at most MAX_CUE_CHARS, shown in at most two lines of LINE_CHARS: Chinese subtitles wider
than about 16 characters a line are hard to read on a phone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..model import Placement, Timeline

MAX_CUE_CHARS = 32
LINE_CHARS = 16
_BREAK_AFTER = set("，、；：,;:。！？!?…—”’」』）》)")


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str
    """One unbroken string; srt() lays it out in lines."""
    section: int
    """Index into Script.sections (the title belongs to section 0)."""


def _clauses(text: str) -> list[str]:
    """`text` cut after punctuation, with any piece still over MAX_CUE_CHARS cut into even parts."""
    pieces: list[str] = []
    current = ""
    for i, ch in enumerate(text):
        current += ch
        following = text[i + 1] if i + 1 < len(text) else ""
        if ch in _BREAK_AFTER and following not in _BREAK_AFTER:
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    even: list[str] = []
    for piece in pieces:
        parts = -(-len(piece) // MAX_CUE_CHARS)
        if parts == 1:
            even.append(piece)
            continue
        size = len(piece) / parts
        cuts = [_near_word_bound(piece, round(size * k), MAX_CUE_CHARS) for k in range(1, parts)]
        even.extend(piece[a:b] for a, b in zip([0, *cuts], [*cuts, len(piece)]) if piece[a:b])
    return even


def _near_word_bound(text: str, at: int, reach: int) -> int:
    """The break between two words nearest `at` (at most `reach` away), else `at` itself."""
    from ..text.split import word_bounds

    bounds = [b for b in word_bounds(text) if abs(b - at) <= reach]
    return min(bounds, key=lambda b: abs(b - at)) if bounds else at


def _spoken(text: str) -> int:
    """Characters that take time to say (punctuation and spaces take none)."""
    return max(sum(1 for ch in text if ch.isalnum()), 1)


def _merge(pieces: Iterable[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Join neighbouring (text, start, end) pieces while the text stays within a cue."""
    merged: list[tuple[str, int, int]] = []
    for text, start, end in pieces:
        if merged and len(merged[-1][0]) + len(text) <= MAX_CUE_CHARS:
            merged[-1] = (merged[-1][0] + text, merged[-1][1], end)
        else:
            merged.append((text, start, end))
    return merged


def _split_placement(p: Placement) -> list[tuple[str, int, int]]:
    """A long chunk cut at punctuation, each piece timed in proportion to its spoken characters."""
    text = p.chunk.text.strip()
    if len(text) <= MAX_CUE_CHARS:
        return [(text, p.start, p.end)]
    clauses = _clauses(text)
    weights = np.cumsum([0] + [_spoken(c) for c in clauses])
    bounds = [p.start + round((p.end - p.start) * w / weights[-1]) for w in weights]
    return _merge((c, bounds[k], bounds[k + 1]) for k, c in enumerate(clauses))


def cues(timeline: Timeline) -> list[Cue]:
    """One cue per sentence; a sentence over MAX_CUE_CHARS is broken at chunk boundaries first, then
    at punctuation. Cues never overlap and never have zero length."""
    result: list[Cue] = []
    placements = timeline.placements
    i = 0
    while i < len(placements):
        j = i
        while j + 1 < len(placements) and placements[j + 1].chunk.key == placements[i].chunk.key:
            j += 1
        sentence = placements[i : j + 1]
        section = sentence[0].chunk.section
        whole = "".join(p.chunk.text.strip() for p in sentence)
        if len(whole) <= MAX_CUE_CHARS:
            pieces = [(whole, sentence[0].start, sentence[-1].end)]
        else:
            pieces = _merge(piece for p in sentence for piece in _split_placement(p))
        for text, start, end in pieces:
            cue = Cue(timeline.ms(start), timeline.ms(end), text, section)
            if cue.end_ms > cue.start_ms:
                result.append(cue)
            elif result:  # too short to show by itself: it joins the cue before
                last = result[-1]
                result[-1] = dataclasses.replace(last, end_ms=max(last.end_ms, cue.end_ms), text=last.text + text)
        i = j + 1
    return result


def _lines(text: str) -> list[str]:
    """Up to two lines of at most LINE_CHARS, broken after punctuation when possible."""
    if len(text) <= LINE_CHARS:
        return [text]
    if len(text) > 2 * LINE_CHARS:
        return [text[k : k + LINE_CHARS] for k in range(0, len(text), LINE_CHARS)]
    middle = len(text) / 2
    candidates = range(len(text) - LINE_CHARS, LINE_CHARS + 1)
    punctuated = [k for k in candidates if text[k - 1] in _BREAK_AFTER]
    if punctuated:
        cut = min(punctuated, key=lambda k: abs(k - middle))
    else:  # no punctuation to break after: break between two words, never inside one
        from ..text.split import word_bounds

        between = [k for k in word_bounds(text) if k in candidates]
        cut = min(between or candidates, key=lambda k: abs(k - middle))
    return [text[:cut], text[cut:]]


def _srt_time(ms: int) -> str:
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    seconds, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d},{ms:03d}"


def srt(cue_list: Sequence[Cue]) -> str:
    blocks = [f"{n}\n{_srt_time(c.start_ms)} --> {_srt_time(c.end_ms)}\n" + "\n".join(_lines(c.text)) + "\n" for n, c in enumerate(cue_list, 1)]
    return "\n".join(blocks)


def _lrc_time(ms: int) -> str:
    centis = (max(ms, 0) + 5) // 10
    minutes, centis = divmod(centis, 6000)
    return f"[{minutes:02d}:{centis // 100:02d}.{centis % 100:02d}]"


def lrc(cue_list: Sequence[Cue], title: str = "", offset_ms: int = 0) -> str:
    """LRC lyrics; `offset_ms` is subtracted from every time (a track's start, for its own file)."""
    head = [f"[ti:{title}]"] if title else []
    head.append("[re:speechcast]")
    return "\n".join(head + [f"{_lrc_time(c.start_ms - offset_ms)}{c.text}" for c in cue_list]) + "\n"
