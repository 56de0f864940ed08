"""Heading markers: the numbered forms a Chinese manuscript heads its sections with, and their numbers.

GB/T 9704-2012 (the national standard for official documents) orders them 一、 › （一） › 1. › （1）;
manuscripts add 第一部分/第一章, 第一节, 第一条, 第一、/第一，/第一＋full-width space and ①. Markers are
matched on the simplified form of a line, so traditional manuscripts are read by the same rules.
"""

from __future__ import annotations

import re

from .hanzi import simplified

HEADING_MAX = 40
"""A heading is at most this long (marker included); a longer first clause is a numbered paragraph."""
CN_DIGITS = "零一二三四五六七八九"
_CN_NUMBER = "(?:[一二三四五六七八九]百(?:零[一二三四五六七八九]|[一二三四五六七八九]?十[一二三四五六七八九]?)?|[一二三四五六七八九十]+)"

#: (rank, marker) from the outermost: 第一部分/第一章 › 第一节 › 第一条 › 一、 › 第一、/第一， › （一） › 1. › （1） › ①.
#: 第一，is a rank of its own: under 一、 a speech counts its points 第一，第二，… and starts again
#: under 二、, a sequence apart from the sections'.
#: Each marker has prefix, number and suffix groups; a bracket may hold a space text taken from a
#: PDF left beside the number ((一 ) 引言). The 第一、/第一，/第一＋full-width-space forms
#: head a line only when what follows the marker up to the first full stop is one short clause
#: (第一，着力优化现代化城市体系。…): 第一，要……，…… opening a paragraph is a cue, not a section.
_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (0, re.compile(rf"^(第)({_CN_NUMBER}|\d{{1,2}})(部分|章|篇|讲|单元|编)")),
    (1, re.compile(rf"^(第)({_CN_NUMBER}|\d{{1,2}})(节)")),
    (2, re.compile(rf"^(第)({_CN_NUMBER}|\d{{1,3}})(条)")),
    (3, re.compile(rf"^()({_CN_NUMBER})([、.．])")),
    (4, re.compile(rf"^(第)({_CN_NUMBER})([、，,\u3000])")),
    (5, re.compile(rf"^([（(]\s?)({_CN_NUMBER})(\s?[）)])")),
    (6, re.compile(r"^()(\d{1,2})([.．、])(?!\d)")),
    (7, re.compile(r"^([（(]\s?)(\d{1,2})(\s?[）)])")),
    (8, re.compile(r"^()([①-⑳])()")),
)
ARTICLE_RANK = 2
"""第一条: an article of a charter or regulation."""
FIRST_DIGIT_RANK = 6
"""Ranks from this one on are numbered with digits (1. and （1）); ① is its own."""
CIRCLED_RANK = 8
_WHOLE_LINE = re.compile(rf"^第{_CN_NUMBER}[、，,\u3000]")
_CLAUSE_MAX = 25
_INNER_PUNCT = re.compile(r"[，,、；;“”\"（）()《》]")
GIVEN_RANK = -20
"""Headings the format declared (Markdown #, Word styles) rank GIVEN_RANK + level: outside every
numbered form, and taken whatever their text."""
BOLD_RANK = GIVEN_RANK + 7
"""A short bold-only paragraph without a number: a heading below any the format declared."""
CLOSING_RANK = -1
HEADING_END = re.compile(r"[。！？：:!?]|\u3000+(?=\S)")
TRAILING = "。：:．.！!？? \u3000"

CLOSING_HEADING = re.compile(r"^(?:结束语|结语|结束语[：:]|结语[：:])$")


def marker(text: str) -> tuple[int, re.Match[str]] | None:
    probe = simplified(text)
    for rank, pattern in _MARKERS:
        match = pattern.match(probe)
        if match:
            if _WHOLE_LINE.match(probe):
                end = HEADING_END.search(text, match.end())
                head = text[match.end() : end.start() if end else len(text)]
                if len(head) > _CLAUSE_MAX or _INNER_PUNCT.search(head):
                    return None
                following = "第" + to_chinese(to_int(match.group(2)) + 1) + match.group(3)
                if following in probe:  # 第一，……。第二，…… on one line: an enumeration inside a paragraph
                    return None
            return rank, match
    return None


def shown(title: str) -> str:
    """A heading as shown and spoken: full-width spaces that spread it out (引　　言) closed up."""
    return re.sub(r"(?<=[\u4e00-\u9fff])[\u3000 ]+(?=[\u4e00-\u9fff])", "", title) if len(title) <= 12 else title


CIRCLED_ZERO = ord("①") - 1


def to_int(digits: str) -> int:
    if len(digits) == 1 and "①" <= digits <= "⑳":
        return ord(digits) - CIRCLED_ZERO
    if digits.isdigit():
        return int(digits)
    hundreds, hundred, rest = digits.partition("百")
    if hundred:  # 一百, 一百零一, 一百一十二: a long report's sections go on past 九十九
        rest = rest.lstrip("零")
        return (CN_DIGITS.index(hundreds) if hundreds else 1) * 100 + (to_int(rest) if rest else 0)
    tens, _, units = digits.rpartition("十")
    if "十" not in digits:
        return CN_DIGITS.index(digits) if len(digits) == 1 else 0
    return (CN_DIGITS.index(tens) if tens else 1) * 10 + (CN_DIGITS.index(units) if units else 0)


def to_chinese(number: int) -> str:
    hundreds, rest = divmod(number, 100)
    if hundreds:
        tail = "" if not rest else "零" + CN_DIGITS[rest] if rest < 10 else ("一" if rest < 20 else "") + to_chinese(rest)
        return CN_DIGITS[hundreds] + "百" + tail
    tens, units = divmod(number, 10)
    if not tens:
        return CN_DIGITS[units]
    return (CN_DIGITS[tens] if tens > 1 else "") + "十" + (CN_DIGITS[units] if units else "")
