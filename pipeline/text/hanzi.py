"""Traditional characters matched as simplified: rules are written once, in simplified characters.

Only for matching: the text spoken is never converted (a traditional manuscript is read as written).
OpenCC's character table maps one character to one, so a match's positions hold in the original too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any


@cache
def _converter() -> Any:
    import opencc  # loads its dictionaries (about 10 ms): only when a manuscript is cleaned

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """`text` in simplified characters, of the same length (falls back to `text` if a phrase changed it)."""
    if text.isascii():
        return text
    converted = _converter().convert(text)
    return converted if len(converted) == len(text) else text


@cache
def _to_traditional() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def in_own_script(lines: list[str]) -> list[str]:
    """`lines` with characters of the other script mapped to the document's own, when it is plainly
    simplified: a CJK font that draws 户 and 戶 with one glyph gives the text layer either code point,
    and a listener's subtitles would show 客戶 in a simplified speech. Character for character (a
    phrase's reading decides which, never its length), so nothing moves; a traditional document is
    left as it is (one simplified character can stand for several traditional ones, and guessing
    would be wrong)."""
    chars = {c for line in lines for c in line if "\u4e00" <= c <= "\u9fff"}
    # Read by the phrase, not the character alone: 乾坤 keeps its 乾 (simplified text uses it too),
    # which the converter would turn into 干 on its own.
    phrased = [_converter().convert(line) for line in lines]
    phrased = [p if len(p) == len(line) else line for p, line in zip(phrased, lines)]
    traditional = {c for line, p in zip(lines, phrased) for c, q in zip(line, p) if c != q and c in chars}
    simplified_only = {c for c in chars if _to_traditional().convert(c) != c}
    if not traditional or len(simplified_only) < _OWN_SCRIPT_MIN or len(traditional) * _OWN_SCRIPT_RATIO > len(simplified_only):
        return lines
    return ["".join(q if c in traditional else c for c, q in zip(line, p)) for line, p in zip(lines, phrased)]


def is_traditional(text: str) -> bool:
    """Whether `text` is written in traditional characters: more of its distinct characters exist
    only in the traditional script than only in the simplified one, and a handful at least."""
    chars = {c for c in text if "\u4e00" <= c <= "\u9fff"}
    traditional_only = {c for c in chars if _converter().convert(c) != c}
    simplified_only = {c for c in chars if _to_traditional().convert(c) != c}
    return len(traditional_only) >= _OWN_SCRIPT_MIN and len(traditional_only) > len(simplified_only)


_OWN_SCRIPT_MIN = 5
"""Distinct simplified-only characters a document needs before it counts as simplified."""
_OWN_SCRIPT_RATIO = 10
"""A simplified document has this many times more distinct simplified-only characters than strays."""


_RADICAL_GLYPH = re.compile(r"[\u2e3a\u2e3b\u2e80-\u2fdf]")
"""The code points unified_glyphs changes (⸺ ⸻ and the radicals): a text without one is left as it is."""


def unified_glyphs(text: str) -> str:
    """Glyphs as readers expect them: Kangxi radicals and CJK radical-supplement forms as the
    characters they stand for, ⸺ as ——, compatibility forms folded (NFKC keeps CJK punctuation)."""
    if not _RADICAL_GLYPH.search(text):
        return text
    table = _radical_table()
    text = "".join(table.get(ch, ch) for ch in text)
    return "".join(unicodedata.normalize("NFKC", ch) if 0x2F00 <= ord(ch) <= 0x2FDF else ch for ch in text)


@cache
def _radical_table() -> dict[str, str]:
    """CJK Radicals Supplement glyphs that stand for whole characters, mapped through their Unicode
    names to the Kangxi radical of the same name (simplified for the C-SIMPLIFIED forms), plus the
    few whose names say nothing of it (⺠ CIVILIAN is 民)."""
    kangxi = {unicodedata.name(chr(cp)).replace("KANGXI RADICAL ", ""): chr(cp) for cp in range(0x2F00, 0x2FD6)}
    table = {"⸺": "——", "⸻": "———", "⺠": "民", "⻄": "西", "⻘": "青", "⻆": "角", "⻨": "麦", "⻩": "黄", "⺟": "母"}
    for cp in range(0x2E80, 0x2EF4):
        try:
            name = unicodedata.name(chr(cp)).replace("CJK RADICAL ", "")
        except ValueError:
            continue
        if name.startswith("C-SIMPLIFIED "):
            radical = kangxi.get(name.replace("C-SIMPLIFIED ", ""))
            if radical:
                table[chr(cp)] = simplified(unicodedata.normalize("NFKC", radical))
            continue
        # A variant form (LONG ONE ⻑ for 長) stands for the radical's own character.
        radical = kangxi.get(re.sub(r" (?:ONE|TWO|THREE|FOUR)$", "", name)) if not name.startswith(("J-", "SIMPLIFIED ")) else None
        if radical and chr(cp) not in table:
            table[chr(cp)] = unicodedata.normalize("NFKC", radical)
    return table
