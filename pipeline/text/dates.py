"""Dates as manuscripts write them under a title: (2024年3月5日), 二〇二四年三月五日, 2024.3.5.

Light on purpose (no other module of the front end): the writers read a speech's date for the tags.
年, 月, 日 and the numerals are the same in both scripts, so no conversion is needed first.
"""

from __future__ import annotations

import re

_CN_DIGIT = "〇零○一二三四五六七八九十"
#: A date line: (2024年3月5日), 二〇二四年三月五日, 2024.3.5, 2024-03-05, with a short note beside it
#: inside the brackets at most (（2024年3月5日，根据录音整理）).
_DATE = re.compile(
    rf"^[（(〔\[]?\s*(?P<core>(?P<era>民國|民国)?(?P<y>\d{{4}}|[{_CN_DIGIT}]{{4}}|(?<=[國国])(?:\d{{2,3}}|[{_CN_DIGIT}]{{2,4}}))\s*(?:年\s*(?P<m>\d{{1,2}}|[{_CN_DIGIT}]{{1,3}})\s*月"
    rf"(?:\s*(?P<d>\d{{1,2}}|[{_CN_DIGIT}]{{1,3}})\s*[日号])?|[.\-/](?P<m2>\d{{1,2}})[.\-/](?P<d2>\d{{1,2}})))"
    r"(?:[，,、\s][^（）()]{0,16})?\s*[）)〕\]]?$"
)


def date_of(text: str) -> str:
    """The date a date line holds, as written (without brackets or a note beside it); "" when it is no date line."""
    match = _DATE.match(text.strip())
    if not match:
        return ""
    return match["core"]


def iso_date(written: str) -> str:
    """YYYY-MM-DD (or YYYY-MM, YYYY) of a date as `date_of` gave it; "" when it cannot be read."""
    match = _DATE.match(written.strip())
    if not match:
        return ""
    year = _number(match["y"], digits=not match["era"]) + (1911 if match["era"] else 0)  # 民國 years count from 1912
    month = _number(match["m"] or match["m2"] or "")
    day = _number(match["d"] or match["d2"] or "")
    if not 1000 <= year <= 2999 or not 0 <= month <= 12 or not 0 <= day <= 31:
        return ""
    return f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if month and day else "")


def _number(text: str, digits: bool = False) -> int:
    """12, 十二 or (for a year, digit by digit) 二〇二四."""
    if not text:
        return 0
    if text.isdigit():
        return int(text)
    values = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0}
    if digits:
        return int("".join(str(values.get(c, 0)) for c in text))
    tens, ten, units = text.partition("十")
    if not ten:
        return values.get(text, 0)
    return (values.get(tens, 0) if tens else 1) * 10 + (values.get(units, 0) if units else 0)
